//! go-env-doctor: compares the Go environment an editor hands its tools with the one the user's
//! login shell has, and reports every disagreement where it is configured.
//!
//! Data flows one way (SPEC §2): [`facts`] (all IO) → [`model::Snapshot`] → [`rules`] (pure) →
//! [`model::Finding`]s → front ends ([`cli`]; the language server later). [`settings`] parses and
//! edits configuration files for both directions.

pub mod catalogue;
pub mod cli;
pub mod facts;
pub mod goenv;
pub mod lsp;
pub mod model;
pub mod print_env;
pub mod redact;
pub mod report;
pub mod rules;
pub mod settings;
