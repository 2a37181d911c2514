//! The `lsp` layer: `go-env-doctor serve`. The real binary over stdio with real Go toolchains
//! and a real login shell (`stdio`, `idea`, the persistent probe cache across server processes
//! in `probe_cache`) and facing a misbehaving client (`protocol`) — the end-to-end truth; and the same server in process over `tokio::io::duplex` for scenarios that
//! need only settings files (`in_process`, harness in `support::in_process`).

#[path = "../support/mod.rs"]
mod support;

mod ahead;
mod idea;
mod in_process;
mod probe_cache;
mod protocol;
mod stdio;
