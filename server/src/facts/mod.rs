//! All IO of the engine: resolve the editor side and the shell side, run `go`, stat paths.
//! Output: a plain-data [`crate::model::Snapshot`].

pub mod shell;
