//! The build cache (golang/go's cmd/go/internal/cache): `gocache-relative`, `gocache-off`,
//! `gocache-unlocatable`, `gocache-unwritable`, `gocache-not-a-directory`, `gocache-network-fs`,
//! `gocache-foreign-owner`, `gocache-mismatch`.
//!
//! Everything is decided on the *raw* GOCACHE with its origin (resolve's layers), never on
//! `go env GOCACHE`, which prints `off` for a relative or unlocatable cache too.
//!
//! Decisions:
//! - A missing cache directory is no problem when its nearest existing ancestor is writable:
//!   cmd/go creates it (`os.MkdirAll`). So "create the directory" is only offered for a
//!   GOCACHE that is a dangling symlink (MkdirAll fails with `file exists` there): creating
//!   the symlink's target repairs it.
//! - An unwritable cache is `gocache-unwritable` (error) whoever owns it; `gocache-foreign-owner`
//!   (warning) is for a populated cache owned by another uid that is still writable (e.g. a
//!   group-writable shared cache, or go running as root in a user's cache).
//!   "Populated" is the facts' `populated`: entries owned by another uid than go's (entries
//!   go wrote itself it can replace). Its first fix empties the cache (`go clean -cache`): the
//!   other uid's entries go, the cache stays where the user put it, and what go writes next
//!   is its own. Only this finding gets it: cleaning does not make an unwritable cache
//!   writable, move a cache off NFS, or make two caches one.
//! - `gocache-network-fs` is reported only for an otherwise usable cache.
//! - `gocache-mismatch` compares usable cache paths only (after symlinks, trailing separators
//!   and case on case-insensitive filesystems); its fixes make the editor follow the shell.

use super::paths::{self, emit, Issue};
use super::resolve::{self, EffectiveSide};
use super::{finding, Ctx};
use crate::model::{EnvValue, FileKind, Finding, Fix, FixAction, FsType, Origin, SideKind};
use std::path::{Path, PathBuf};

const KEY: &str = "GOCACHE";

/// What a side's GOCACHE amounts to.
#[derive(Debug, Clone, PartialEq)]
enum State {
    Off,
    Relative,
    /// No GOCACHE and a relative XDG_CACHE_HOME.
    XdgRelative {
        xdg: String,
    },
    /// No GOCACHE and no HOME / XDG_CACHE_HOME (LocalAppData on Windows).
    Unlocatable,
    Dir(String),
}

