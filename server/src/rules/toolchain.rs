//! Toolchain selection (golang/go's cmd/go/internal/toolchain/select.go): gotoolchain-invalid,
//! toolchain-too-old, toolchain-will-download, toolchain-not-in-path.
//!
//! For each side we replay `Select`: parse GOTOOLCHAIN (`local`, `auto`, `path`, `goX.Y.Z`,
//! `<name>+auto`, `<name>+path`; empty — go.env hidden — means no switching at all), then in
//! auto/path mode read the module's `go` and `toolchain` lines (go.work wins over go.mod),
//! pick the toolchain, look for it on PATH, and see whether the chosen Go satisfies the `go`
//! line.

use super::goroot::{remove_settings, set_setting};
use super::resolve::{self, lookup_install, origin_words, EffectiveSide};
use super::{finding, Ctx};
use crate::model::{
    Finding, Fix, FixAction, GoModFacts, Location, Origin, SettingKey, SideKind, SideValue,
};

// ---------------------------------------------------------------------------------------------
// Go versions (cmd/go/internal/gover, via settings::gomod)
// ---------------------------------------------------------------------------------------------

pub use crate::settings::gomod::{parse_version, GoVersion};

/// The toolchain a `go` line names: `go 1.N` means `go1.N.0` for N ≥ 21.
fn as_toolchain(v: &GoVersion) -> GoVersion {
    crate::settings::gomod::toolchain_version_of_go_line(&v.to_string())
        .unwrap_or_else(|| v.clone())
}

/// Whether a running Go turns a bare `go 1.N` line (N ≥ 21) into the toolchain `go1.N.0`
/// when it switches. The fix for golang.org/issue/62278 (select.go: "Don't try to download a
/// language version") reached Go 1.23 and the 1.22.4 and 1.21.11 backports; before them the
/// `go` command asks the proxy for `go1.N` and fails with "toolchain not available". (Go
/// 1.21.13's and 1.22.10's own select.go have the fix; the first fixed patch releases are
/// those of the backports, not checked against a real older binary.)
fn appends_zero(running: &GoVersion) -> bool {
    match (running.major, running.minor) {
        (1, 21) => running.patch.unwrap_or(0) >= 11,
        (1, 22) => running.patch.unwrap_or(0) >= 4,
        _ => true,
    }
}

/// A toolchain name's version: `go1.22.10` → 1.22.10 (gover.FromToolchain).
fn from_toolchain(name: &str) -> Option<GoVersion> {
    if !name.starts_with("go") {
        return None;
    }
    parse_version(name)
}

// ---------------------------------------------------------------------------------------------
// GOTOOLCHAIN
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Never switch (also an empty GOTOOLCHAIN: go.env hidden).
    Local,
    Auto,
    Path,
    /// `goX.Y.Z` alone: always that toolchain.
    Pinned,
}

#[derive(Debug, Clone)]
struct Parsed {
    mode: Mode,
    /// The minimum toolchain: the local one, or `<name>` of `<name>+auto`/`+path`/pinned.
    min_name: Option<String>,
}

/// Parse GOTOOLCHAIN like select.go; `Err` is Go's own message.
fn parse_gotoolchain(v: &str) -> Result<Parsed, String> {
    let local = |mode| {
        Ok(Parsed {
            mode,
            min_name: None,
        })
    };
    match v {
        "" | "local" => return local(Mode::Local),
        "auto" => return local(Mode::Auto),
        "path" => return local(Mode::Path),
        _ => {}
    }
    if let Some((min, suffix)) = v.split_once('+') {
        // select.go checks the name first, then the suffix.
        if min != "local" {
            check_name(min)
                .map_err(|e| e.unwrap_or_else(|| format!("go: invalid GOTOOLCHAIN \"{v}\"")))?;
        }
        let mode = match suffix {
            "auto" => Mode::Auto,
            "path" => Mode::Path,
            _ => {
                return Err(format!(
                    "go: invalid GOTOOLCHAIN \"{v}\": only version suffixes are +auto and +path"
                ))
            }
        };
        if min == "local" {
            return local(mode);
        }
        return Ok(Parsed {
            mode,
            min_name: Some(min.to_string()),
        });
    }
    check_name(v).map_err(|e| e.unwrap_or_else(|| format!("go: invalid GOTOOLCHAIN \"{v}\"")))?;
    Ok(Parsed {
        mode: Mode::Pinned,
        min_name: Some(v.to_string()),
    })
}

