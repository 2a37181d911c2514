//! go.work workspaces, as cmd/go's modload and gopls see them: which go.work each side uses
//! for a module, and what makes every go command of a workspace fail —
//! gowork-go-too-low, gowork-use-missing, gowork-module-not-used, gowork-mismatch — plus
//! workspace-walk-truncated when the search for modules was cut short.
//!
//! A side uses the go.work its GOWORK names (`off`: none), else the nearest one at or above the
//! module's directory. A module the active go.work does not `use` gets cmd/go's "current
//! directory is contained in a module that is not one of the workspace modules" on every
//! command, while gopls (v0.15 on) loads it in a view of its own with GOWORK=off.

use super::resolve::{self, EffectiveSide};
use super::{finding, Ctx};
use crate::model::{
    EnvValue, Finding, Fix, FixAction, GoModFacts, GoWorkEdit, Location, Origin, SideKind,
    Snapshot, UseTarget,
};
use crate::settings::gomod::{is_under, parse_version, use_dir};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The go version a go.work without a `go` line stands for (gover.DefaultGoWorkVersion).
const DEFAULT_GO_WORK_VERSION: &str = "1.18";

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    truncated(ctx, &mut out);
    let ix = ctx.workspace();
    for w in ix.active_works() {
        if w.error.is_some() {
            continue;
        }
        let sides = ix.sides_using(ctx, w);
        let dirs = ix.uses_of(w).unwrap_or_default();
        dead_uses(ctx, ix, w, dirs, &sides, &mut out);
        go_too_low(ctx, ix, w, dirs, &sides, &mut out);
    }
    not_used(ctx, ix, &mut out);
    mismatch(ctx, &mut out);
    out
}

/// A side's GOWORK as configured (environment, env file, editor settings); `None` when nothing
/// sets it and cmd/go looks for a go.work itself.
pub fn configured_gowork(side: &EffectiveSide) -> Option<&EnvValue> {
    side.get("GOWORK")
        .filter(|v| !matches!(v.origin, Origin::Default) && !v.value.is_empty())
}

/// Whether `b` would build the same [`Index`] as `a`: the same folder, go.mod and go.work
/// files, and on each side the same kind of Go command and the same GOWORK setting.
pub(super) fn same_inputs(a: &Ctx, b: &Ctx) -> bool {
    let (s, t) = (a.snapshot, b.snapshot);
    let sides = |c: &Ctx| -> Vec<(SideKind, bool, Option<String>)> {
        c.sides()
            .map(|side| {
                (
                    side.kind,
                    runs_cmd_go(side),
                    configured_gowork(side).map(|v| v.value.clone()),
                )
            })
            .collect()
    };
    let modules = |s: &Snapshot| s.workspace.modules.len();
    s.folder == t.folder
        && s.go_mod == t.go_mod
        && s.go_work == t.go_work
        && modules(s) == modules(t)
        && s.workspace
            .modules
            .iter()
            .zip(&t.workspace.modules)
            .all(|(x, y)| std::sync::Arc::ptr_eq(x, y) || x == y)
        && s.workspace.works == t.workspace.works
        && sides(a) == sides(b)
}

/// cmd/go itself (a terminal, a login shell) rather than an editor's gopls.
fn runs_cmd_go(side: &EffectiveSide) -> bool {
    side.kind == SideKind::Shell || crate::model::is_process_side(&side.label)
}

/// A lexically clean path's bytes: what the index hashes and compares. `Path`'s own `Hash` and
/// `Eq` go component by component, which a thousand-module check would pay thousands of times
/// per pass (and once per simulated fix); the walk and `use_dir` give clean paths, so their
/// bytes decide equality (as in `is_under`).
fn key(p: &Path) -> &[u8] {
    p.as_os_str().as_encoded_bytes()
}

