//! Pure rules: [`crate::model::Snapshot`] → findings. No IO, no processes.

pub mod resolve;

use crate::model::{Finding, Snapshot};

/// Every finding for the snapshot, fixes verified and ordered best first.
pub fn check(snapshot: &Snapshot) -> Vec<Finding> {
    let _ = snapshot;
    Vec::new()
}