/// A toolchain name must be `go<version>`; a language version ≥ 1.21 is not a toolchain.
/// `Err(None)`: Go's generic "invalid GOTOOLCHAIN" message.
fn check_name(name: &str) -> Result<GoVersion, Option<String>> {
    let v = from_toolchain(name).ok_or(None)?;
    if v.is_lang() {
        return Err(Some(format!(
            "go: invalid toolchain: {name} is a language version but not a toolchain version ({name}.x)"
        )));
    }
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    invalid(ctx, &mut out);
    selection(ctx, &mut out);
    out
}

fn side_value(side: &EffectiveSide, value: &str, origin: &Origin) -> SideValue {
    SideValue::configured(
        crate::redact::redact(value),
        origin.clone(),
        side.go_version.clone(),
    )
}

fn set_sides(f: &mut Finding, sides: &[(&EffectiveSide, SideValue)]) {
    for (s, v) in sides {
        f.set_side(s.kind, v.clone());
    }
}

fn origin_words_for(ctx: &Ctx, sides: &[&EffectiveSide], origin: &Origin) -> String {
    if matches!(origin, Origin::OsEnv) && sides.len() > 1 {
        return format!("set in the environment of both {}", resolve::who(sides));
    }
    let label = sides.first().map(|s| s.label.as_str()).unwrap_or("");
    origin_words(ctx.snapshot, label, "GOTOOLCHAIN", origin)
}

/// `GOTOOLCHAIN=auto` fixes for a side set: `go env -w` (the env file or go.env decides
/// there), and the editor overlay.
fn auto_fixes(ctx: &Ctx, sides: &[&EffectiveSide], origin: &Origin) -> Vec<Fix> {
    let mut fixes = Vec::new();
    let editor_only = sides.iter().all(|s| s.kind == SideKind::Editor);
    match origin {
        Origin::EditorSetting { key, .. } => {
            fixes.extend(remove_settings(ctx, key, ""));
            fixes.push(set_setting(ctx, key, "auto", ""));
        }
        Origin::EnvFile { path, line } => {
            fixes.push(Fix {
                title: "Run `go env -w GOTOOLCHAIN=auto`".into(),
                action: FixAction::GoEnvWrite {
                    key: "GOTOOLCHAIN".into(),
                    value: "auto".into(),
                },
            });
            fixes.push(Fix {
                title: format!(
                    "Delete the GOTOOLCHAIN line from {} (line {line}; $GOROOT/go.env then says auto)",
                    resolve::tilde(ctx.snapshot, path)
                ),
                action: FixAction::EnvFileRemoveLine {
                    file: path.clone(),
                    key: "GOTOOLCHAIN".into(),
                    line: *line,
                },
            });
        }
        Origin::GorootGoEnv { .. } | Origin::Default => fixes.push(Fix {
            title: "Run `go env -w GOTOOLCHAIN=auto`".into(),
            action: FixAction::GoEnvWrite {
                key: "GOTOOLCHAIN".into(),
                value: "auto".into(),
            },
        }),
        // Nothing we could write overrides the client's answer (or the process env).
        Origin::OsEnv | Origin::ClientSetting { .. } => {}
    }
    if editor_only && origin.setting_key().is_none() {
        fixes.push(set_setting(
            ctx,
            &SettingKey::tools_env_var("GOTOOLCHAIN"),
            "auto",
            "",
        ));
    }
    fixes
}

fn invalid(ctx: &Ctx, out: &mut Vec<Finding>) {
    // (value, origin) → sides, error.
    let mut groups: Vec<(String, Origin, String, Vec<&EffectiveSide>)> = Vec::new();
    for side in ctx.sides() {
        let Some(v) = side.get("GOTOOLCHAIN") else {
            continue;
        };
        let Err(err) = parse_gotoolchain(&v.value) else {
            continue;
        };
        match groups
            .iter_mut()
            .find(|g| g.0 == v.value && g.1 == v.origin)
        {
            Some(g) => g.3.push(side),
            None => groups.push((v.value.clone(), v.origin.clone(), err, vec![side])),
        }
    }
    for (value, origin, err, sides) in groups {
        let shell_rc =
            if matches!(origin, Origin::OsEnv) && sides.iter().any(|s| s.kind == SideKind::Shell) {
                " It is exported by your shell's startup files: fix it there."
            } else {
                ""
            };
        let message = format!(
            "{} {} GOTOOLCHAIN \"{}\" ({}), which is invalid: every go command fails with \"{}\" (only `go env GOTOOLCHAIN` and `go env -w GOTOOLCHAIN=auto` still work).{shell_rc}",
            resolve::who(&sides),
            if sides.len() > 1 { "use" } else { "uses" },
            crate::redact::redact(&value),
            origin_words_for(ctx, &sides, &origin),
            crate::redact::redact(&err),
        );
        let mut f = finding("gotoolchain-invalid", "GOTOOLCHAIN", message);
        let vals: Vec<(&EffectiveSide, SideValue)> = sides
            .iter()
            .map(|s| (*s, side_value(s, &value, &origin)))
            .collect();
        set_sides(&mut f, &vals);
        f.locations = ctx.locations(&[&origin]);
        f.fixes = auto_fixes(ctx, &sides, &origin);
        out.push(f);
    }
}