fn state(side: &EffectiveSide) -> (State, EnvValue) {
    let ev = side.get(KEY).cloned().unwrap_or(EnvValue {
        value: String::new(),
        origin: Origin::Default,
    });
    let configured = !matches!(ev.origin, Origin::Default);
    let st = if configured && ev.value == "off" {
        State::Off
    } else if configured && !Path::new(&ev.value).is_absolute() {
        State::Relative
    } else if ev.value.is_empty() {
        State::Unlocatable
    } else if !Path::new(&ev.value).is_absolute() {
        let xdg = side
            .process_env
            .get("XDG_CACHE_HOME")
            .cloned()
            .unwrap_or_default();
        State::XdgRelative { xdg }
    } else {
        State::Dir(ev.value.clone())
    };
    (st, ev)
}

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let snapshot = ctx.snapshot;
    let mut by_code: Vec<(&'static str, Issue)> = Vec::new();
    let mut dirs: Vec<(&EffectiveSide, String, EnvValue)> = Vec::new();
    for side in paths::go_sides(ctx) {
        let (st, ev) = state(side);
        match &st {
            State::Off => by_code.push(("gocache-off", redirect_issue(ctx, side, &ev, ""))),
            State::Relative => {
                by_code.push(("gocache-relative", redirect_issue(ctx, side, &ev, "")))
            }
            State::XdgRelative { xdg } => {
                by_code.push(("gocache-relative", locate_issue(ctx, side, &ev, xdg)))
            }
            State::Unlocatable => {
                by_code.push(("gocache-unlocatable", locate_issue(ctx, side, &ev, "")))
            }
            State::Dir(dir) => {
                if let Some((code, detail, extra)) = dir_problem(ctx, dir) {
                    let mut issue = redirect_issue(ctx, side, &ev, &detail);
                    // Creating the target of a dangling symlink goes first.
                    if let Some(fix) = extra {
                        issue.fixes.insert(0, fix);
                    }
                    by_code.push((code, issue));
                } else {
                    dirs.push((side, dir.clone(), ev.clone()));
                }
                if let Some((code, detail)) = dir_warning(ctx, dir) {
                    let mut issue = redirect_issue(ctx, side, &ev, &detail);
                    issue.detail = detail;
                    if code == "gocache-foreign-owner" {
                        // Emptying the cache removes the other uid's entries and keeps the
                        // user's choice of cache: it goes first.
                        issue.fixes.insert(0, clean_cache_fix(dir));
                    }
                    by_code.push((code, issue));
                }
            }
        }
    }
    let mut out = Vec::new();
    for code in [
        "gocache-off",
        "gocache-relative",
        "gocache-unlocatable",
        "gocache-not-a-directory",
        "gocache-unwritable",
        "gocache-network-fs",
        "gocache-foreign-owner",
    ] {
        let issues: Vec<Issue> = by_code
            .iter()
            .filter(|(c, _)| *c == code)
            .map(|(_, i)| i.clone())
            .collect();
        out.extend(emit(ctx, code, KEY, issues, |issue, who| {
            message(code, issue, &who.names, who.verb("uses", "use"), who.plural)
        }));
    }
    if let [(a, da, ea), (b, db, eb)] = dirs.as_slice() {
        if !resolve::same_path(snapshot, da, db) {
            let (editor, shell) = if a.kind == SideKind::Editor {
                ((*a, da, ea), (*b, db, eb))
            } else {
                ((*b, db, eb), (*a, da, ea))
            };
            out.push(mismatch(ctx, editor, shell));
        }
    }
    out
}

fn message(code: &str, issue: &Issue, who: &str, uses: &str, plural: bool) -> String {
    let v = issue.side_value_text();
    let o = &issue.origin_words;
    let has = if plural { "have" } else { "has" };
    let their = if plural { "their" } else { "its" };
    match code {
        "gocache-off" => format!(
            "{who} {uses} GOCACHE=off ({o}): every build fails with `build cache is disabled by \
             GOCACHE=off, but required as of Go 1.12`."
        ),
        "gocache-relative" if !issue.detail.is_empty() => {
            let xdg = &issue.detail;
            let refused = "`build cache is required, but could not be located: path in \
                           $XDG_CACHE_HOME is relative`";
            let silent = format!(
                "builds into {}/go-build under whatever directory it runs in",
                xdg.trim_end_matches('/')
            );
            let what = match (issue.go_minor, &issue.side_value.go_version) {
                (Some(m), _) if m >= 24 => format!("builds fail with {refused}"),
                (Some(_), Some(v)) => {
                    format!("{v} silently {silent} (Go 1.24 and later fail with {refused})")
                }
                _ => format!("Go 1.24 and later fail with {refused}; older Go silently {silent}"),
            };
            format!(
                "{who} {has} no GOCACHE and XDG_CACHE_HOME {} ({o}) is relative: {what}.",
                paths::go_quote(xdg),
            )
        }
        "gocache-relative" => format!(
            "{who} {uses} GOCACHE {v} ({o}), which is not an absolute path: builds fail with \
             `build cache is required, but could not be located: GOCACHE is not an absolute \
             path` (and `go env GOCACHE` prints `off`)."
        ),
        "gocache-unlocatable" => {
            let (vars, err) = unlocatable_words();
            format!(
                "{who} {has} no GOCACHE and neither {vars} in {their} environment: builds fail \
                 with `build cache is required, but could not be located: GOCACHE is not \
                 defined and {err}` (and `go env GOCACHE` prints `off`)."
            )
        }
        _ => format!("{who} {uses} GOCACHE {v} ({o}): {}", issue.detail),
    }
}

