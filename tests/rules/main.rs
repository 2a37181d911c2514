//! The `rules` layer: `rules::check` on hand-built `model::Snapshot`s, no processes, no
//! filesystem. Every case starts from the documented baseline `support::rules::healthy()` and
//! breaks one thing; the findings are insta snapshots in `/snapshots` (`rules__*`) whose header
//! names the test and lists what differs from that baseline.

#[path = "../support/mod.rs"]
mod support;

mod attribution;
mod cache;
mod envdiff;
mod gopls_tinygo;
mod goroot;
mod idea;
mod modules;
mod paths;
mod platform;
mod sdk_switch;
mod toolchain;
mod tools;
