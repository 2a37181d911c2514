//! Snapshot tests of the toolchain rules (GOTOOLCHAIN, go.mod `go`/`toolchain` lines).

mod rules_support;

use rules_support::*;

#[test]
fn healthy_module_has_no_toolchain_findings() {
    let s = healthy();
    assert!(findings(&s).is_empty(), "{:#?}", findings(&s));
}