fn file_name(m: &GoModFacts) -> String {
    m.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "go.mod".into())
}

fn line_location(l: &crate::model::Line<String>) -> Location {
    Location {
        path: l.span.file.clone(),
        line: l.line,
        column: l.span.column,
        span: Some((l.span.start, l.span.end)),
    }
}

/// What one side ends up doing for the module.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// Runs a Go older than the `go` line.
    TooOld {
        running: GoVersion,
        required: String,
        explain: String,
    },
    /// Switches to `name`, not found on PATH: downloads it.
    Download {
        name: String,
        reason_toolchain_line: bool,
    },
    /// `path` mode and `name` is not on PATH.
    NotInPath {
        name: String,
        reason_toolchain_line: bool,
    },
}

/// Whether `side` would still fail with "requires go >= …" once module file `m` asks for `go`
/// on its go line (`line`: that line, or where it would be written).
pub(super) fn too_old_for(
    ctx: &Ctx,
    side: &EffectiveSide,
    m: &GoModFacts,
    line: &crate::model::Line<String>,
    go: &str,
) -> bool {
    // Only the file's name and its go and toolchain lines decide: a go.work's thousand `use`
    // lines are not copied.
    let raised = GoModFacts {
        path: m.path.clone(),
        go: Some(crate::model::Line {
            value: go.to_string(),
            ..line.clone()
        }),
        toolchain: m.toolchain.clone(),
        module: None,
        error: None,
        error_line: None,
        uses: Vec::new(),
    };
    matches!(select(ctx, side, &raised), Some(Outcome::TooOld { .. }))
}

fn select(ctx: &Ctx, side: &EffectiveSide, m: &GoModFacts) -> Option<Outcome> {
    let local = side.go_version.as_deref().and_then(from_toolchain)?;
    let gotc = side.value("GOTOOLCHAIN").to_string();
    let parsed = parse_gotoolchain(&gotc).ok()?;
    let go_line = m.go.as_ref().and_then(|l| parse_version(&l.value));
    let tc_line = m.toolchain.as_ref().map(|l| l.value.trim().to_string());

    let mut min_vers = local.clone();
    let mut target: Option<String> = None; // toolchain to switch to
    let mut by_toolchain_line = false;
    if let Some(name) = &parsed.min_name {
        let v = from_toolchain(name)?;
        if v != local {
            target = Some(name.clone());
        }
        min_vers = v;
    }
    let mut toolchain_default = false;
    if matches!(parsed.mode, Mode::Auto | Mode::Path) {
        match tc_line.as_deref() {
            Some("default") => toolchain_default = true,
            Some(tc) => {
                if let Some(tv) = from_toolchain(tc) {
                    if tv > min_vers {
                        target = Some(tc.to_string());
                        min_vers = tv;
                        by_toolchain_line = true;
                    }
                }
            }
            None => {}
        }
        if !toolchain_default {
            if let Some(gv) = &go_line {
                if *gv > min_vers {
                    // Before the fix for golang.org/issue/62278 a bare `go 1.N` line was taken
                    // as the toolchain name `go1.N`, which no proxy serves.
                    target = Some(if appends_zero(&local) {
                        format!("go{}", as_toolchain(gv))
                    } else {
                        format!("go{gv}")
                    });
                    by_toolchain_line = false;
                }
            }
        }
    }
    let running = match &target {
        Some(name) if from_toolchain(name).as_ref() != Some(&local) => {
            let facts = resolve::side_facts(ctx.snapshot, side.kind);
            let on_path = facts.is_some_and(|f| f.path_toolchains.contains_key(name));
            if !on_path {
                return Some(if parsed.mode == Mode::Path {
                    Outcome::NotInPath {
                        name: name.clone(),
                        reason_toolchain_line: by_toolchain_line,
                    }
                } else {
                    Outcome::Download {
                        name: name.clone(),
                        reason_toolchain_line: by_toolchain_line,
                    }
                });
            }
            from_toolchain(name).unwrap_or(local)
        }
        _ => local,
    };
    let gv = go_line?;
    if running >= gv {
        return None;
    }
    // gover.TooNewError: "; GOTOOLCHAIN=<v>" unless auto, then "; go.mod sets …".
    let mut explain = String::new();
    if !gotc.is_empty() && gotc != "auto" {
        explain.push_str(&format!("; GOTOOLCHAIN={gotc}"));
    }
    if toolchain_default {
        explain.push_str(&format!("; {} sets toolchain default", file_name(m)));
    }
    Some(Outcome::TooOld {
        running,
        required: m.go.as_ref().map(|l| l.value.clone()).unwrap_or_default(),
        explain,
    })
}

