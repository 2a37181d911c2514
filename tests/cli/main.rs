//! The `cli` layer: what `go-env-doctor check` does, from its probes of real shells and real Go
//! toolchains (`shell_probe`, `go_runs`; root-cause attribution from real startup files:
//! `attribution`) through the built binary end to end (`check`, `idea`,
//! `gotoolchain_layers`, `vscode_go_model`, `workspace_modules`), `check --deep` building with
//! each side's real `go` and C compiler (`deep`), `go-env-doctor fix` (`fix`),
//! the renderers (`render`), the editor's Go tools read without running them (`tools`),
//! differential runs against the real cmd/go and the real-world corpus (`diff_cmdgo`,
//! `real_corpus`, `real_tinygo`) and hostile inputs (`hardening`, `redteam`; a few of their
//! cases drive `serve` over stdio with the same hostile worlds).
//!
//! These tests start real shells and real `go` on parallel test threads (as many as before the
//! files shared a binary: libtest's default, one per core). None changes the test process's
//! own state (environment, current directory); each builds its own temp world under `/tmp`,
//! passes its child processes an explicit environment, and looks for its leftover processes by
//! a marker only it uses (a temp path, a `sleep` duration carrying the process id and a
//! counter), so cases from different files can run side by side.

#[path = "../support/mod.rs"]
mod support;

mod attribution;
mod check;
mod deep;
mod diff_cmdgo;
mod fix;
mod go_predict;
mod go_runs;
mod gotoolchain_layers;
mod hardening;
mod idea;
mod platform;
mod real_corpus;
mod real_tinygo;
mod redteam;
mod render;
mod sdk_switch;
mod sdks;
mod shell_probe;
mod toolchain_download;
mod tools;
mod vscode_go_model;
mod workspace_modules;