/// Which go.work decides for each module in scope on each side, computed once per check: a
/// monorepo has a thousand modules and a go.work that uses them all, and several rules ask.
pub struct Index<'a> {
    /// Modules in scope (under the folder, or governing it) with their directories.
    modules: Vec<(&'a GoModFacts, &'a Path)>,
    works: Vec<&'a GoModFacts>,
    /// The directory of each `use` line of each of `works`, in file order.
    use_dirs: Vec<Vec<PathBuf>>,
    /// Whether each of `works` uses each of `modules` (by position in both).
    used: Vec<Vec<bool>>,
    /// Every module read (in scope or not) by its directory's [`key`].
    by_dir: HashMap<&'a [u8], &'a GoModFacts>,
    sides: Vec<SideIndex>,
    /// `modules[0]` is the go.mod governing the folder.
    governing: bool,
}

struct SideIndex {
    kind: SideKind,
    /// cmd/go itself (a terminal, a login shell) rather than an editor's gopls.
    cmd_go: bool,
    /// The active go.work (an index into `works`) of each module, in `modules` order.
    module_work: Vec<Option<usize>>,
    folder_work: Option<usize>,
}

impl<'a> Index<'a> {
    pub fn new<'s>(s: &'a Snapshot, sides: impl Iterator<Item = &'s EffectiveSide>) -> Index<'a> {
        let modules: Vec<(&GoModFacts, &Path)> = crate::goenv::modules_in_scope(s).collect();
        let works: Vec<&GoModFacts> = s.all_works().collect();
        let use_dirs: Vec<Vec<PathBuf>> = works
            .iter()
            .map(|w| {
                let base = w.path.parent().unwrap_or(Path::new("/"));
                w.uses.iter().map(|u| use_dir(base, &u.value)).collect()
            })
            .collect();
        let used = use_dirs
            .iter()
            .map(|dirs| {
                let dirs: HashSet<&[u8]> = dirs.iter().map(|d| key(d)).collect();
                modules.iter().map(|(_, d)| dirs.contains(key(d))).collect()
            })
            .collect();
        let depth: Vec<usize> = works.iter().map(|w| w.path.components().count()).collect();
        let sides = sides
            .map(|side| {
                let active = |dir: &Path| -> Option<usize> {
                    match configured_gowork(side) {
                        Some(v) if v.value == "off" => None,
                        Some(v) => works.iter().position(|w| w.path == Path::new(&v.value)),
                        None => (0..works.len())
                            .filter(|i| works[*i].path.parent().is_some_and(|wd| is_under(dir, wd)))
                            .max_by_key(|i| depth[*i]),
                    }
                };
                SideIndex {
                    kind: side.kind,
                    cmd_go: runs_cmd_go(side),
                    module_work: modules.iter().map(|(_, d)| active(d)).collect(),
                    folder_work: active(&s.folder),
                }
            })
            .collect();
        let by_dir = s
            .all_modules()
            .filter_map(|m| Some((key(m.path.parent()?), m)))
            .collect();
        Index {
            modules,
            works,
            use_dirs,
            used,
            by_dir,
            sides,
            governing: s.go_mod.is_some(),
        }
    }