/// One module file's outcome on a side.
#[derive(Debug, Clone, PartialEq)]
struct Hit<'a> {
    file: &'a GoModFacts,
    outcome: Outcome,
}

impl Outcome {
    /// Findings group by kind: one root cause (this side's Go and GOTOOLCHAIN) per kind.
    fn kind(&self) -> u8 {
        match self {
            Outcome::TooOld { .. } => 0,
            Outcome::Download { .. } => 1,
            Outcome::NotInPath { .. } => 2,
        }
    }

    /// The Go version the module file asks for, to put the most demanding one first.
    fn wanted(&self) -> Option<GoVersion> {
        match self {
            Outcome::TooOld { required, .. } => parse_version(required),
            Outcome::Download { name, .. } | Outcome::NotInPath { name, .. } => {
                from_toolchain(name)
            }
        }
    }
}

/// Every module in scope, on every side: the file that decides (its go.work, else its go.mod)
/// replayed through `Select`. Modules with the same outcome on the same sides make one finding
/// on the most demanding file, the others as further locations.
fn selection(ctx: &Ctx, out: &mut Vec<Finding>) {
    type Group<'a> = (Vec<Hit<'a>>, String, Origin, Vec<&'a EffectiveSide>);
    let mut groups: Vec<Group> = Vec::new();
    for side in ctx.sides() {
        let mut by_kind: Vec<Vec<Hit>> = Vec::new();
        for file in ctx.workspace().deciding_files(side) {
            let Some(outcome) = select(ctx, side, file) else {
                continue;
            };
            match by_kind
                .iter_mut()
                .find(|h| h[0].outcome.kind() == outcome.kind())
            {
                Some(h) => h.push(Hit { file, outcome }),
                None => by_kind.push(vec![Hit { file, outcome }]),
            }
        }
        let (v, origin) = side
            .get("GOTOOLCHAIN")
            .map(|v| (v.value.clone(), v.origin.clone()))
            .unwrap_or((String::new(), Origin::Default));
        for mut hits in by_kind {
            hits.sort_by(|a, b| {
                b.outcome
                    .wanted()
                    .cmp(&a.outcome.wanted())
                    .then_with(|| a.file.path.cmp(&b.file.path))
            });
            match groups.iter_mut().find(|g| {
                g.0 == hits && g.1 == v && g.2 == origin && g.3[0].go_version == side.go_version
            }) {
                Some(g) => g.3.push(side),
                None => groups.push((hits, v.clone(), origin.clone(), vec![side])),
            }
        }
    }
    for (hits, gotc, origin, sides) in groups {
        let Some((first, others)) = hits.split_first() else {
            continue;
        };
        let before = out.len();
        one_file(
            ctx,
            first.file,
            first.outcome.clone(),
            gotc,
            origin,
            sides,
            out,
        );
        if others.is_empty() {
            continue;
        }
        if let Some(f) = out.get_mut(before) {
            also_in(ctx, f, others);
        }
    }
}

/// The other module files with the same problem: named in the message, located after the
/// primary location.
fn also_in(ctx: &Ctx, f: &mut Finding, others: &[Hit]) {
    let names: Vec<String> = others
        .iter()
        .take(5)
        .map(|h| {
            let asked = match &h.outcome {
                Outcome::TooOld { required, .. } => format!("go {required}"),
                Outcome::Download { name, .. } | Outcome::NotInPath { name, .. } => name.clone(),
            };
            format!(
                "{} ({asked})",
                super::workspace::shown(ctx.snapshot, &h.file.path)
            )
        })
        .collect();
    let more = others.len().saturating_sub(5);
    f.message.push_str(&format!(
        " The same holds for {} other module file{}: {}{}.",
        others.len(),
        if others.len() == 1 { "" } else { "s" },
        names.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ));
    for h in others {
        let line = match &h.outcome {
            Outcome::Download {
                reason_toolchain_line: true,
                ..
            }
            | Outcome::NotInPath {
                reason_toolchain_line: true,
                ..
            } => h.file.toolchain.as_ref(),
            _ => h.file.go.as_ref(),
        };
        if let Some(l) = line {
            let loc = line_location(l);
            if !f.locations.contains(&loc) {
                f.locations.push(loc);
            }
        }
    }
}

