//! `env-mismatch`: every Go-relevant variable that no more specific code compares, compared
//! between the editor and the shell, with where each side's value comes from and words for
//! what the difference breaks.
//!
//! Decisions:
//! - Left to their own codes: GOROOT and the Go version (`goroot-mismatch`,
//!   `go-version-mismatch`), GOCACHE, GOPROXY, GOWORK (`gowork-mismatch` compares the go.work
//!   each side ends up with), GOTOOLCHAIN (the toolchain rules judge each side's selection),
//!   GOENV (each value its file holds is compared itself).
//! - Go's variables are compared as cmd/go resolves them (`EffectiveSide::env`); a default no
//!   `go env` reported (a simulated change dropped it) is unknown and compared with nothing.
//!   Variables Go does not read itself but the programs it starts do (git's `GIT_SSH_COMMAND`,
//!   `SSH_AUTH_SOCK`, the proxy variables of Go's HTTP client) are compared in each side's
//!   process environment; a proxy variable counts in either case (`HTTPS_PROXY` or
//!   `https_proxy`, as Go's `httpproxy` reads them), and `NO_PROXY` only when a proxy is set.
//! - Values that authenticate (GOAUTH, NETRC, GIT_SSH_COMMAND, GIT_SSH, SSH_AUTH_SOCK) are
//!   compared but never shown: messages say "set" or "not set", and no fix carries them.
//!   Every other value is shown with credentials redacted.
//! - `SSH_AUTH_SOCK` differs between any two login sessions (each has its own socket), so only
//!   its absence on one side counts, and only where that side fetches some modules directly
//!   (GOPRIVATE or GONOPROXY set): that is when git may need the agent. `GIT_SSH_COMMAND` and
//!   `GIT_SSH` likewise count only where a side fetches modules directly.
//! - A C compiler found on one side's PATH and not on the other's is reported on CC, and then
//!   explains a default CGO_ENABLED difference, which is not reported again.
//! - Path variables (GOPATH, GOMODCACHE, GOBIN, GOTMPDIR) derive from HOME; they are compared
//!   only when a side sets one explicitly, and reported as info.
//! - Fixes make the editor follow the shell, like `goproxy-mismatch`'s: remove or change the
//!   setting that makes the editor differ, or pin the shell's value for the editor
//!   (`go.toolsEnvVars`); `go env -w` where the shell exports a Go variable the editor lacks.

use super::paths::{self, go_side, shown};
use super::resolve::{self, EffectiveSide};
use super::{finding, Ctx};
use crate::model::{EnvValue, Finding, Fix, Origin, Severity, SideKind};

const CODE: &str = "env-mismatch";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    C,
    Private,
    Proxy,
    Goflags,
    Target,
    Modules,
    Paths,
}

/// How a variable is read and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One of Go's variables, resolved like cmd/go does.
    Go,
    /// Go's, but only whether it is set is shown.
    GoSecret,
    /// The process environment of the side, value shown (redacted).
    Process,
    /// The process environment, only whether it is set is shown.
    ProcessSecret,
}