    /// The go.work `side` uses for the folder's own module (else for the folder itself).
    fn folder_work(&self, side: &EffectiveSide) -> Option<&'a GoModFacts> {
        let x = self.side(side)?;
        let wi = if self.governing {
            x.module_work.first().copied().flatten()
        } else {
            x.folder_work
        };
        wi.map(|i| self.works[i])
    }

    /// The directory of each `use` line of go.work `w`, in file order.
    fn uses_of(&self, w: &GoModFacts) -> Option<&[PathBuf]> {
        let wi = self.works.iter().position(|x| x.path == w.path)?;
        self.use_dirs.get(wi).map(Vec::as_slice)
    }

    fn side(&self, side: &EffectiveSide) -> Option<&SideIndex> {
        self.sides.iter().find(|x| x.kind == side.kind)
    }

    /// Whether the `wi`th go.work uses the `mi`th module in scope.
    fn uses(&self, wi: usize, mi: usize) -> bool {
        self.used
            .get(wi)
            .and_then(|u| u.get(mi))
            .copied()
            .unwrap_or(false)
    }

    /// The module read in `dir`, if any.
    fn module_in(&self, dir: &Path) -> Option<&'a GoModFacts> {
        self.by_dir.get(key(dir)).copied()
    }

    /// The file whose `go`/`toolchain` lines decide which Go runs for each module on `side`:
    /// the go.work that uses the module, else its go.mod. Each file once, in module order.
    pub fn deciding_files(&self, side: &EffectiveSide) -> Vec<&'a GoModFacts> {
        let Some(x) = self.side(side) else {
            return Vec::new();
        };
        let mut out: Vec<&GoModFacts> = Vec::new();
        let mut seen: HashSet<&[u8]> = HashSet::new();
        for (mi, (m, wi)) in self.modules.iter().zip(&x.module_work).enumerate() {
            // cmd/go stays in workspace mode for a module its go.work does not use (and then
            // refuses it); gopls loads such a module with GOWORK=off, so an editor reads its
            // go.mod.
            let file = match wi {
                Some(wi) if x.cmd_go || self.uses(*wi, mi) => self.works[*wi],
                _ => m.0,
            };
            if seen.insert(key(&file.path)) {
                out.push(file);
            }
        }
        if out.is_empty() {
            // A folder holding only a go.work (its modules elsewhere).
            out.extend(x.folder_work.map(|wi| self.works[wi]));
        }
        out
    }

    /// Every go.work some side uses for some module in scope (or for the folder).
    fn active_works(&self) -> Vec<&'a GoModFacts> {
        let mut active: Vec<usize> = self
            .sides
            .iter()
            .flat_map(|x| x.module_work.iter().chain(std::iter::once(&x.folder_work)))
            .flatten()
            .copied()
            .collect();
        active.sort_unstable();
        active.dedup();
        active.into_iter().map(|i| self.works[i]).collect()
    }

    /// The sides that use go.work `w` for some directory.
    fn sides_using<'c>(&self, ctx: &'c Ctx, w: &GoModFacts) -> Vec<&'c EffectiveSide> {
        let Some(wi) = self.works.iter().position(|x| x.path == w.path) else {
            return Vec::new();
        };
        ctx.sides()
            .filter(|side| {
                self.side(side)
                    .is_some_and(|x| x.folder_work == Some(wi) || x.module_work.contains(&Some(wi)))
            })
            .collect()
    }
}

fn set_sides(ctx: &Ctx, f: &mut Finding, sides: &[&EffectiveSide]) {
    for side in sides {
        f.set_side(side.kind, ctx.side_value(side, "GOWORK"));
    }
}

fn line_loc(l: &crate::model::Line<String>) -> Location {
    Location {
        path: l.span.file.clone(),
        line: l.line,
        column: l.span.column,
        span: Some((l.span.start, l.span.end)),
    }
}

fn file_start(path: &Path) -> Location {
    Location {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        span: None,
    }
}

/// Where a finding about a go.mod/go.work as a whole goes: its `go` line, else its first line.
fn head_loc(m: &GoModFacts) -> Location {
    m.module
        .as_ref()
        .or(m.go.as_ref())
        .map(line_loc)
        .unwrap_or_else(|| file_start(&m.path))
}

/// A path as the user reads it: relative to the folder when inside it.
pub(super) fn shown(s: &Snapshot, p: &Path) -> String {
    match p.strip_prefix(&s.folder) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => resolve::tilde(s, p),
    }
}

/// The go.work-relative name cmd/go prints for a used directory (`base.ShortPath` from the
/// go.work's directory): `svc/a`, `.`, `../lib`.
fn short(w_dir: &Path, dir: &Path) -> String {
    if let Ok(rel) = dir.strip_prefix(w_dir) {
        return if rel.as_os_str().is_empty() {
            ".".into()
        } else {
            rel.display().to_string()
        };
    }
    let mut up = PathBuf::new();
    for anc in w_dir.ancestors().skip(1) {
        up.push("..");
        if let Ok(rel) = dir.strip_prefix(anc) {
            return up.join(rel).display().to_string();
        }
    }
    dir.display().to_string()
}