/// The finding for one module file (the most demanding of its group).
fn one_file(
    ctx: &Ctx,
    m: &GoModFacts,
    outcome: Outcome,
    gotc: String,
    origin: Origin,
    sides: Vec<&EffectiveSide>,
    out: &mut Vec<Finding>,
) {
    let fname = file_name(m);
    let shown_name = super::workspace::shown(ctx.snapshot, &m.path);
    {
        let gotc_words = if gotc.is_empty() {
            format!(
                "GOTOOLCHAIN empty ({}; $GOROOT/go.env's auto is hidden)",
                origin_words_for(ctx, &sides, &origin)
            )
        } else {
            format!(
                "GOTOOLCHAIN={gotc} ({})",
                origin_words_for(ctx, &sides, &origin)
            )
        };
        let running = sides
            .first()
            .and_then(|s| s.go_version.clone())
            .unwrap_or_default();
        let go_loc = m.go.as_ref().map(line_location);
        let tc_loc = m.toolchain.as_ref().map(line_location);
        let vals: Vec<(&EffectiveSide, SideValue)> = sides
            .iter()
            .map(|s| (*s, side_value(s, &gotc, &origin)))
            .collect();
        match outcome {
            Outcome::TooOld {
                running: rv,
                required,
                explain,
            } => {
                let why = if explain.contains("toolchain default") {
                    format!("{shown_name} says `toolchain default`, which forbids switching")
                } else if gotc.is_empty() {
                    format!("{gotc_words} never switches")
                } else {
                    format!("{gotc_words} does not switch to a newer Go")
                };
                let message = format!(
                    "{shown_name} requires go >= {required} but {} {} go{rv} and {why}: every go command in this module fails with \"go: {fname} requires go >= {required} (running go {rv}{explain})\".",
                    resolve::who(&sides),
                    if sides.len() > 1 { "run" } else { "runs" },
                );
                let mut f = finding("toolchain-too-old", &fname, message);
                set_sides(&mut f, &vals);
                f.locations = go_loc.into_iter().collect();
                // Where the GOTOOLCHAIN that forbids the switch is set (an env file line,
                // $GOROOT/go.env, a setting), unless `toolchain default` is the reason.
                if !explain.contains("toolchain default") {
                    gotoolchain_location(ctx, &origin, &mut f.locations);
                }
                let mut fixes = Vec::new();
                let need = parse_version(&required).map(|v| as_toolchain(&v));
                if sides.iter().any(|s| s.kind == SideKind::Editor) {
                    let switches = super::sdk_switch::use_installed_fixes(ctx);
                    let none_fits_all = switches.is_empty();
                    fixes.extend(switches);
                    // An SDK new enough for this file, when none satisfies every module.
                    if let Some(inst) = satisfying_install(ctx, need).filter(|_| none_fits_all) {
                        fixes.push(set_setting(
                            ctx,
                            &SettingKey::GoGoroot,
                            &inst.goroot,
                            &format!(" (installed {})", inst.version.clone().unwrap_or_default()),
                        ));
                    }
                }
                if !explain.contains("toolchain default") {
                    fixes.extend(auto_fixes(ctx, &sides, &origin));
                }
                f.fixes = fixes;
                let _ = running;
                out.push(f);
            }
            Outcome::Download {
                name,
                reason_toolchain_line,
            } => {
                let (goos, goarch) = platform(ctx, sides[0]);
                let modcache = sides[0].value("GOMODCACHE").to_string();
                let dir = format!("golang.org/toolchain@v0.0.1-{name}.{goos}-{goarch}");
                let reason = if reason_toolchain_line {
                    format!(
                        "{shown_name} asks for `toolchain {}`",
                        m.toolchain.as_ref().map(|l| l.value.as_str()).unwrap_or("")
                    )
                } else {
                    format!(
                        "{shown_name} requires go >= {}",
                        m.go.as_ref().map(|l| l.value.as_str()).unwrap_or("")
                    )
                };
                let primary: Vec<Location> = if reason_toolchain_line {
                    tc_loc.into_iter().collect()
                } else {
                    go_loc.into_iter().collect()
                };
                // Sides whose download cannot work get an error (one per cause); the others
                // the notice.
                let mut downloading: Vec<(&EffectiveSide, SideValue)> = Vec::new();
                let mut blocked: Vec<(Blocker, Vec<&EffectiveSide>)> = Vec::new();
                let bare_line = from_toolchain(&name).is_some_and(|v| v.is_lang());
                for (side, value) in vals {
                    let blocker = if bare_line {
                        Some(Blocker {
                            key: "GOTOOLCHAIN",
                            words: format!(
                                "{name} is a language version, not a release: a Go before 1.21.11 (1.22.4 in the 1.22 series) asks for the toolchain `{name}` instead of `{name}.0`, which no proxy has — write `go {}.0` in {fname}, or run a newer Go",
                                name.trim_start_matches("go")
                            ),
                            kind: BlockKind::NotAvailable,
                        })
                    } else {
                        download_blocker(side)
                    };
                    match blocker {
                        None => downloading.push((side, value)),
                        Some(b) => match blocked.iter_mut().find(|(c, _)| *c == b) {
                            Some((_, sides)) => sides.push(side),
                            None => blocked.push((b, vec![side])),
                        },
                    }
                }
                for (cause, sides) in blocked {
                    let error = match cause.kind {
                        BlockKind::NotAvailable => format!(
                            "go: download {name} for {goos}/{goarch}: toolchain not available"
                        ),
                        BlockKind::Checksum(why) => format!(
                            "go: download {name}: golang.org/toolchain@v0.0.1-{name}.{goos}-{goarch}: verifying module: {why}"
                        ),
                    };
                    let message = format!(
                        "{} {} {running} with {gotc_words}; {reason}, so every go command in this module first downloads {name}, and {}: it fails with \"{error}\".",
                        resolve::who(&sides),
                        if sides.len() > 1 { "run" } else { "runs" },
                        cause.words,
                    );
                    let mut f = finding("toolchain-download-fails", &fname, message);
                    f.locations = primary.clone();
                    for side in &sides {
                        let value = ctx.side_value(side, cause.key);
                        if let Some(loc) =
                            value.origin.as_ref().and_then(|o| ctx.origin_location(o))
                        {
                            if !f.locations.contains(&loc) {
                                f.locations.push(loc);
                            }
                        }
                        // Taking GOPROXY's value away brings back $GOROOT/go.env's proxy;
                        // taking GOPRIVATE away would expose the user's private modules.
                        if let Some(origin) = value
                            .origin
                            .as_ref()
                            .filter(|_| matches!(cause.key, "GOPROXY" | "GOSUMDB"))
                        {
                            for fix in super::paths::unset_fixes(ctx.snapshot, cause.key, origin) {
                                if !f.fixes.contains(&fix) {
                                    f.fixes.push(fix);
                                }
                            }
                        }
                        f.set_side(side.kind, value);
                    }
                    if bare_line {
                        bare_line_fixes(ctx, &sides, &name, &mut f.fixes);
                    }
                    if sides.iter().any(|s| s.kind == SideKind::Editor) {
                        if let Some(inst) = satisfying_install(ctx, from_toolchain(&name)) {
                            f.fixes.insert(
                                0,
                                set_setting(
                                    ctx,
                                    &SettingKey::GoGoroot,
                                    &inst.goroot,
                                    &format!(
                                        " (installed {})",
                                        inst.version.clone().unwrap_or_default()
                                    ),
                                ),
                            );
                        }
                    }
                    out.push(f);
                }
                if downloading.is_empty() {
                    return;
                }
                let sides: Vec<&EffectiveSide> = downloading.iter().map(|(s, _)| *s).collect();
                let message = format!(
                    "{} {} {running} with {gotc_words}; {reason}, so every go command in this module first downloads {name} ({goos}/{goarch}) and runs it. It will live in {}.",
                    resolve::who(&sides),
                    if sides.len() > 1 { "run" } else { "runs" },
                    if modcache.is_empty() {
                        format!("$GOMODCACHE/{dir}")
                    } else {
                        format!("{}/{dir}", modcache.trim_end_matches('/'))
                    }
                );
                let mut f = finding("toolchain-will-download", &fname, message);
                set_sides(&mut f, &downloading);
                f.locations = primary;
                if sides.iter().all(|s| s.kind == SideKind::Editor) {
                    if let Some(inst) = satisfying_install(ctx, from_toolchain(&name)) {
                        f.fixes.push(set_setting(
                            ctx,
                            &SettingKey::GoGoroot,
                            &inst.goroot,
                            &format!(" (installed {})", inst.version.clone().unwrap_or_default()),
                        ));
                    }
                }
                out.push(f);
            }
            Outcome::NotInPath {
                name,
                reason_toolchain_line,
            } => {
                let message = format!(
                    "{} {} {running} with {gotc_words}, which only looks on PATH; {shown_name} needs {name} and there is no {name} on PATH: every go command in this module fails with \"go: cannot find \\\"{name}\\\" in PATH\". Install it with `go install golang.org/dl/{name}@latest && {name} download`, or switch to GOTOOLCHAIN=auto.",
                    resolve::who(&sides),
                    if sides.len() > 1 { "run" } else { "runs" },
                );
                let mut f = finding("toolchain-not-in-path", &fname, message);
                set_sides(&mut f, &vals);
                f.locations = if reason_toolchain_line {
                    tc_loc.into_iter().collect()
                } else {
                    go_loc.into_iter().collect()
                };
                gotoolchain_location(ctx, &origin, &mut f.locations);
                let mut fixes = auto_fixes(ctx, &sides, &origin);
                if sides.iter().any(|s| s.kind == SideKind::Editor) {
                    if let Some(inst) = satisfying_install(ctx, from_toolchain(&name)) {
                        fixes.insert(
                            0,
                            set_setting(
                                ctx,
                                &SettingKey::GoGoroot,
                                &inst.goroot,
                                &format!(
                                    " (installed {})",
                                    inst.version.clone().unwrap_or_default()
                                ),
                            ),
                        );
                    }
                }
                f.fixes = fixes;
                out.push(f);
            }
        }
    }
}