fn unlocatable_words() -> (&'static str, &'static str) {
    if cfg!(windows) {
        ("%LocalAppData%", "%LocalAppData% is not defined")
    } else if cfg!(target_os = "macos") {
        ("HOME", "$HOME is not defined")
    } else {
        (
            "HOME nor XDG_CACHE_HOME",
            "neither $XDG_CACHE_HOME nor $HOME are defined",
        )
    }
}

/// The problem of a cache directory that makes builds fail: (code, explanation, extra fix).
fn dir_problem(ctx: &Ctx, dir: &str) -> Option<(&'static str, String, Option<Fix>)> {
    let snapshot = ctx.snapshot;
    let pf = resolve::path_facts(snapshot, dir)?;
    let init = format!("failed to initialize build cache at {dir}");
    if pf.symlink_loop {
        return Some((
            "gocache-not-a-directory",
            format!("it is a symlink loop, so builds fail with `{init}: mkdir {dir}: too many levels of symbolic links`."),
            None,
        ));
    }
    if pf.dangling_symlink {
        let target = symlink_target(dir, pf);
        let target_ok = target.as_ref().is_some_and(|t| {
            resolve::path_facts(snapshot, &t.to_string_lossy())
                .is_some_and(|tf| tf.exists && tf.kind == Some(FileKind::Dir))
        });
        if !target_ok {
            let chain: Vec<String> = std::iter::once(dir.to_string())
                .chain(
                    pf.symlink_chain
                        .iter()
                        .map(|h| h.target.display().to_string()),
                )
                .collect();
            let fix = target.filter(|t| creatable(ctx, t)).map(|t| Fix {
                title: format!("Create the directory {}", t.display()),
                action: FixAction::CreateDirectory { path: t },
            });
            return Some((
                "gocache-not-a-directory",
                format!(
                    "it is a symlink that points nowhere ({}), so builds fail with `{init}: \
                     mkdir {dir}: file exists`.",
                    chain.join(" → ")
                ),
                fix,
            ));
        }
        return None;
    }
    if pf.exists && pf.kind != Some(FileKind::Dir) {
        return Some((
            "gocache-not-a-directory",
            format!("it is a file, not a directory, so builds fail with `{init}: mkdir {dir}: not a directory`."),
            None,
        ));
    }
    if !pf.exists && pf.ancestor_not_dir {
        let file = pf
            .existing_ancestor
            .as_ref()
            .map(|a| a.display().to_string())
            .unwrap_or_else(|| "a parent".into());
        return Some((
            "gocache-not-a-directory",
            format!(
                "{file} in its path is a file, not a directory, so builds fail with `{init}: \
                 mkdir {file}: not a directory`."
            ),
            None,
        ));
    }
    if !pf.exists {
        let ancestor = pf.existing_ancestor.as_ref()?;
        let af = resolve::path_facts(snapshot, &ancestor.to_string_lossy())?;
        if af.exists && !af.writable {
            let first = Path::new(dir)
                .strip_prefix(ancestor)
                .ok()
                .and_then(|r| r.components().next())
                .map(|c| ancestor.join(c.as_os_str()))
                .unwrap_or_else(|| PathBuf::from(dir));
            return Some((
                "gocache-unwritable",
                format!(
                    "it does not exist and cannot be created ({} is not writable), so builds \
                     fail with `{init}: mkdir {}: permission denied`.",
                    ancestor.display(),
                    first.display()
                ),
                None,
            ));
        }
        return None;
    }
    if !pf.writable {
        let owner = match (pf.owner_uid, snapshot.uid) {
            (Some(o), Some(me)) if o != me => {
                format!(" (it belongs to uid {o}; go runs as uid {me})")
            }
            _ => String::new(),
        };
        let err = if pf.populated {
            format!("open {dir}/…: permission denied")
        } else {
            format!("{init}: mkdir {dir}/00: permission denied")
        };
        return Some((
            "gocache-unwritable",
            format!("the directory is not writable{owner}, so builds fail with `{err}`."),
            None,
        ));
    }
    None
}

