//! The `editors` layer: the user-facing editor configurations in `editors/` driven by REAL
//! clients — headless Neovim (`neovim`), Emacs with eglot (`emacs`), Vim with ALE (`vim`) — and
//! the snippets and templates checked by parsing them and running the command line they declare
//! (`snippets`, `jetbrains_template`).

#[path = "../support/mod.rs"]
mod support;

mod emacs;
mod jetbrains_template;
mod neovim;
mod snippets;
mod vim;
