//! The published answer kept with the persistent probe cache: what a new server publishes
//! before it has checked anything, while nothing the last check read has changed.
//!
//! A restart with a cached probe still has to read the settings, stat every path a rule asks
//! about and run the rules with their fix simulation — a few milliseconds, as long as an empty
//! login shell takes to start. The diagnostics those steps produced are a function of the probe
//! (the cache entry's key), the files the check read ([`inputs`]) and the client's side of the
//! session ([`context`]); when all three are as they were, the diagnostics are too. The fresh
//! check that follows every start replaces them if the world moved in a way none of these
//! inputs show (a GOROOT deleted meanwhile).

use super::documents::Checked;
use super::publish::diagnostics_by_file;
use super::session::ClientCaps;
use crate::facts::{probe_cache, CheckOptions, Overrides};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use tower_lsp_server::lsp_types::Diagnostic;

/// Diagnostics by file, as published.
pub(super) type Published = BTreeMap<PathBuf, Vec<Diagnostic>>;

/// A digest of everything of the session that shapes the published diagnostics besides the
/// probes and the files: the client's capabilities (the position encoding, above all) and the
/// configuration that became the check's options.
pub(super) fn context(caps: &ClientCaps, o: &CheckOptions) -> String {
    use sha2::Digest;
    let text = format!(
        "{caps:?}\0{:?}\0{:?}\0{}\0{:?}\0{:?}\0{}\0{:?}\0{:?}\0{:?}",
        o.shell,
        o.shell_timeout,
        o.trusted,
        o.disabled_checks,
        o.editor_kind,
        o.editor_name,
        o.client_settings,
        o.user_settings,
        o.folder,
    );
    probe_cache::hex(&sha2::Sha256::digest(text.as_bytes()))
}

/// Every file the check of `checked` read besides the login shell's startup files (the cache
/// entry keeps those): the probes' inputs (env files, `$GOROOT/go.env`, GOROOT candidates, the
/// folder's go.mod and go.work even when absent), each settings file of each editor view, and
/// every go.mod and go.work the walk found.
pub(super) fn inputs(checked: &Checked) -> Vec<PathBuf> {
    let mut out = super::watch::probe_inputs([checked]);
    let snap: &crate::model::Snapshot = &checked.probed;
    for view in std::iter::once(snap).chain(snap.editor_views.iter()) {
        out.extend(view.settings.files.iter().map(|f| f.path.clone()));
    }
    out.extend(snap.go_mod.iter().map(|m| m.path.clone()));
    out.extend(snap.go_work.iter().map(|m| m.path.clone()));
    out.extend(snap.workspace.modules.iter().map(|m| m.path.clone()));
    out.extend(snap.workspace.works.iter().map(|m| m.path.clone()));
    out.retain(|p| p.is_absolute());
    out.sort();
    out.dedup();
    out
}

/// The answer to keep for a folder's check: its diagnostics as a server with no open buffers publishes
/// them, with its inputs stamped now (right after the check read them).
pub(super) fn of(
    checked: &Checked,
    caps: &ClientCaps,
    o: &CheckOptions,
) -> Option<probe_cache::Answer> {
    let published = diagnostics_by_file([checked], caps.enc, &Overrides::new(), &HashMap::new());
    let payload = match serde_json::to_value(&published) {
        Ok(v) => v,
        Err(e) => {
            tracing::debug!("the published diagnostics do not serialize: {e}");
            return None;
        }
    };
    let files = inputs(checked)
        .iter()
        .map(|p| probe_cache::stamp(p))
        .collect();
    Some(probe_cache::Answer {
        context: context(caps, o),
        files,
        payload,
    })
}

/// A kept answer read back; `None` when it is not in this server's format.
pub(super) fn decode(payload: serde_json::Value) -> Option<Published> {
    match serde_json::from_value(payload) {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::info!("ignoring a cached answer this server cannot read: {e}");
            None
        }
    }
}