const VARS: &[(&str, Group, Kind)] = &[
    ("CGO_ENABLED", Group::C, Kind::Go),
    ("CC", Group::C, Kind::Go),
    ("CXX", Group::C, Kind::Go),
    ("CGO_CFLAGS", Group::C, Kind::Go),
    ("CGO_CPPFLAGS", Group::C, Kind::Go),
    ("CGO_CXXFLAGS", Group::C, Kind::Go),
    ("CGO_FFLAGS", Group::C, Kind::Go),
    ("CGO_LDFLAGS", Group::C, Kind::Go),
    ("PKG_CONFIG", Group::C, Kind::Go),
    ("GOPRIVATE", Group::Private, Kind::Go),
    ("GONOPROXY", Group::Private, Kind::Go),
    ("GONOSUMDB", Group::Private, Kind::Go),
    ("GOAUTH", Group::Private, Kind::GoSecret),
    ("NETRC", Group::Private, Kind::ProcessSecret),
    ("GIT_SSH_COMMAND", Group::Private, Kind::ProcessSecret),
    ("GIT_SSH", Group::Private, Kind::ProcessSecret),
    ("SSH_AUTH_SOCK", Group::Private, Kind::ProcessSecret),
    ("HTTPS_PROXY", Group::Proxy, Kind::Process),
    ("HTTP_PROXY", Group::Proxy, Kind::Process),
    ("NO_PROXY", Group::Proxy, Kind::Process),
    ("GOFLAGS", Group::Goflags, Kind::Go),
    ("GOOS", Group::Target, Kind::Go),
    ("GOARCH", Group::Target, Kind::Go),
    ("GOEXPERIMENT", Group::Target, Kind::Go),
    ("GOAMD64", Group::Target, Kind::Go),
    ("GOARM64", Group::Target, Kind::Go),
    ("GOARM", Group::Target, Kind::Go),
    ("GO386", Group::Target, Kind::Go),
    ("GOFIPS140", Group::Target, Kind::Go),
    ("GO111MODULE", Group::Modules, Kind::Go),
    ("GOSUMDB", Group::Modules, Kind::Go),
    ("GOINSECURE", Group::Modules, Kind::Go),
    ("GOVCS", Group::Modules, Kind::Go),
    ("GOPATH", Group::Paths, Kind::Go),
    ("GOMODCACHE", Group::Paths, Kind::Go),
    ("GOBIN", Group::Paths, Kind::Go),
    ("GOTMPDIR", Group::Paths, Kind::Go),
];

/// Variables whose values authenticate: compared, never shown, never carried in a fix.
pub const SECRET_VARS: &[&str] = &["GOAUTH", "NETRC", "GIT_SSH_COMMAND", "GIT_SSH"];

/// Go variables whose cmd/go default is empty in every Go version (a value `go env` did not
/// report is still known to be empty). Other defaults are computed (CGO_ENABLED, CC, GOARCH…)
/// or exist only in newer Go (GOAUTH, GOARM64, GOFIPS140).
const EMPTY_DEFAULT: &[&str] = &[
    "GOEXPERIMENT",
    "GOFLAGS",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOINSECURE",
    "GOVCS",
    "GO111MODULE",
    "GOBIN",
    "GOTMPDIR",
];

/// The variables `env-mismatch` compares that Go itself does not read (the editor's
/// environment fix must carry them too).
pub const PROCESS_VARS: &[&str] = &[
    "NETRC",
    "GIT_SSH_COMMAND",
    "GIT_SSH",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
];

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let (Some(e), Some(s)) = (
        go_side(ctx, SideKind::Editor),
        go_side(ctx, SideKind::Shell),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let cc_finding = compiler_mismatch(ctx, e, s);
    let compiler_explains_cgo = cc_finding.is_some();
    out.extend(cc_finding);
    for &(key, group, kind) in VARS {
        let (Some(ev), Some(sv)) = (value(ctx, e, key, kind), value(ctx, s, key, kind)) else {
            continue;
        };
        if same(ctx, group, key, &ev.value, &sv.value) {
            continue;
        }
        // `gcc` on one side and `/usr/bin/gcc` on the other: one compiler.
        if key == "CC" {
            if let (Some((_, Some(a))), Some((_, Some(b)))) = (compiler(ctx, e), compiler(ctx, s)) {
                if a == b {
                    continue;
                }
            }
        }
        if skip(ctx, e, s, key, group, &ev, &sv, compiler_explains_cgo) {
            continue;
        }
        out.push(mismatch(ctx, e, s, key, group, kind, &ev, &sv));
    }
    out
}

