//! Every module of a workspace folder, found the way gopls finds them: a walk for go.mod and
//! go.work files under the folder, plus the go.mod and go.work above a folder opened inside a
//! module, plus every directory a go.work `use`s. Nothing runs; files are read bounded.
//!
//! The walk skips what gopls skips when it looks for modules: `vendor`, `testdata`,
//! `node_modules`, directories whose name starts with `.` or `_`, and what the user's
//! `directoryFilters` exclude. Symlinked directories are never entered (so a link cycle cannot
//! loop), and the walk stops at [`MAX_DIRS`] directories or [`MAX_WALK`]: a monorepo with
//! tens of thousands of directories is seen whole, a home directory opened by mistake is not
//! walked for minutes.

use super::{fs, Overrides};
use crate::model::{GoModFacts, UseTarget, WorkspaceFacts};
use crate::settings;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// At most this many directories are read under one folder.
pub const MAX_DIRS: usize = 200_000;
/// The walk under one folder stops after this long.
pub const MAX_WALK: Duration = Duration::from_secs(3);

/// What discovery found for one folder.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The go.mod governing the folder (in it or the nearest above).
    pub go_mod: Option<GoModFacts>,
    /// The go.work cmd/go finds from the folder (in it or the nearest above).
    pub go_work: Option<GoModFacts>,
    pub workspace: WorkspaceFacts,
}

/// The paths the walk found, before anything is parsed: what a re-check after a go.mod edit
/// reuses, so that it reads files instead of walking the tree again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub folder: PathBuf,
    /// go.mod files under the folder (the folder's own included), sorted.
    pub mod_files: Vec<PathBuf>,
    /// go.work files under the folder (the folder's own included), sorted.
    pub work_files: Vec<PathBuf>,
    /// The nearest go.mod / go.work strictly above the folder.
    pub mod_above: Option<PathBuf>,
    pub work_above: Option<PathBuf>,
    pub truncated: Option<String>,
    pub dirs_walked: usize,
}

/// gopls' `directoryFilters`: `+dir`/`-dir` path prefixes relative to the folder, `**`
/// matching any run of path segments; the last filter that matches a directory decides.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DirectoryFilters {
    filters: Vec<(bool, Pattern)>,
}

#[derive(Debug, Clone, PartialEq)]
struct Pattern {
    /// Anchored at the start of `/rel/path/`, unless the filter began with `**`.
    anchored: bool,
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Lit(String),
    Any,
}

impl DirectoryFilters {
    /// Filters as a client or settings file gives them. Entries gopls rejects (no `+`/`-`
    /// prefix, `*` or `?` outside a `**` segment) are skipped with a log line, as gopls skips
    /// them with an error message.
    pub fn new(raw: &[String]) -> DirectoryFilters {
        let mut filters = Vec::new();
        for f in raw {
            let exclude = match f.chars().next() {
                Some('-') => true,
                Some('+') => false,
                _ => {
                    tracing::info!(filter = %f, "ignoring a directoryFilters entry: it must start with + or -");
                    continue;
                }
            };
            let body = f[1..].trim_end_matches('/');
            let segs: Vec<&str> = body.split('/').filter(|s| !s.is_empty()).collect();
            if segs
                .iter()
                .any(|s| *s != "**" && (s.contains('*') || s.contains('?')))
            {
                tracing::info!(filter = %f, "ignoring a directoryFilters entry: only ** is supported");
                continue;
            }
            // gopls turns `a/**/b` into the expression `^/a/.*/b/` and drops a leading `^/.*`.
            let mut pieces = vec![Piece::Lit("/".into())];
            for seg in &segs {
                if *seg == "**" {
                    pieces.push(Piece::Any);
                } else {
                    pieces.push(Piece::Lit((*seg).to_string()));
                }
                pieces.push(Piece::Lit("/".into()));
            }
            let anchored = segs.first() != Some(&"**");
            if !anchored {
                pieces.drain(..2);
            }
            filters.push((exclude, Pattern { anchored, pieces }));
        }
        DirectoryFilters { filters }
    }

    /// Whether the directory at `rel` (relative to the folder, `/`-separated) is excluded.
    pub fn excludes(&self, rel: &str) -> bool {
        let path = format!("/{}/", rel.trim_matches('/'));
        let mut excluded = false;
        for (exclude, p) in &self.filters {
            if p.matches(&path) {
                excluded = *exclude;
            }
        }
        excluded
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        if self.anchored {
            return match_at(&self.pieces, path);
        }
        (0..=path.len())
            .filter(|i| path.is_char_boundary(*i))
            .any(|i| match_at(&self.pieces, &path[i..]))
    }
}