/// `./svc/a` for a directory under the go.work's, as `go work use` writes it.
fn use_spelling(w_dir: &Path, dir: &Path) -> String {
    let s = short(w_dir, dir);
    if s == "." || s.starts_with("..") || Path::new(&s).is_absolute() {
        s
    } else {
        format!("./{s}")
    }
}

fn truncated(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(why) = &ctx.snapshot.workspace.truncated else {
        return;
    };
    let mut f = finding(
        "workspace-walk-truncated",
        "workspace",
        format!(
            "Not every module of {} was checked: {why}. Modules deeper in the tree may have problems this report does not show; exclude generated or vendored trees with gopls' `directoryFilters` (e.g. \"-third_party\"), or open the module you work on as the folder.",
            resolve::tilde(ctx.snapshot, &ctx.snapshot.folder)
        ),
    );
    f.locations.extend(ctx.module_location());
    out.push(f);
}

/// `use` lines naming a directory that is gone or holds no go.mod.
fn dead_uses(
    ctx: &Ctx,
    ix: &Index,
    w: &GoModFacts,
    dirs: &[PathBuf],
    sides: &[&EffectiveSide],
    out: &mut Vec<Finding>,
) {
    let Some(base) = w.path.parent() else { return };
    for (u, dir) in w.uses.iter().zip(dirs) {
        if ix.module_in(dir).is_some() {
            continue;
        }
        let target = dir
            .to_str()
            .and_then(|d| ctx.snapshot.workspace.use_dirs.get(d).copied());
        let what = match target {
            Some(UseTarget::Missing) => "does not exist",
            Some(UseTarget::NoGoMod) => "has no go.mod",
            _ => continue,
        };
        let name = short(base, dir);
        let message = format!(
            "{} uses {}, which {what}: every go command in this workspace fails with \"go: cannot load module {name} listed in go.work file: open {name}/go.mod: no such file or directory\".",
            shown(ctx.snapshot, &w.path),
            u.value,
        );
        let mut f = finding(
            "gowork-use-missing",
            &format!("{} use {}", shown(ctx.snapshot, &w.path), u.value),
            message,
        );
        set_sides(ctx, &mut f, sides);
        f.locations.push(line_loc(u));
        f.fixes.push(Fix {
            title: format!(
                "Remove `use {}` from {}",
                u.value,
                shown(ctx.snapshot, &w.path)
            ),
            action: FixAction::EditGoWork {
                file: w.path.clone(),
                edit: GoWorkEdit::DropUse {
                    dir: u.value.clone(),
                },
            },
        });
        out.push(f);
    }
}