/// A side's value of `key` with its origin; `None` when unknown (a default `go env` did not
/// report). An unset process variable is an empty value from the OS environment.
fn value(ctx: &Ctx, side: &EffectiveSide, key: &str, kind: Kind) -> Option<EnvValue> {
    match kind {
        Kind::Go | Kind::GoSecret => {
            let v = side.get(key).cloned().unwrap_or(EnvValue {
                value: String::new(),
                origin: Origin::Default,
            });
            let reported = resolve::go_env_result(ctx.snapshot, side)
                .and_then(|r| r.ok())
                .is_some_and(|m| m.contains_key(key));
            let known = !(matches!(v.origin, Origin::Default) && v.value.is_empty())
                || reported
                || EMPTY_DEFAULT.contains(&key);
            // Variables only newer Go knows (GOAUTH, GOARM64, GOFIPS140) are unknown to an
            // older `go`, which reports nothing about them: compare only what both report.
            known.then_some(v)
        }
        Kind::Process | Kind::ProcessSecret => Some(process_value(ctx, side, key)),
    }
}

/// A process variable of a side, with the editor setting that sets it when one does. The proxy
/// variables fall back to their lower-case spelling, as Go's HTTP client reads them.
fn process_value(ctx: &Ctx, side: &EffectiveSide, key: &str) -> EnvValue {
    let lower = key.to_ascii_lowercase();
    let names: Vec<&str> = if key.ends_with("_PROXY") {
        vec![key, lower.as_str()]
    } else {
        vec![key]
    };
    for name in names {
        let Some(v) = side.process_env.get(name).filter(|v| !v.is_empty()) else {
            continue;
        };
        let origin = match side.kind {
            SideKind::Editor => editor_setting_origin(ctx, name).unwrap_or(Origin::OsEnv),
            SideKind::Shell => Origin::OsEnv,
        };
        return EnvValue {
            value: v.clone(),
            origin,
        };
    }
    EnvValue {
        value: String::new(),
        origin: Origin::OsEnv,
    }
}

/// The editor setting that puts `name` into the editor's process environment (gopls' own env
/// wins over `go.toolsEnvVars`, as in `resolve`).
fn editor_setting_origin(ctx: &Ctx, name: &str) -> Option<Origin> {
    let settings = &ctx.snapshot.settings;
    if let Some(c) = settings.gopls_env().get(name) {
        return Some(c.origin());
    }
    settings.tools_env_vars().get(name).map(|c| c.origin())
}

fn same(ctx: &Ctx, group: Group, key: &str, a: &str, b: &str) -> bool {
    match (group, key) {
        (Group::Paths, _) => a == b || (!a.is_empty() && resolve::same_path(ctx.snapshot, a, b)),
        // Module mode is the default since Go 1.16: unset and `on` are the same.
        (_, "GO111MODULE") => {
            let mode = |v: &str| match v {
                "" => "on".to_string(),
                v => v.to_ascii_lowercase(),
            };
            mode(a) == mode(b)
        }
        (Group::Goflags, _) | (_, "GOEXPERIMENT") => a.split_whitespace().eq(b.split_whitespace()),
        _ => a == b,
    }
}

/// Differences that are not worth a finding (see the module's decisions).
#[allow(clippy::too_many_arguments)]
fn skip(
    ctx: &Ctx,
    e: &EffectiveSide,
    s: &EffectiveSide,
    key: &str,
    group: Group,
    ev: &EnvValue,
    sv: &EnvValue,
    compiler_explains_cgo: bool,
) -> bool {
    let default = |v: &EnvValue| matches!(v.origin, Origin::Default);
    // The TinyGo extension sets the editor's target on purpose (`tinygo-managed` says so).
    let tinygo = super::tinygo::editor_managed_goroot(ctx).is_some()
        || super::tinygo::target_tags(e.value("GOFLAGS")).is_some();
    if tinygo && matches!(group, Group::Target | Group::Goflags | Group::C) {
        return true;
    }
    match key {
        "CGO_ENABLED" => compiler_explains_cgo && default(ev) && default(sv),
        // Derived from GOPRIVATE, which is reported itself.
        "GONOPROXY" | "GONOSUMDB" => {
            let derived = |side: &EffectiveSide, v: &EnvValue| v.value == side.value("GOPRIVATE");
            derived(e, ev) && derived(s, sv)
        }
        "SSH_AUTH_SOCK" => {
            let missing = if ev.value.is_empty() {
                e
            } else if sv.value.is_empty() {
                s
            } else {
                return true;
            };
            missing.value("GOPRIVATE").is_empty() && missing.value("GONOPROXY").is_empty()
        }
        // git's ssh settings only matter for modules fetched directly with git.
        "GIT_SSH_COMMAND" | "GIT_SSH" => [e, s]
            .iter()
            .all(|side| side.value("GOPRIVATE").is_empty() && side.value("GONOPROXY").is_empty()),
        "NO_PROXY" => [e, s].iter().all(|side| {
            ["HTTPS_PROXY", "HTTP_PROXY"]
                .iter()
                .all(|k| process_value(ctx, side, k).value.is_empty())
        }),
        _ if group == Group::Paths => default(ev) && default(sv),
        // Two defaults, one empty: a variable one side's Go does not have yet (GOARM64,
        // GOAUTH, GOFIPS140 came with later releases); `go-version-mismatch` covers that.
        _ => default(ev) && default(sv) && (ev.value.is_empty() || sv.value.is_empty()),
    }
}