/// Warnings about a usable cache directory: (code, explanation).
fn dir_warning(ctx: &Ctx, dir: &str) -> Option<(&'static str, String)> {
    let snapshot = ctx.snapshot;
    let pf = resolve::path_facts(snapshot, dir)?;
    if !pf.exists || !pf.writable || pf.kind != Some(FileKind::Dir) {
        return None;
    }
    if let (true, Some(owner), Some(me)) = (pf.populated, pf.owner_uid, snapshot.uid) {
        if owner != me {
            return Some((
                "gocache-foreign-owner",
                format!(
                    "the populated cache belongs to uid {owner} but go runs as uid {me}: entries \
                     one of you writes cannot be replaced by the other, which surfaces later as \
                     `open {dir}/…: permission denied`."
                ),
            ));
        }
    }
    let fs = match pf.fs_type {
        Some(FsType::Nfs) => "NFS",
        Some(FsType::Smb) => "SMB",
        Some(FsType::Fuse) => "FUSE",
        _ => return None,
    };
    Some((
        "gocache-network-fs",
        format!(
            "it is on a network filesystem ({fs}): cmd/go writes, locks and renames many small \
             files there, which makes builds slow and can fail on lock errors. Keep the build \
             cache on a local disk."
        ),
    ))
}

/// `go clean -cache` for a cache directory (front ends may say more, e.g. its size).
fn clean_cache_fix(dir: &str) -> Fix {
    Fix {
        title: format!("Empty the build cache {dir} (go clean -cache)"),
        action: FixAction::CleanCache {
            gocache: PathBuf::from(dir),
        },
    }
}

/// The final target of a symlink chain, absolute.
fn symlink_target(dir: &str, pf: &crate::model::PathFacts) -> Option<PathBuf> {
    let hop = pf.symlink_chain.last()?;
    if hop.target.is_absolute() {
        Some(hop.target.clone())
    } else {
        hop.link
            .parent()
            .map(|p| p.join(&hop.target))
            .or_else(|| Path::new(dir).parent().map(|p| p.join(&hop.target)))
    }
}

/// Whether a directory can be created: its facts (when known) show a writable existing
/// ancestor and no file in the way.
fn creatable(ctx: &Ctx, path: &Path) -> bool {
    let Some(pf) = resolve::path_facts(ctx.snapshot, &path.to_string_lossy()) else {
        return true;
    };
    if pf.exists || pf.ancestor_not_dir {
        return false;
    }
    match pf.existing_ancestor.as_ref() {
        Some(a) => {
            resolve::path_facts(ctx.snapshot, &a.to_string_lossy()).is_none_or(|af| af.writable)
        }
        None => true,
    }
}

/// The default cache of a side (resolve's last layer), when it is an absolute path.
fn default_dir(side: &EffectiveSide) -> Option<String> {
    side.layers
        .get(KEY)
        .and_then(|l| l.last())
        .map(|d| d.value.clone())
        .filter(|v| !v.is_empty() && Path::new(v).is_absolute())
}

/// The platform default from the user's home, for sides that cannot compute one.
fn home_default(ctx: &Ctx) -> Option<String> {
    let home = ctx.snapshot.home.as_ref()?;
    let p = if cfg!(target_os = "macos") {
        home.join("Library/Caches/go-build")
    } else if cfg!(windows) {
        return None;
    } else {
        home.join(".cache").join("go-build")
    };
    Some(p.to_string_lossy().into_owned())
}

