//! go-env-doctor: compares the Go environment an editor hands its tools with the one the user's
//! login shell has, and reports every disagreement where it is configured.
//!
//! Data flows one way (`tests/architecture/main.rs` keeps it so): [`facts`] (all IO) →
//! [`model::Snapshot`] → [`rules`] (pure; [`goenv`] is the Go environment as cmd/go computes
//! it) → [`model::Finding`]s → [`report`] → front ends ([`cli`] and the language server,
//! [`lsp`]). [`settings`] parses and edits configuration files for both directions.

pub mod catalogue;
pub mod cli;
pub mod facts;
pub mod fixes;
pub mod goenv;
pub mod goport;
pub mod lsp;
pub mod model;
pub mod print_env;
pub mod redact;
pub mod report;
pub mod rules;
pub mod settings;
#[cfg(test)]
mod test_support;
