//! Snapshot tests of the GOROOT / go binary rules, the probe and settings inputs.

mod rules_support;

use rules_support::*;

#[test]
fn healthy_has_no_findings() {
    let s = healthy();
    assert!(findings(&s).is_empty(), "{:#?}", findings(&s));
}
