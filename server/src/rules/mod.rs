//! Pure rules: [`crate::model::Snapshot`] → findings. No IO, no processes.
