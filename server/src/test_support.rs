//! Helpers shared by the unit tests.

use std::collections::BTreeMap;

/// An environment from `(name, value)` pairs.
pub(crate) fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
