//! Ports of Go library semantics the checks must reproduce exactly: version ordering
//! (`gover`), checksum-database verifier keys (`note`) and module path patterns (`glob`:
//! `path.Match` differs from shell globs — `*` never crosses `/`). Each says why a port rather than a
//! general crate; hashing and base64 use maintained crates.

pub mod glob;
pub mod gover;
pub mod note;