/// An issue whose fix points GOCACHE elsewhere: drop the configured value (a lower layer
/// may be fine), or write the platform default.
fn redirect_issue(ctx: &Ctx, side: &EffectiveSide, ev: &EnvValue, detail: &str) -> Issue {
    let snapshot = ctx.snapshot;
    let mut issue = Issue::new(ctx, side, KEY, &ev.value, &ev.origin);
    issue.detail = detail.to_string();
    let mut fixes = paths::unset_fixes(snapshot, KEY, &ev.origin);
    if let Some(d) = default_dir(side).filter(|d| !resolve::same_path(snapshot, d, &ev.value)) {
        if !matches!(ev.origin, Origin::Default) {
            fixes.extend(paths::set_fixes(snapshot, side, KEY, &ev.origin, &d));
        }
    }
    issue.fixes = fixes;
    issue
}

/// An issue about a default GOCACHE that cannot be computed: write an absolute one.
fn locate_issue(ctx: &Ctx, side: &EffectiveSide, ev: &EnvValue, xdg: &str) -> Issue {
    let snapshot = ctx.snapshot;
    let mut issue = Issue::new(ctx, side, KEY, "", &ev.origin);
    issue.side_value.value = None;
    issue.detail = xdg.to_string();
    if !xdg.is_empty() {
        // The origin that matters is XDG_CACHE_HOME's: a toolsEnvVars setting or the env.
        let origin = match snapshot.settings.tools_env_vars().get("XDG_CACHE_HOME") {
            Some(c) if side.kind == SideKind::Editor => c.origin(),
            _ => Origin::OsEnv,
        };
        issue.origin_words =
            resolve::origin_words(snapshot, &side.label, "XDG_CACHE_HOME", &origin);
        issue.locations = paths::origin_location(snapshot, &origin)
            .into_iter()
            .collect();
        issue.origin = Some(origin);
    } else {
        issue.origin_words = "nothing sets it".into();
    }
    let home_dir = side
        .process_env
        .get("HOME")
        .filter(|h| !h.is_empty() && Path::new(h).is_absolute())
        .map(|h| {
            Path::new(h)
                .join(".cache")
                .join("go-build")
                .to_string_lossy()
                .into_owned()
        })
        .filter(|_| !cfg!(windows) && !cfg!(target_os = "macos"))
        .or_else(|| home_default(ctx));
    if let Some(d) = home_dir {
        issue.fixes = paths::set_fixes(snapshot, side, KEY, &Origin::Default, &d);
    }
    issue
}

fn mismatch(
    ctx: &Ctx,
    editor: (&EffectiveSide, &String, &EnvValue),
    shell: (&EffectiveSide, &String, &EnvValue),
) -> Finding {
    let snapshot = ctx.snapshot;
    let (es, edir, eev) = editor;
    let (ss, sdir, sev) = shell;
    let ewords = resolve::origin_words(snapshot, &es.label, KEY, &eev.origin);
    let swords = resolve::origin_words(snapshot, &ss.label, KEY, &sev.origin);
    let consequence = if crate::model::is_process_side(&es.label) {
        "everything is compiled and cached twice, and `go clean -cache` on one side does not \
         clear the other's."
    } else {
        "everything is compiled and cached twice, and `go clean -cache` in a terminal does not \
         clear what gopls and the editor's tools use."
    };
    let message = paths::capitalize(&format!(
        "{} builds into GOCACHE {edir} ({ewords}) but {} builds into {sdir} ({swords}): \
         {consequence}",
        es.label, ss.label
    ));
    let mut f = finding("gocache-mismatch", KEY, message);
    f.editor = Some(paths::side_value(es, Some(edir), Some(&eev.origin)));
    f.shell = Some(paths::side_value(ss, Some(sdir), Some(&sev.origin)));
    f.locations = paths::locations(ctx, [&eev.origin, &sev.origin]);
    let mut fixes: Vec<Fix> = Vec::new();
    if let Origin::EditorSetting { path, key, .. } = &eev.origin {
        fixes.extend(paths::remove_setting(snapshot, path, key));
        fixes.extend(paths::set_setting(snapshot, path, key, sdir));
    } else {
        if matches!(sev.origin, Origin::OsEnv) {
            fixes.extend(paths::go_env_write(KEY, sdir));
        }
        fixes.extend(paths::override_setting(snapshot, KEY, sdir));
    }
    f.fixes = fixes;
    f
}