/// Whether `pieces` match a prefix of `s` (an unanchored end, like a regexp without `$`).
fn match_at(pieces: &[Piece], s: &str) -> bool {
    match pieces.split_first() {
        None => true,
        Some((Piece::Lit(l), rest)) => s
            .strip_prefix(l.as_str())
            .is_some_and(|r| match_at(rest, r)),
        Some((Piece::Any, rest)) => (0..=s.len())
            .filter(|i| s.is_char_boundary(*i))
            .any(|i| match_at(rest, &s[i..])),
    }
}

/// Directory names gopls never looks into for modules.
fn skipped_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('_')
        || matches!(name, "vendor" | "testdata" | "node_modules")
}

/// Walks `folder` for go.mod and go.work files and looks above it.
pub fn layout(folder: &Path, filters: &DirectoryFilters) -> Layout {
    layout_bounded(folder, filters, MAX_DIRS, MAX_WALK)
}

/// [`layout`] with explicit bounds.
pub fn layout_bounded(
    folder: &Path,
    filters: &DirectoryFilters,
    max_dirs: usize,
    max_walk: Duration,
) -> Layout {
    let started = Instant::now();
    let mut out = Layout {
        folder: folder.to_path_buf(),
        ..Layout::default()
    };
    let mut stack: Vec<(PathBuf, String)> = vec![(folder.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        if out.dirs_walked >= max_dirs {
            out.truncated = Some(format!(
                "the search for go.mod and go.work files stopped after {max_dirs} directories"
            ));
            break;
        }
        if out.dirs_walked % 256 == 255 && started.elapsed() > max_walk {
            out.truncated = Some(format!(
                "the search for go.mod and go.work files stopped after {} s ({} directories read)",
                max_walk.as_secs(),
                out.dirs_walked
            ));
            break;
        }
        out.dirs_walked += 1;
        let Ok(entries) = std::fs::read_dir(&dir) else {
            // Unreadable (permissions) or gone: gopls skips it too.
            continue;
        };
        let mut subdirs = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if skipped_name(name) {
                    continue;
                }
                let child_rel = if rel.is_empty() {
                    name.to_string()
                } else {
                    format!("{rel}/{name}")
                };
                if filters.excludes(&child_rel) {
                    continue;
                }
                subdirs.push((entry.path(), child_rel));
            } else if name == "go.mod" || name == "go.work" {
                // A symlinked go.mod counts (cmd/go opens it through the link).
                let path = entry.path();
                if name == "go.mod" {
                    out.mod_files.push(path);
                } else {
                    out.work_files.push(path);
                }
            }
        }
        // Depth first, in name order (the stack pops the last pushed first).
        subdirs.sort();
        stack.extend(subdirs.into_iter().rev());
    }
    out.mod_files.sort();
    out.work_files.sort();
    let has_mod = out.mod_files.iter().any(|p| p.parent() == Some(folder));
    let has_work = out.work_files.iter().any(|p| p.parent() == Some(folder));
    for dir in folder.ancestors().skip(1) {
        if !has_mod && out.mod_above.is_none() && is_file(&dir.join("go.mod")) {
            out.mod_above = Some(dir.join("go.mod"));
        }
        if !has_work && out.work_above.is_none() && is_file(&dir.join("go.work")) {
            out.work_above = Some(dir.join("go.work"));
        }
    }
    out
}

fn is_file(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file())
}

/// Reads every file of `layout` (unsaved buffer text in `overrides` first), the go.work files
/// in `extra_works` (a side's GOWORK), and every directory a go.work `use`s.
pub fn read(layout: &Layout, extra_works: &[PathBuf], overrides: &Overrides) -> Discovered {
    let folder = layout.folder.as_path();
    let own_mod = folder.join("go.mod");
    let own_work = folder.join("go.work");
    let mut d = Discovered::default();
    d.workspace.truncated = layout.truncated.clone();
    d.go_mod = if layout.mod_files.contains(&own_mod) {
        read_mod(&own_mod, overrides)
    } else {
        layout
            .mod_above
            .as_deref()
            .and_then(|p| read_mod(p, overrides))
    };
    d.go_work = if layout.work_files.contains(&own_work) {
        read_mod(&own_work, overrides)
    } else {
        layout
            .work_above
            .as_deref()
            .and_then(|p| read_mod(p, overrides))
    };
    let governing = d.go_mod.as_ref().map(|m| m.path.clone());
    let own_work_path = d.go_work.as_ref().map(|w| w.path.clone());
    for p in &layout.mod_files {
        if Some(p) != governing.as_ref() {
            d.workspace
                .modules
                .extend(read_mod(p, overrides).map(std::sync::Arc::new));
        }
    }
    let mut work_paths: Vec<&PathBuf> = layout.work_files.iter().chain(extra_works).collect();
    work_paths.sort();
    work_paths.dedup();
    for p in work_paths {
        if Some(p) != own_work_path.as_ref() {
            d.workspace.works.extend(read_mod(p, overrides));
        }
    }
    resolve_uses(&d.go_mod, &d.go_work, &mut d.workspace, overrides);
    d.workspace.modules.sort_by(|a, b| a.path.cmp(&b.path));
    d.workspace.works.sort_by(|a, b| a.path.cmp(&b.path));
    d
}

