//! Pure rules: [`crate::model::Snapshot`] → findings. No IO, no processes.
//!
//! Each area module exposes `pub fn findings(ctx: &Ctx) -> Vec<Finding>` returning findings with
//! their *candidate* fixes in preference order; [`check`] then keeps only the fixes that really
//! make the finding disappear when simulated on the snapshot (see `simulate`).

pub mod resolve;

use crate::model::{Finding, Snapshot};
use resolve::EffectiveSide;

/// What every rule gets: the snapshot and both sides' effective views, computed once.
pub struct Ctx<'a> {
    pub snapshot: &'a Snapshot,
    pub editor: Option<EffectiveSide>,
    pub shell: Option<EffectiveSide>,
}

impl<'a> Ctx<'a> {
    pub fn new(snapshot: &'a Snapshot) -> Self {
        Ctx {
            snapshot,
            editor: resolve::effective(snapshot, crate::model::SideKind::Editor),
            shell: resolve::effective(snapshot, crate::model::SideKind::Shell),
        }
    }

    /// Both sides that exist, editor first.
    pub fn sides(&self) -> impl Iterator<Item = &EffectiveSide> {
        self.editor.iter().chain(self.shell.iter())
    }
}

/// Every finding for the snapshot, fixes verified and ordered best first.
pub fn check(snapshot: &Snapshot) -> Vec<Finding> {
    let _ = Ctx::new(snapshot);
    Vec::new()
}