/// Why a toolchain download cannot work on this side, in words (`None`: it can).
pub(super) fn download_blocked_words(side: &EffectiveSide) -> Option<String> {
    download_blocker(side).map(|b| b.words)
}

/// Whether this side's GOTOOLCHAIN forbids switching to a newer Go (`local`, `path` without the
/// toolchain on PATH, a pinned name): a command that may need one must set its own.
pub(super) fn switching_forbidden(side: &EffectiveSide) -> bool {
    parse_gotoolchain(side.value("GOTOOLCHAIN")).map_or(true, |p| p.mode != Mode::Auto)
}

/// Add the place GOTOOLCHAIN is configured (a file line) to a finding's locations.
fn gotoolchain_location(ctx: &Ctx, origin: &Origin, locations: &mut Vec<Location>) {
    if let Some(loc) = ctx.origin_location(origin) {
        if !locations.contains(&loc) {
            locations.push(loc);
        }
    }
}

/// Why a toolchain download cannot work on a side, as cmd/go decides it before any network
/// traffic: toolchains are served only by module proxies (`golang.org/toolchain` has no
/// repository to fetch directly), so a proxy list that does not start with an `https://`,
/// `http://` or `file://` proxy (`off`, `direct`, `direct,https://…`), or a GONOPROXY (GOPRIVATE)
/// pattern matching
/// `golang.org/toolchain`, ends every download with "toolchain not available"; a toolchain that
/// was fetched must still be verified by the checksum database, so GOSUMDB=off (or set empty)
/// ends it with "verifying module: …".
#[derive(Debug, Clone, PartialEq, Eq)]
struct Blocker {
    key: &'static str,
    words: String,
    kind: BlockKind,
}