/// Resolves every `use` of every go.work: a module already read, or the directory stat'ed (and
/// its go.mod read when it lies outside the walk).
/// Resolves every `use` of every go.work not resolved yet: a module already read, or the
/// directory stat'ed (and its go.mod read when it lies outside the walk).
pub fn resolve_uses(
    go_mod: &Option<GoModFacts>,
    go_work: &Option<GoModFacts>,
    ws: &mut WorkspaceFacts,
    overrides: &Overrides,
) {
    let mut workspace = std::mem::take(ws);
    let governing = go_mod.as_ref();
    let mut known: BTreeMap<PathBuf, ()> = governing
        .into_iter()
        .chain(workspace.modules.iter().map(|m| &**m))
        .filter_map(|m| m.path.parent().map(|p| (p.to_path_buf(), ())))
        .collect();
    let works: Vec<GoModFacts> = go_work.iter().chain(&workspace.works).cloned().collect();
    for w in &works {
        let Some(base) = w.path.parent() else {
            continue;
        };
        for u in &w.uses {
            let dir = settings::gomod::use_dir(base, &u.value);
            let key = dir.to_string_lossy().into_owned();
            if workspace.use_dirs.contains_key(&key) {
                continue;
            }
            let target = if known.contains_key(&dir) {
                UseTarget::Module
            } else if !std::fs::metadata(&dir).is_ok_and(|m| m.is_dir()) {
                UseTarget::Missing
            } else {
                match read_mod(&dir.join("go.mod"), overrides) {
                    Some(m) => {
                        workspace.modules.push(std::sync::Arc::new(m));
                        known.insert(dir.clone(), ());
                        UseTarget::Module
                    }
                    None => UseTarget::NoGoMod,
                }
            };
            workspace.use_dirs.insert(key, target);
        }
    }
    *ws = workspace;
}

/// One go.mod/go.work as it is on disk now (`None`: gone).
pub fn read_one(path: &Path) -> Option<GoModFacts> {
    read_mod(path, &Overrides::new())
}

fn read_mod(path: &Path, overrides: &Overrides) -> Option<GoModFacts> {
    if let Some(text) = overrides.get(path) {
        return Some(settings::gomod::parse(path, text));
    }
    match fs::read_text(path) {
        Ok(text) => Some(settings::gomod::parse(path, &text)),
        Err(fs::ReadError::NotFound) => None,
        Err(fs::ReadError::Refused(why)) => Some(settings::gomod::unreadable(path, &why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(raw: &[&str]) -> DirectoryFilters {
        DirectoryFilters::new(&raw.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_walk_cut_by_its_bound_says_so_and_keeps_what_it_found() {
        let tmp = std::env::temp_dir().join(format!("ged-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        for i in 0..20 {
            let d = tmp.join(format!("m{i:02}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("go.mod"), "module m\n").unwrap();
        }
        let whole = layout(&tmp, &DirectoryFilters::default());
        assert_eq!((whole.mod_files.len(), whole.truncated), (20, None));
        let cut = layout_bounded(&tmp, &DirectoryFilters::default(), 6, MAX_WALK);
        assert_eq!(cut.dirs_walked, 6);
        assert_eq!(
            cut.mod_files.len(),
            5,
            "the folder itself and 5 modules were read"
        );
        assert_eq!(
            cut.truncated.as_deref(),
            Some("the search for go.mod and go.work files stopped after 6 directories")
        );
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn directory_filters_like_gopls() {
        let nm = f(&["-**/node_modules"]);
        assert!(nm.excludes("node_modules"));
        assert!(nm.excludes("a/b/node_modules"));
        assert!(nm.excludes("a/node_modules/x"));
        assert!(!nm.excludes("a/node_modules2"));
        let prefix = f(&["-gen"]);
        assert!(prefix.excludes("gen"));
        assert!(prefix.excludes("gen/x"));
        assert!(!prefix.excludes("x/gen"));
        assert!(!prefix.excludes("generated"));
        let mid = f(&["-a/**/b"]);
        assert!(mid.excludes("a/x/b"));
        assert!(mid.excludes("a/x/y/b/c"));
        let last_wins = f(&["-svc", "+svc/keep"]);
        assert!(last_wins.excludes("svc/drop"));
        assert!(!last_wins.excludes("svc/keep"));
        assert!(!last_wins.excludes("svc/keep/sub"));
        let invalid = f(&["svc", "-sv*"]);
        assert!(!invalid.excludes("svc"));
    }
}
