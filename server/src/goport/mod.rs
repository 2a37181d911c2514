//! Ports of Go library semantics the checks must reproduce exactly: version ordering
//! (`gover`) and checksum-database verifier keys (`note`). Each says why a port rather than a
//! general crate; hashing and base64 use maintained crates.

pub mod gover;
pub mod note;
