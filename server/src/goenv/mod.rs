//! The Go environment as cmd/go computes it, without IO: which keys exist, where each value
//! comes from (OS environment, go env file, `$GOROOT/go.env`, default, and an editor's overlay
//! on top), and what a changed input invalidates. Both `facts` (deciding which `go` to run with
//! which environment) and `rules` (judging the result) build on it; neither depends on the
//! other.

pub mod resolve;
pub mod sdks;
pub mod tools;

use crate::model::{CommandResult, GoModFacts, SideFacts, Snapshot};
use std::path::Path;

/// The modules a check covers, with their directories: the one governing the folder (in it or
/// above it) first, then every module under the folder. Modules read only because a go.work
/// `use`s them from outside the folder are not in scope.
pub fn modules_in_scope(s: &Snapshot) -> impl Iterator<Item = (&GoModFacts, &Path)> {
    s.all_modules().enumerate().filter_map(|(i, m)| {
        let dir = m.path.parent()?;
        let governing = i == 0 && s.go_mod.is_some();
        (governing || crate::settings::gomod::is_under(dir, &s.folder)).then_some((m, dir))
    })
}

/// `NotRun` reason of a command result invalidated by a simulated fix or a settings edit.
pub const SIMULATED: &str = "simulated: a fix changed its inputs";

/// Forget what `go` said about `keys` (and what derives from them) on a side, and turn its
/// failed runs into [`SIMULATED`] not-runs: the inputs changed, only a new run can tell.
pub fn invalidate_side(side: &mut SideFacts, keys: &[&str]) {
    let mut drop: Vec<&str> = keys.to_vec();
    for k in keys {
        match *k {
            "GOPATH" => drop.push("GOMODCACHE"),
            "GOROOT" => drop.extend(["GOTOOLDIR", "GOVERSION"]),
            "GOPRIVATE" => drop.extend(["GONOPROXY", "GONOSUMDB"]),
            "HOME" | "XDG_CACHE_HOME" => drop.extend(["GOCACHE", "GOPATH", "GOMODCACHE"]),
            // cmd/go enables cgo by default once CC is set, or once its compiler is on PATH.
            "CC" | "PATH" => drop.push("CGO_ENABLED"),
            _ => {}
        }
    }
    if let Some(CommandResult::Ok { value, .. }) = side.go_env.as_mut() {
        for k in &drop {
            value.remove(*k);
        }
    }
    fn stale<T>(r: &mut Option<CommandResult<T>>) {
        if matches!(
            r,
            Some(CommandResult::Failed { .. }) | Some(CommandResult::TimedOut { .. })
        ) {
            *r = Some(CommandResult::NotRun {
                reason: SIMULATED.to_string(),
            });
        }
    }
    stale(&mut side.go_env);
    stale(&mut side.go_version);
    stale(&mut side.gotoolchain);
    if drop.contains(&"GOTOOLCHAIN") {
        side.gotoolchain = None;
    }
}
