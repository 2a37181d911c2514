//! Publishing: findings → diagnostics per file (every affected file, open or not), the set we
//! published (to clear files that no longer have any), `goEnvDoctor/serverStatus`, and the
//! `goEnvDoctor.report` command's Markdown and structured report.

use super::convert::{self, Encoding};
use super::documents::Checked;
use super::session::State;
use super::{status, Backend};
use crate::facts::Overrides;
use crate::model::{Finding, Snapshot};
use crate::report::{human, Report};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tower_lsp_server::lsp_types::Diagnostic;

impl Backend {
    pub(super) async fn publish(&self, files: Vec<(PathBuf, Vec<Diagnostic>)>) {
        for (path, diags) in files {
            let version = {
                let mut state = self.state();
                if diags.is_empty() {
                    state.last_published.remove(&path);
                } else {
                    state.last_published.insert(path.clone(), diags.clone());
                }
                state.docs.get(&path).map(|d| d.version)
            };
            match convert::file_uri(&path) {
                Some(uri) => self.client.publish_diagnostics(uri, diags, version).await,
                None => tracing::warn!("cannot make a URI of {}", path.display()),
            }
        }
    }

    /// `goEnvDoctor/serverStatus` for clients that asked for it: after each publish.
    pub(super) async fn send_status(&self) {
        let status = {
            let state = self.state();
            if !state.caps.status_notifications || state.shut_down || state.results.is_empty() {
                return;
            }
            status::of(&state.results)
        };
        self.client
            .send_notification::<status::ServerStatus>(status)
            .await;
    }

    /// `goEnvDoctor.report` with `{"format": "json"}`: the Markdown report and, per folder, the
    /// JSON report `check --format json` prints.
    pub(super) fn report_structured(&self) -> serde_json::Value {
        let markdown = self.report_markdown();
        let state = self.state();
        let folders: Vec<serde_json::Value> = state
            .results
            .values()
            .map(|c| {
                let report = Report::from_snapshot(&c.snapshot, c.findings.clone());
                let mut value = crate::report::json::report_value(&report);
                if let Some(obj) = value.as_object_mut() {
                    obj.insert("folder".into(), serde_json::json!(report.folder));
                }
                value
            })
            .collect();
        serde_json::json!({
            "markdown": markdown,
            "folders": folders,
            "status": status::of(&state.results),
        })
    }

    pub(super) fn report_markdown(&self) -> String {
        let state = self.state();
        let mut out = String::from("# go-env-doctor report\n");
        if state.results.is_empty() {
            out.push_str("\nNo workspace folder has been checked yet.\n");
        }
        for checked in state.results.values() {
            let report = Report::from_snapshot(&checked.snapshot, checked.findings.clone());
            out.push_str(&format!(
                "\n## {}\n\n```text\n{}```\n",
                checked.snapshot.folder.display(),
                human::render_human(&report)
            ));
        }
        out
    }
}

/// Every finding as a diagnostic on the file of its first location, files read from disk (the
/// text the snapshot's byte spans refer to). Identical diagnostics from several folders (user
/// settings) are kept once.
pub(super) fn diagnostics_by_file<'a>(
    results: impl IntoIterator<Item = &'a Checked>,
    enc: Encoding,
    overrides: &Overrides,
    versions: &HashMap<PathBuf, i32>,
) -> BTreeMap<PathBuf, Vec<Diagnostic>> {
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    let text_of = |p: &Path| -> Option<String> {
        overrides
            .get(p)
            .cloned()
            .or_else(|| crate::facts::fs::read_text(p).ok())
    };
    let mut read = |p: &Path| -> String {
        texts
            .entry(p.to_path_buf())
            .or_insert_with(|| text_of(p).unwrap_or_default())
            .clone()
    };
    let mut out: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
    for checked in results {
        for finding in &checked.findings {
            let Some(first) = finding.locations.first() else {
                tracing::debug!(code = finding.code, "finding without a location");
                continue;
            };
            let text = read(&first.path);
            let other = |p: &Path| text_of(p);
            let mut diag = convert::diagnostic(finding, &text, enc, &other);
            if let Some(v) = versions.get(&first.path) {
                convert::stamp_version(&mut diag, *v);
            }
            convert::stamp_files(&mut diag, &fix_targets(&checked.snapshot, finding));
            let list = out.entry(first.path.clone()).or_default();
            if !list.contains(&diag) {
                list.push(diag);
            }
        }
    }
    out
}

/// The settings files a finding's fixes edit, with the digest of the text the check read
/// (`None`: the file did not exist). Files the check did not read are left out.
fn fix_targets(snapshot: &Snapshot, finding: &Finding) -> BTreeMap<PathBuf, Option<u64>> {
    let files = std::iter::once(snapshot)
        .chain(snapshot.editor_views.iter())
        .flat_map(|s| s.settings.files.iter());
    let mut known: HashMap<&Path, Option<u64>> = HashMap::new();
    for f in files {
        known.insert(&f.path, f.digest.filter(|_| f.exists));
    }
    finding
        .fixes
        .iter()
        .filter_map(|fix| match &fix.action {
            crate::model::FixAction::SetSetting { file, .. }
            | crate::model::FixAction::RemoveSetting { file, .. } => {
                known.get(file.as_path()).map(|d| (file.clone(), *d))
            }
            _ => None,
        })
        .collect()
}

/// Record `diagnostics` as the published set; returns them plus empty lists for files that
/// had diagnostics and no longer do.
pub(super) fn replace_published(
    state: &mut State,
    diagnostics: BTreeMap<PathBuf, Vec<Diagnostic>>,
) -> Vec<(PathBuf, Vec<Diagnostic>)> {
    let mut out: Vec<(PathBuf, Vec<Diagnostic>)> = state
        .published
        .iter()
        .filter(|p| !diagnostics.contains_key(*p))
        .map(|p| (p.clone(), Vec::new()))
        .collect();
    state.published = diagnostics.keys().cloned().collect();
    out.extend(diagnostics);
    out
}