/// How a value is shown: redacted, or only whether it is set.
fn show(kind: Kind, v: &str) -> String {
    match kind {
        Kind::GoSecret | Kind::ProcessSecret => {
            if v.is_empty() {
                "not set".into()
            } else {
                "set".into()
            }
        }
        _ => shown(v),
    }
}

fn secret(kind: Kind) -> bool {
    matches!(kind, Kind::GoSecret | Kind::ProcessSecret)
}

#[allow(clippy::too_many_arguments)]
fn mismatch(
    ctx: &Ctx,
    e: &EffectiveSide,
    s: &EffectiveSide,
    key: &str,
    group: Group,
    kind: Kind,
    ev: &EnvValue,
    sv: &EnvValue,
) -> Finding {
    let snapshot = ctx.snapshot;
    let words = |side: &EffectiveSide, v: &EnvValue| match (&v.origin, v.value.is_empty()) {
        (Origin::OsEnv, true) => {
            format!("not in {}", resolve::possessive(&side.label, "environment"))
        }
        (o, _) => resolve::origin_words(snapshot, &side.label, key, o),
    };
    let describe = |side: &EffectiveSide, v: &EnvValue| {
        if v.value.is_empty() && matches!(v.origin, Origin::Default | Origin::OsEnv) {
            format!("{} has no {key}", side.label)
        } else if secret(kind) {
            format!(
                "{} has {key} {} ({})",
                side.label,
                show(kind, &v.value),
                words(side, v)
            )
        } else {
            format!(
                "{} has {key}={} ({})",
                side.label,
                show(kind, &v.value),
                words(side, v)
            )
        }
    };
    let consequence = consequence(key, group, e, s, ev);
    let message = format!("{} but {}: {consequence}", describe(e, ev), describe(s, sv));
    let mut f = finding(CODE, key, message);
    if group == Group::Paths {
        f.severity = Severity::Info;
    }
    let side_value = |side: &EffectiveSide, v: &EnvValue| {
        let mut sv = paths::side_value(side, Some(&v.value), Some(&v.origin));
        if secret(kind) {
            sv.value = Some(show(kind, &v.value));
        }
        sv
    };
    f.editor = Some(side_value(e, ev));
    f.shell = Some(side_value(s, sv));
    f.locations = paths::locations(ctx, [&ev.origin, &sv.origin]);
    f.fixes = follow_shell(ctx, key, kind, ev, sv);
    f
}

