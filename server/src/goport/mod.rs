//! Ports of Go library semantics the checks must reproduce exactly: version ordering
//! (`gover`), checksum-database verifier keys (`note`) and module path patterns (`glob`:
//! `path.Match` differs from shell globs — `*` never crosses `/`) and the build information Go
//! embeds in binaries (`buildinfo`: which Go built an editor's tool, never running it). Each says why a port rather than a
//! general crate; hashing and base64 use maintained crates.

pub mod buildinfo;
pub mod glob;
pub mod gover;
pub mod note;
