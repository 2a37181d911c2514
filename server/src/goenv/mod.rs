//! The Go environment as cmd/go computes it, without IO: which keys exist, where each value
//! comes from (OS environment, go env file, `$GOROOT/go.env`, default, and an editor's overlay
//! on top), and what a changed input invalidates. Both `facts` (deciding which `go` to run with
//! which environment) and `rules` (judging the result) build on it; neither depends on the
//! other.

pub mod resolve;

use crate::model::{CommandResult, SideFacts};

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