/// The editor follows the shell: the setting that makes it differ goes or takes the shell's
/// value; otherwise the shell's value is pinned for the editor.
fn follow_shell(ctx: &Ctx, key: &str, kind: Kind, ev: &EnvValue, sv: &EnvValue) -> Vec<Fix> {
    let snapshot = ctx.snapshot;
    let mut fixes: Vec<Fix> = Vec::new();
    let carry = !secret(kind) || sv.value.is_empty();
    if let Origin::EditorSetting {
        path, key: skey, ..
    } = &ev.origin
    {
        fixes.extend(paths::remove_setting(snapshot, path, skey));
        if carry {
            fixes.extend(paths::set_setting(snapshot, path, skey, &sv.value));
        }
        return fixes;
    }
    if matches!(ev.origin, Origin::ClientSetting { .. }) {
        return fixes;
    }
    let go_var = matches!(kind, Kind::Go);
    if go_var && !sv.value.is_empty() && matches!(sv.origin, Origin::OsEnv) {
        fixes.extend(paths::go_env_write(key, &sv.value));
    }
    if carry {
        fixes.extend(paths::override_setting(snapshot, key, &sv.value));
    }
    fixes
}

fn consequence(
    key: &str,
    group: Group,
    e: &EffectiveSide,
    s: &EffectiveSide,
    ev: &EnvValue,
) -> String {
    // Plural either way, so the sentences below agree with it.
    let (tools, term) = if crate::model::is_process_side(&e.label) {
        ("`go` commands here".to_string(), "your login shell")
    } else {
        (
            format!("gopls and the tools of {}", e.label),
            "the terminal",
        )
    };
    match (group, key) {
        (Group::C, "CGO_ENABLED") => {
            let off = if ev.value == "0" { &e.label } else { &s.label };
            format!(
                "cgo is off for {off}, so packages that use C (`import \"C\"`, and every \
                 package depending on one) build on one side only — with cgo off `go build` \
                 says `build constraints exclude all Go files` for them, and net and os/user \
                 switch to their pure-Go versions — and {tools} see other files than a build \
                 in {term}."
            )
        }
        (Group::C, _) => {
            "cgo compiles C with another compiler, flags or pkg-config on each side, so a cgo \
             build that works on one side can fail on the other with the C compiler's own \
             errors (for example `_cgo_export.c:3:10: fatal error: stdlib.h: No such file or \
             directory` from a compiler without its C library headers)."
                .to_string()
        }
        (Group::Private, "GOPRIVATE" | "GONOPROXY" | "GONOSUMDB") => {
            "private modules are fetched and verified differently on each side: a module one \
             side fetches directly from its repository the other asks the public proxy and \
             checksum database for (which answer `404 Not Found` or `410 Gone` for private \
             code), or git asks for credentials it cannot prompt for (`could not read \
             Username for 'https://github.com': terminal prompts disabled`)."
                .to_string()
        }
        (Group::Private, "SSH_AUTH_SOCK") => {
            let missing = if ev.value.is_empty() {
                &e.label
            } else {
                &s.label
            };
            format!(
                "{missing} has no SSH agent, so git cannot use your SSH keys when go fetches a \
                 private module over ssh (`git@…:` or an `insteadOf` rule) and fails with \
                 `Permission denied (publickey)`; start the editor from a session that has the \
                 agent (or point SSH_AUTH_SOCK at a socket that lives longer than one login)."
            )
        }
        (Group::Private, _) => {
            "git (run by go for private modules) authenticates with it on one side only, so a \
             private module that downloads in one fails in the other with `could not read \
             Username for 'https://github.com': terminal prompts disabled` or `Permission \
             denied (publickey)`. The value is not shown: it is about credentials."
                .to_string()
        }
        (Group::Proxy, _) => {
            "go's module and toolchain downloads (and git, for direct fetches) go through \
             another HTTP proxy on each side, so a download that works in one times out or is \
             refused in the other (`dial tcp …: i/o timeout`, `proxyconnect tcp`)."
                .to_string()
        }
        (Group::Goflags, _) => format!(
            "every go command on one side adds flags the other does not (build tags, \
             `-mod=vendor`, `-trimpath`…), so {tools} build, test and type-check the code \
             differently from {term}."
        ),
        (Group::Target, "GOEXPERIMENT") => format!(
            "the two build with different experiments of the compiler and runtime, so code \
             behaves (or compiles) differently, and {tools} disagree with {term}."
        ),
        (Group::Target, _) => format!(
            "the two build for different targets: {tools} type-check other files (build \
             constraints such as `_windows.go` or `//go:build arm64`) than {term}, and \
             binaries built on one side are for another system than the other's."
        ),
        (Group::Modules, "GO111MODULE") => {
            "one side may build in GOPATH mode and the other in module mode, so imports \
             resolve differently (`cannot find package` on one side, `go: cannot find main \
             module` on the other)."
                .to_string()
        }
        (Group::Modules, _) => {
            "modules are fetched and verified under different rules on each side (checksum \
             database, insecure hosts, version control tools allowed), so a download that \
             works in one can be refused in the other."
                .to_string()
        }
        (Group::Paths, _) => {
            "downloads and installed commands land in other directories on each side: modules \
             are downloaded twice, and a tool installed from one side is not found by the \
             other."
                .to_string()
        }
    }
}