/// Used modules whose `go` line is above the go.work's (modload's workspace check, Go 1.21 on).
fn go_too_low(
    ctx: &Ctx,
    ix: &Index,
    w: &GoModFacts,
    dirs: &[PathBuf],
    sides: &[&EffectiveSide],
    out: &mut Vec<Finding>,
) {
    let Some(base) = w.path.parent() else { return };
    let work_go =
        w.go.as_ref()
            .map(|l| l.value.clone())
            .unwrap_or_else(|| DEFAULT_GO_WORK_VERSION.to_string());
    let Some(work_v) = parse_version(&work_go) else {
        return;
    };
    let mut above: Vec<(&GoModFacts, crate::settings::gomod::GoVersion)> = Vec::new();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    for dir in dirs {
        let Some(m) = ix.module_in(dir) else {
            continue;
        };
        let Some(mv) = m.go.as_ref().and_then(|l| parse_version(&l.value)) else {
            continue;
        };
        if mv > work_v && seen.insert(key(&m.path)) {
            above.push((m, mv));
        }
    }
    // The highest requirement first: it is what the go line must reach.
    above.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.path.cmp(&b.0.path)));
    let Some((top, top_v)) = above.first() else {
        return;
    };
    let top_dir = top.path.parent().unwrap_or(base);
    let required = top.go.as_ref().map(|l| l.value.clone()).unwrap_or_default();
    let lists = if w.go.is_some() {
        format!("go.work lists go {work_go}")
    } else {
        format!("go.work implicitly requires go {work_go}")
    };
    let mut message = format!(
        "{} lists go {work_go} but uses {}, which requires go {required}: every go command in this workspace fails with \"go: module {} listed in go.work file requires go >= {required}, but {lists}; to update it: go work use\".",
        shown(ctx.snapshot, &w.path),
        short(base, top_dir),
        short(base, top_dir),
    );
    if above.len() > 1 {
        let others: Vec<String> = above[1..]
            .iter()
            .take(5)
            .map(|(m, v)| format!("{} (go {v})", short(base, m.path.parent().unwrap_or(base))))
            .collect();
        let more = above.len().saturating_sub(6);
        message.push_str(&format!(
            " {} other used module{} also require{} more than go {work_go}: {}{}.",
            above.len() - 1,
            if above.len() > 2 { "s" } else { "" },
            if above.len() > 2 { "" } else { "s" },
            others.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    // A go.work without a go line gets one where the top module's is (only its place differs).
    let go_line = w.go.as_ref().or(top.go.as_ref());
    let stuck: Vec<&EffectiveSide> = sides
        .iter()
        .copied()
        .filter(|side| {
            go_line.is_some_and(|l| super::toolchain::too_old_for(ctx, side, w, l, &required))
        })
        .collect();
    if let Some(first) = stuck.first() {
        message.push_str(&format!(
            " Raising the go line alone does not help {}: {} go{} may not switch to a newer Go (GOTOOLCHAIN={}), so every command would then fail with \"go: go.work requires go >= {required}\"; give {} a Go of at least {required}.",
            resolve::who(&stuck),
            if stuck.len() > 1 { "their" } else { "its" },
            first.go_version.as_deref().unwrap_or("").trim_start_matches("go"),
            first.value("GOTOOLCHAIN"),
            if stuck.len() > 1 { "them" } else { "it" },
        ));
    }
    let mut f = finding("gowork-go-too-low", &shown(ctx.snapshot, &w.path), message);
    set_sides(ctx, &mut f, sides);
    f.locations.push(
        w.go.as_ref()
            .map(line_loc)
            .unwrap_or_else(|| file_start(&w.path)),
    );
    for (m, _) in &above {
        f.locations.extend(m.go.as_ref().map(line_loc));
    }
    f.fixes.push(Fix {
        title: format!(
            "Raise the go line of {} to {top_v} (what `go work use` does)",
            shown(ctx.snapshot, &w.path)
        ),
        action: FixAction::EditGoWork {
            file: w.path.clone(),
            edit: GoWorkEdit::SetGo {
                version: required.clone(),
            },
        },
    });
    out.push(f);
}

/// Modules in scope under a go.work that does not use them, per go.work: one finding listing
/// them, on the go.work (where the fix goes) with each module as a further location.
fn not_used(ctx: &Ctx, ix: &Index, out: &mut Vec<Finding>) {
    let s = ctx.snapshot;
    // go.work → (modules, sides).
    let mut groups: Vec<(&GoModFacts, Vec<&GoModFacts>, Vec<&EffectiveSide>)> = Vec::new();
    let mut listed: HashSet<(usize, &[u8])> = HashSet::new();
    for side in ctx.sides() {
        let Some(x) = ix.side(side) else { continue };
        for (mi, ((m, _), wi)) in ix.modules.iter().zip(&x.module_work).enumerate() {
            let Some(wi) = *wi else { continue };
            let w = ix.works[wi];
            if w.error.is_some() || ix.uses(wi, mi) {
                continue;
            }
            // A go.work a side names by GOWORK for a module outside its tree is the user's
            // explicit choice for other modules; cmd/go still refuses, so it counts too.
            let g = match groups.iter().position(|g| g.0.path == w.path) {
                Some(i) => i,
                None => {
                    groups.push((w, Vec::new(), Vec::new()));
                    groups.len() - 1
                }
            };
            if listed.insert((g, key(&m.path))) {
                groups[g].1.push(m);
            }
            if !groups[g].2.iter().any(|x| x.kind == side.kind) {
                groups[g].2.push(side);
            }
        }
    }
    for (w, modules, sides) in groups {
        let Some(base) = w.path.parent() else {
            continue;
        };
        let names: Vec<String> = modules
            .iter()
            .take(5)
            .map(|m| shown(s, m.path.parent().unwrap_or(base)))
            .collect();
        let count = modules.len();
        let listed = if count > 5 {
            format!("{} and {} more", names.join(", "), count - 5)
        } else {
            names.join(", ")
        };
        let gopls = if sides.iter().any(|side| side.kind == SideKind::Editor)
            && !crate::model::is_process_side(&ctx.snapshot.editor.label)
        {
            " gopls loads such a module on its own with GOWORK=off, without the go.work's `replace` lines, so the editor and `go build` disagree."
        } else {
            ""
        };
        let failure = "go commands there fail with \"current directory is contained in a module that is not one of the workspace modules listed in go.work. You can add the module to the workspace using: go work use .\"";
        let message = if count == 1 {
            format!(
                "The module in {listed} is under {} but not one of its `use` directories: {failure}.{gopls}",
                shown(s, &w.path)
            )
        } else {
            format!(
                "{count} modules ({listed}) are under {} but not among its `use` directories: {failure}.{gopls}",
                shown(s, &w.path)
            )
        };
        let mut f = finding("gowork-module-not-used", &shown(s, &w.path), message);
        set_sides(ctx, &mut f, &sides);
        f.locations.push(head_loc(w));
        for m in &modules {
            f.locations.push(head_loc(m));
        }
        let dirs: Vec<String> = modules
            .iter()
            .filter_map(|m| m.path.parent())
            .map(|d| use_spelling(base, d))
            .collect();
        f.fixes.push(Fix {
            title: if count == 1 {
                format!("Add `use {}` to {}", dirs.join(""), shown(s, &w.path))
            } else {
                format!(
                    "Add the {count} modules to {} (`use` lines)",
                    shown(s, &w.path)
                )
            },
            action: FixAction::EditGoWork {
                file: w.path.clone(),
                edit: GoWorkEdit::AddUse { dirs },
            },
        });
        out.push(f);
    }
}

/// The editor and the shell use different go.work files (or one of them none) for the folder.
fn mismatch(ctx: &Ctx, out: &mut Vec<Finding>) {
    let (Some(editor), Some(shell)) = (&ctx.editor, &ctx.shell) else {
        return;
    };
    if !ctx.snapshot.shell.as_ref().is_some_and(resolve::probe_ok) {
        return;
    }
    let s = ctx.snapshot;
    let ix = ctx.workspace();
    let e = ix.folder_work(editor).map(|w| w.path.clone());
    let sh = ix.folder_work(shell).map(|w| w.path.clone());
    if e == sh {
        return;
    }
    let words = |side: &EffectiveSide, w: &Option<PathBuf>| -> String {
        let how = match configured_gowork(side) {
            Some(v) => format!(
                "GOWORK={} ({})",
                crate::redact::redact(&v.value),
                resolve::origin_words(s, &side.label, "GOWORK", &v.origin)
            ),
            None => "no GOWORK".to_string(),
        };
        match w {
            Some(p) => format!("{} uses {} ({how})", side.label, shown(s, p)),
            None => format!("{} uses no go.work ({how})", side.label),
        }
    };
    let message = format!(
        "{}, but {}: the two build this module with different module sets and `replace` lines, so results in the editor differ from the terminal's.",
        words(editor, &e),
        words(shell, &sh)
    );
    let mut f = finding("gowork-mismatch", "GOWORK", message);
    set_sides(ctx, &mut f, &[editor, shell]);
    let origins: Vec<&Origin> = [editor, shell]
        .iter()
        .filter_map(|side| configured_gowork(side).map(|v| &v.origin))
        .collect();
    f.locations = ctx.locations(&origins);
    if let Some(v) = configured_gowork(editor) {
        if let Some(key) = v.origin.setting_key() {
            f.fixes.extend(super::goroot::remove_settings(ctx, key, ""));
        }
    }
    out.push(f);
}
