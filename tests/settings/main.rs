//! The `settings` layer: the editors' settings files read and edited by the library, no
//! processes. VS Code's JSONC (`jsonc`, snapshots `settings_jsonc__*`) and GoLand's
//! `.idea/workspace.xml` (`idea`, snapshots `idea__*`).

#[path = "../support/mod.rs"]
mod support;

mod idea;
mod jsonc;