/// `CC`'s compiler is found on one side's PATH and not on the other's.
fn compiler_mismatch(ctx: &Ctx, e: &EffectiveSide, s: &EffectiveSide) -> Option<Finding> {
    let (ec, sc) = (compiler(ctx, e)?, compiler(ctx, s)?);
    let (lacking, having, lv, hv) = match (&ec.1, &sc.1) {
        (None, Some(_)) => (e, s, &ec, &sc),
        (Some(_), None) => (s, e, &sc, &ec),
        _ => return None,
    };
    let found = hv.1.as_ref()?;
    let cgo_off = lacking.value("CGO_ENABLED") == "0";
    let effect = if cgo_off {
        format!(
            "cmd/go there turns cgo off by default (CGO_ENABLED=0 for {}), so packages that \
             need C are left out of its builds and analysis (`build constraints exclude all Go \
             files`)",
            lacking.label
        )
    } else {
        format!(
            "cgo builds there fail with `cgo: C compiler \"{}\" not found: exec: \"{}\": \
             executable file not found in $PATH`",
            lv.0, lv.0
        )
    };
    let message = format!(
        "The C compiler `{}` (CC) is on {} PATH ({}) but not on {}: {effect}.",
        hv.0,
        resolve::possessive(&having.label, "").trim_end(),
        found.display(),
        resolve::possessive(&lacking.label, "PATH"),
    );
    let mut f = finding(CODE, "CC", message);
    for side in [e, s] {
        let c = if side.kind == lacking.kind { lv } else { hv };
        let mut v = paths::side_value(side, None, None);
        v.value = Some(match &c.1 {
            Some(p) => p.display().to_string(),
            None => format!("no {} on PATH", c.0),
        });
        f.set_side(side.kind, v);
    }
    f.locations = paths::locations(ctx, []);
    // The editor can be given the shell's compiler by its full path (cmd/go enables cgo once
    // CC is set). Only where the editor's PATH still has /usr/bin, where the compiler's own
    // helpers (as, ld) are found: a compiler alone does not build.
    if lacking.kind == SideKind::Editor
        && e.path_entries
            .iter()
            .any(|p| p == std::path::Path::new("/usr/bin"))
    {
        f.fixes.extend(paths::override_setting(
            ctx.snapshot,
            "CC",
            &found.to_string_lossy(),
        ));
    }
    Some(f)
}

/// A side's C compiler name (first word of CC) and where its PATH has it; `None` when cgo
/// cannot matter or the facts cannot tell (no CC known, an absolute CC no side found).
fn compiler(ctx: &Ctx, side: &EffectiveSide) -> Option<(String, Option<std::path::PathBuf>)> {
    let cc = side.get("CC")?.value.split_whitespace().next()?.to_string();
    let facts = resolve::side_facts(ctx.snapshot, side.kind)?;
    if cc.contains('/') {
        let p = std::path::PathBuf::from(&cc);
        let known = [Some(&ctx.snapshot.editor), ctx.snapshot.shell.as_ref()]
            .into_iter()
            .flatten()
            .any(|f| f.c_compilers.values().any(|v| *v == p));
        return known.then_some((cc, Some(p)));
    }
    let found = facts.c_compilers.get(&cc).cloned();
    Some((cc, found))
}
