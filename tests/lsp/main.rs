//! The `lsp` layer: `go-env-doctor serve`. The real binary over stdio with real Go toolchains
//! and a real login shell (`stdio`, `idea`) and facing a misbehaving client (`protocol`) — the
//! end-to-end truth.

#[path = "../support/mod.rs"]
mod support;

mod idea;
mod protocol;
mod stdio;