/// Which of cmd/go's errors ends the download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    /// "toolchain not available": the name was never looked up in a proxy (or is no release).
    NotAvailable,
    /// The toolchain was fetched but cannot be verified ("verifying module: …").
    Checksum(&'static str),
}

/// `GOTOOLCHAIN=go1.N.0+auto` for sides whose Go turns a bare `go 1.N` line into the
/// toolchain `go1.N`: the minimum is then a release, which the line does not exceed.
fn bare_line_fixes(ctx: &Ctx, sides: &[&EffectiveSide], name: &str, fixes: &mut Vec<Fix>) {
    let value = format!("{name}.0+auto");
    let fix = Fix {
        title: format!("Run `go env -w GOTOOLCHAIN={value}` (downloads {name}.0)"),
        action: FixAction::GoEnvWrite {
            key: "GOTOOLCHAIN".into(),
            value: value.clone(),
        },
    };
    if !fixes.contains(&fix) {
        fixes.push(fix);
    }
    if sides.iter().any(|s| s.kind == SideKind::Editor) {
        let fix = set_setting(ctx, &SettingKey::tools_env_var("GOTOOLCHAIN"), &value, "");
        if !fixes.contains(&fix) {
            fixes.push(fix);
        }
    }
}

fn download_blocker(side: &EffectiveSide) -> Option<Blocker> {
    const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";
    let proxy = side.value("GOPROXY");
    let entries: Vec<&str> = proxy
        .split([',', '|'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    // An empty list is goproxy-empty's error, with cmd/go's own message; not a download.
    if entries.is_empty() {
        return None;
    }
    let serves = |e: &&str| {
        let lower = e.to_ascii_lowercase();
        lower.starts_with("https://")
            || lower.starts_with("http://")
            || lower.starts_with("file://")
    };
    // cmd/go tries the entries in order; `direct` and `off` end a toolchain download at once
    // (`direct` has no repository to fetch it from), so only a proxy in first place is tried.
    let usable = entries.first().is_some_and(serves);
    if !usable {
        return Some(Blocker {
            key: "GOPROXY",
            words: format!(
                "GOPROXY={} has no module proxy to download it from",
                crate::redact::redact(proxy)
            ),
            kind: BlockKind::NotAvailable,
        });
    }
    let noproxy = side.value("GONOPROXY");
    if crate::goport::glob::match_prefix_patterns(noproxy, TOOLCHAIN_MODULE) {
        // GOPRIVATE is GONOPROXY's default: name the variable the user set.
        let key = if side.get("GONOPROXY") == side.get("GOPRIVATE") {
            "GOPRIVATE"
        } else {
            "GONOPROXY"
        };
        return Some(Blocker {
            key,
            words: format!(
                "{key}={noproxy} matches {TOOLCHAIN_MODULE}, so it is not fetched through the proxy"
            ),
            kind: BlockKind::NotAvailable,
        });
    }
    // A toolchain cannot be listed in go.sum, so cmd/go (modfetch's useSumDB) always checks it
    // against the checksum database, even with GOSUMDB=off or a GONOSUMDB match — except when
    // GOPROXY is a single `file://` proxy (testing a local distribution).
    let single_file_proxy = entries.len() == 1
        && !proxy.contains([',', '|'])
        && entries[0].to_ascii_lowercase().starts_with("file://");
    if !single_file_proxy {
        let sumdb = side.value("GOSUMDB");
        if sumdb == "off" {
            return Some(Blocker {
                key: "GOSUMDB",
                words: "GOSUMDB=off turns off the checksum database every toolchain download is verified against".into(),
                kind: BlockKind::Checksum("checksum database disabled by GOSUMDB=off"),
            });
        }
        // Set but empty (a go env file line `GOSUMDB=`): $GOROOT/go.env's value is hidden.
        if sumdb.is_empty() && side.get("GOSUMDB").is_some() {
            return Some(Blocker {
                key: "GOSUMDB",
                words: "GOSUMDB is set empty, which hides $GOROOT/go.env's sum.golang.org, so the download cannot be verified".into(),
                kind: BlockKind::Checksum("missing GOSUMDB"),
            });
        }
    }
    None
}

/// GOOS/GOARCH of a side: from `go env -json` when it ran, else the host's.
fn platform(ctx: &Ctx, side: &EffectiveSide) -> (String, String) {
    let json = resolve::go_env_result(ctx.snapshot, side).and_then(|r| r.ok());
    let get = |k: &str, host: &str, fallback: &str| {
        json.and_then(|m| m.get(k).or_else(|| m.get(host)))
            .filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    (
        get("GOHOSTOS", "GOOS", std::env::consts::OS),
        get("GOHOSTARCH", "GOARCH", arch),
    )
}

/// The newest installed Go that satisfies `need` (any install when `need` is unknown).
fn satisfying_install<'a>(
    ctx: &'a Ctx,
    need: Option<GoVersion>,
) -> Option<&'a crate::model::GoInstall> {
    let need = need?;
    ctx.snapshot
        .installs
        .values()
        .filter_map(|i| Some((i, i.version.as_deref().and_then(from_toolchain)?)))
        .filter(|(_, v)| *v >= need)
        .filter(|(i, _)| lookup_install(ctx.snapshot, &i.goroot).is_some())
        .max_by_key(|(_, v)| v.clone())
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_like_gover() {
        let v = |s| parse_version(s).expect(s);
        assert!(v("1.21") < v("1.21rc1"));
        assert!(v("1.21rc1") < v("1.21.0"));
        assert!(v("1.21.0") < v("1.21.1"));
        assert!(v("1.9.9") < v("1.10"));
        assert!(v("go1.22.10") > v("1.22"));
        assert_eq!(as_toolchain(&v("1.22")).to_string(), "1.22.0");
        assert_eq!(parse_version("1.22.x"), None);
        assert_eq!(parse_version("bogus"), None);
    }

    #[test]
    fn gotoolchain_values() {
        assert!(parse_gotoolchain("local").is_ok());
        assert!(parse_gotoolchain("auto").is_ok());
        assert!(parse_gotoolchain("path").is_ok());
        assert!(parse_gotoolchain("go1.22.10").is_ok());
        assert!(parse_gotoolchain("go1.22.10+auto").is_ok());
        assert!(parse_gotoolchain("local+path").is_ok());
        assert_eq!(
            parse_gotoolchain("bogus").err().as_deref(),
            Some("go: invalid GOTOOLCHAIN \"bogus\"")
        );
        assert_eq!(
            parse_gotoolchain("local+foo").err().as_deref(),
            Some(
                "go: invalid GOTOOLCHAIN \"local+foo\": only version suffixes are +auto and +path"
            )
        );
        assert_eq!(
            parse_gotoolchain("go1.22").err().as_deref(),
            Some("go: invalid toolchain: go1.22 is a language version but not a toolchain version (go1.22.x)")
        );
    }
}
