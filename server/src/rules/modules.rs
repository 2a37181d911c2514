//! Module download and verification (golang/go's cmd/go/internal/modfetch): `goproxy-off`,
//! `goproxy-empty`, `goproxy-invalid`, `goproxy-insecure-http`, `goproxy-credentials`,
//! `goproxy-mismatch`, `gosumdb-off`, `gosumdb-empty`, `gosumdb-invalid`, `goinsecure-broad`,
//! `gonosumdb-broad`, `goflags-invalid`, `goflags-insecure`.
//!
//! GOPROXY and GOSUMDB are validated by ports of cmd/go's own code (modfetch `proxyList` +
//! `newProxyRepo` over a port of `net/url.Parse`; `dbDial` + `note.NewVerifier` in [`crate::goport::note`],
//! key hash included), so messages quote exactly what `go` will print. Every value that may hold a
//! URL is shown through [`paths::shown`] (→ [`crate::redact::redact`]) and never travels in a
//! fix payload when it holds credentials.
//!
//! Decisions:
//! - `goproxy-insecure-http` exempts loopback hosts (`localhost`, `127.0.0.0/8`, `::1`): a
//!   proxy on the same machine (Athens, a test proxy) sends nothing over the network.
//! - `goproxy-off` only when `off` is the first entry (module lookup disabled). `…,off` at the
//!   end is a deliberate "no direct fallback" and is fine.
//! - `goproxy-empty` / `gosumdb-empty`: a configured empty value (the `go env -w GOPROXY=`
//!   line), a value without entries (`,`, blanks), or — Go 1.21+ — nothing set while the
//!   `$GOROOT/go.env` that should supply the default is missing. Go ≤ 1.20 had built-in
//!   defaults, so an empty value is fine there.
//! - `gosumdb-off` is a warning, raised to **error** on a side whose GOPROXY has no proxy
//!   entry (`direct`/`off` only, or an unusable list): nothing then verifies modules at all.
//!   This is the only case where a finding's severity differs from the catalogue.
//! - `goinsecure-broad` / `gonosumdb-broad`: a pattern is broad when every path element is
//!   wildcards only (`*`, `*.*`, `*/*`), when it names a bare public TLD (`com`, `*.com`), or
//!   a public code host as a whole (`github.com`, `github.com/*`). GONOSUMDB defaults to
//!   GOPRIVATE (also when set empty), so a broad GOPRIVATE is reported with subject GOPRIVATE.
//! - `goflags-invalid`: what makes go commands fail — a quoting error, a non-flag word, an
//!   unknown flag (known from the `go version` failure, since the flag table lives in cmd/go),
//!   and `-insecure` on Go ≥ 1.17 (`go get` fails with `go: -insecure flag is no longer
//!   supported; use GOINSECURE instead`; other commands ignore it).
//! - `goflags-insecure`: flags that weaken module integrity while still working: `-insecure`
//!   on Go < 1.17 (HTTP and unchecked certificates for *every* module), and `-modcacherw`
//!   (the module cache stays writable, so a stray edit or a build step can change dependency
//!   sources that are never re-verified after download). `-mod=mod` and friends change which
//!   versions are used, not whether they are verified: not reported. GONOSUMDB/GOINSECURE
//!   cannot be set through GOFLAGS.

use super::goflags;
use super::paths::{self, emit, go_minor, shown, Issue};
use super::resolve::{self, EffectiveSide};
use super::{finding, Ctx};
use crate::model::{CommandResult, EnvValue, Finding, Fix, Origin, Severity, SideKind};
use std::path::Path;

const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";
const DEFAULT_GOSUMDB: &str = "sum.golang.org";

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let mut issues: Vec<(&'static str, &'static str, Issue)> = Vec::new();
    for side in paths::go_sides(ctx) {
        proxy_issues(ctx, side, &mut issues);
        sumdb_issues(ctx, side, &mut issues);
        pattern_issues(ctx, side, &mut issues);
        goflags_issues(ctx, side, &mut issues);
    }
    let mut out = Vec::new();
    for (code, subject) in [
        ("goproxy-off", "GOPROXY"),
        ("goproxy-empty", "GOPROXY"),
        ("goproxy-invalid", "GOPROXY"),
        ("goproxy-insecure-http", "GOPROXY"),
        ("goproxy-credentials", "GOPROXY"),
        ("gosumdb-off", "GOSUMDB"),
        ("gosumdb-empty", "GOSUMDB"),
        ("gosumdb-invalid", "GOSUMDB"),
        ("goinsecure-broad", "GOINSECURE"),
        ("gonosumdb-broad", "GONOSUMDB"),
        ("gonosumdb-broad", "GOPRIVATE"),
        ("goflags-invalid", "GOFLAGS"),
        ("goflags-insecure", "GOFLAGS"),
    ] {
        let group: Vec<Issue> = issues
            .iter()
            .filter(|(c, s, _)| *c == code && *s == subject)
            .map(|(_, _, i)| i.clone())
            .collect();
        out.extend(emit(ctx, code, subject, group, |issue, who| {
            let lead = format!(
                "{} {} {subject}={} ({})",
                who.names,
                who.verb("uses", "use"),
                issue.side_value_text(),
                issue.origin_words
            );
            format!("{lead}{}", issue.detail)
        }));
    }
    out.extend(proxy_mismatch(ctx));
    out
}

fn env(side: &EffectiveSide, key: &str) -> EnvValue {
    side.get(key).cloned().unwrap_or(EnvValue {
        value: String::new(),
        origin: Origin::Default,
    })
}

/// Go 1.21+ (or unknown) reads defaults from `$GOROOT/go.env`; older Go has built-ins.
fn uses_go_env(side: &EffectiveSide) -> bool {
    go_minor(side).is_none_or(|m| m >= 21)
}

/// Nothing set and the go.env that should supply the default is missing.
fn go_env_missing(side: &EffectiveSide, ev: &EnvValue) -> bool {
    ev.value.is_empty()
        && matches!(ev.origin, Origin::Default)
        && uses_go_env(side)
        && side.goroot_env_root.is_some()
        && !side.goroot_env_found
}

fn go_env_missing_words(side: &EffectiveSide) -> String {
    format!(
        "nothing sets it, and {}/go.env, which normally supplies the default, was not found",
        side.goroot_env_root.as_deref().unwrap_or("$GOROOT")
    )
}

// ---------------------------------------------------------------------------------------------
// GOPROXY
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Off,
    Direct,
    Url {
        url: String,
        scheme: String,
        host: String,
        /// `|` before the next entry (fall through on any error).
        fallback: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct ProxyList {
    entries: Vec<Entry>,
    /// cmd/go's error for the list (without `go: `).
    error: Option<String>,
}

/// cmd/go's `proxyList` (modfetch/proxy.go), without the implicit `noproxy` entry.
fn parse_proxy(value: &str) -> ProxyList {
    let mut entries = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let (piece, fallback) = match rest.find([',', '|']) {
            Some(i) => {
                let fb = rest.as_bytes()[i] == b'|';
                let piece = &rest[..i];
                rest = &rest[i + 1..];
                (piece, fb)
            }
            None => {
                let piece = rest;
                rest = "";
                (piece, false)
            }
        };
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        if piece == "off" {
            entries.push(Entry::Off);
            break;
        }
        if piece == "direct" {
            entries.push(Entry::Direct);
            break;
        }
        let mut url = piece.to_string();
        if piece.contains(['.', ':', '/'])
            && !piece.contains(":/")
            && !piece.starts_with('/')
            && !Path::new(piece).is_absolute()
        {
            url = format!("https://{piece}");
        }
        match check_proxy_url(&url) {
            Ok((scheme, host)) => entries.push(Entry::Url {
                url,
                scheme,
                host,
                fallback,
            }),
            Err(e) => {
                return ProxyList {
                    entries,
                    error: Some(e),
                }
            }
        }
    }
    if entries.is_empty() {
        return ProxyList {
            entries,
            error: Some("GOPROXY list is not the empty string, but contains no entries".into()),
        };
    }
    ProxyList {
        entries,
        error: None,
    }
}

/// modfetch `newProxyRepo`'s checks: (scheme, host) or cmd/go's error.
fn check_proxy_url(url: &str) -> Result<(String, String), String> {
    let u = url_parse(url)?;
    let redacted = paths::shown_raw(url);
    match u.scheme.as_str() {
        "http" | "https" => Ok((u.scheme, u.host)),
        "file" => {
            let only_path = !u.opaque
                && !u.has_user
                && u.host.is_empty()
                && !u.has_query
                && !u.force_query
                && !u.has_fragment
                && !u.omit_host;
            if only_path {
                Ok((u.scheme, u.host))
            } else {
                Err(format!(
                    "invalid file:// proxy URL with non-path elements: {redacted}"
                ))
            }
        }
        "" => Err(format!("invalid proxy URL missing scheme: {redacted}")),
        _ => Err(format!(
            "invalid proxy URL scheme (must be https, http, file): {redacted}"
        )),
    }
}

fn is_loopback(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    let name = if let Some(rest) = h.strip_prefix('[') {
        rest.split(']').next().unwrap_or("").to_string()
    } else {
        h.rsplit_once(':').map_or(h.clone(), |(n, _)| n.to_string())
    };
    name == "localhost"
        || name == "::1"
        || name.split('.').next() == Some("127")
            && name.split('.').count() == 4
            && name.split('.').all(|p| p.parse::<u8>().is_ok())
}

fn proxy_issues(
    ctx: &Ctx,
    side: &EffectiveSide,
    out: &mut Vec<(&'static str, &'static str, Issue)>,
) {
    let snapshot = ctx.snapshot;
    let ev = env(side, "GOPROXY");
    let base = |detail: String| {
        let mut i = Issue::new(ctx, side, "GOPROXY", &ev.value, &ev.origin);
        i.detail = detail;
        i
    };
    let reset_fixes = || {
        let mut f = paths::unset_fixes(snapshot, "GOPROXY", &ev.origin);
        f.extend(paths::set_fixes(
            snapshot,
            side,
            "GOPROXY",
            &ev.origin,
            DEFAULT_GOPROXY,
        ));
        f
    };

    if paths::secret(&ev.value) {
        let issue = base(
            ": the URL carries credentials, and everything that prints the environment \
             (`go env`, bug reports, CI logs, screenshots) leaks them. Put them in ~/.netrc \
             (or the file $NETRC names), which cmd/go uses to authenticate to the proxy, and \
             keep GOPROXY free of secrets."
                .into(),
        );
        out.push(("goproxy-credentials", "GOPROXY", issue));
    }

    if go_env_missing(side, &ev) {
        let mut issue = base(String::new());
        issue.origin_words = go_env_missing_words(side);
        issue.detail = ": module downloads fail with `go: GOPROXY list is not the empty string, \
                        but contains no entries`."
            .into();
        issue.fixes =
            paths::set_fixes(snapshot, side, "GOPROXY", &Origin::Default, DEFAULT_GOPROXY);
        out.push(("goproxy-empty", "GOPROXY", issue));
        return;
    }
    if ev.value.is_empty() && (matches!(ev.origin, Origin::Default) || !uses_go_env(side)) {
        // Unset, or Go ≤ 1.20 where an empty value means the built-in default.
        return;
    }
    let list = parse_proxy(&ev.value);
    match &list.error {
        Some(e) if list.entries.is_empty() && e.starts_with("GOPROXY list") => {
            let trap = if ev.value.is_empty() && matches!(ev.origin, Origin::EnvFile { .. }) {
                " An empty `GOPROXY=` line, as `go env -w GOPROXY=` writes it, does not restore \
                 the default: it hides the one in $GOROOT/go.env (https://proxy.golang.org,direct). \
                 Use `go env -u GOPROXY` instead."
            } else {
                ""
            };
            let mut issue = base(format!(
                ": the list has no entries, so module downloads fail with `go: {e}`.{trap}"
            ));
            issue.fixes = reset_fixes();
            out.push(("goproxy-empty", "GOPROXY", issue));
        }
        Some(e) => {
            // cmd/go's own error can quote a piece of the password ("invalid port \":s3cret\"").
            let e = crate::redact::scrub(e, &ev.value);
            let mut issue = base(format!(
                ": cmd/go rejects the whole list, so every module download fails with `go: {e}`."
            ));
            issue.fixes = reset_fixes();
            out.push(("goproxy-invalid", "GOPROXY", issue));
        }
        None => {
            if list.entries.first() == Some(&Entry::Off) {
                let noproxy = side.value("GONOPROXY");
                let except = if noproxy.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (only modules matching GONOPROXY={} are still fetched directly)",
                        shown(noproxy)
                    )
                };
                let mut issue = base(format!(
                    ": module downloads are disabled{except}; a missing module fails with `go: \
                     module lookup disabled by GOPROXY=off`, and a toolchain download with the \
                     misleading `toolchain not available`."
                ));
                issue.fixes = reset_fixes();
                out.push(("goproxy-off", "GOPROXY", issue));
            }
            let insecure: Vec<String> = list
                .entries
                .iter()
                .filter_map(|e| match e {
                    Entry::Url {
                        url, scheme, host, ..
                    } if scheme == "http" && !is_loopback(host) => Some(paths::shown_raw(url)),
                    _ => None,
                })
                .collect();
            if !insecure.is_empty() {
                let issue = base(format!(
                    ": {} {} plain HTTP, so module downloads (and any proxy credentials) travel \
                     unencrypted and can be tampered with on the way. The checksum database \
                     still protects public modules, but not those matching GONOSUMDB/GOPRIVATE. \
                     Use https:// if the proxy supports it.",
                    insecure.join(", "),
                    if insecure.len() > 1 { "use" } else { "uses" }
                ));
                out.push(("goproxy-insecure-http", "GOPROXY", issue));
            }
        }
    }
}

/// The list as cmd/go uses it, for comparing sides.
fn proxy_key(value: &str) -> (Vec<Entry>, Option<String>) {
    let l = parse_proxy(value);
    if l.error.is_some() {
        return (Vec::new(), Some(value.trim().to_string()));
    }
    (l.entries, None)
}

fn proxy_mismatch(ctx: &Ctx) -> Vec<Finding> {
    let snapshot = ctx.snapshot;
    let (Some(es), Some(ss)) = (
        paths::go_side(ctx, SideKind::Editor),
        paths::go_side(ctx, SideKind::Shell),
    ) else {
        return Vec::new();
    };
    let (e, s) = (env(es, "GOPROXY"), env(ss, "GOPROXY"));
    if proxy_key(&e.value) == proxy_key(&s.value) {
        return Vec::new();
    }
    let words = |side: &EffectiveSide, ev: &EnvValue| {
        if go_env_missing(side, ev) {
            go_env_missing_words(side)
        } else {
            resolve::origin_words(snapshot, &side.label, "GOPROXY", &ev.origin)
        }
    };
    let consequence = if crate::model::is_process_side(&es.label) {
        "`go` here can resolve other versions than in your login shell, or fail to reach \
         modules the other side can fetch."
    } else {
        "gopls and the editor's tools can resolve other versions than `go` in a terminal, or \
         fail to reach modules the other side can fetch."
    };
    let message = format!(
        "{} downloads modules through GOPROXY={} ({}) but {} uses GOPROXY={} ({}): {consequence}",
        es.label,
        shown(&e.value),
        words(es, &e),
        ss.label,
        shown(&s.value),
        words(ss, &s),
    );
    let mut f = finding("goproxy-mismatch", "GOPROXY", message);
    f.editor = Some(paths::side_value(es, Some(&e.value), Some(&e.origin)));
    f.shell = Some(paths::side_value(ss, Some(&s.value), Some(&s.origin)));
    f.locations = paths::locations(ctx, [&e.origin, &s.origin]);
    let mut fixes: Vec<Fix> = Vec::new();
    if let Origin::EditorSetting { path, key, .. } = &e.origin {
        fixes.extend(paths::remove_setting(snapshot, path, key));
        if !s.value.is_empty() {
            fixes.extend(paths::set_setting(snapshot, path, key, &s.value));
        }
    } else if !s.value.is_empty() {
        if matches!(s.origin, Origin::OsEnv) {
            fixes.extend(paths::go_env_write("GOPROXY", &s.value));
        }
        fixes.extend(paths::override_setting(snapshot, "GOPROXY", &s.value));
    }
    f.fixes = fixes;
    vec![f]
}

// ---------------------------------------------------------------------------------------------
// GOSUMDB
// ---------------------------------------------------------------------------------------------

const KNOWN_SUMDB_KEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// cmd/go's `dbDial` checks: `Err` is the message `go` prints.
fn check_sumdb(value: &str) -> Result<(), String> {
    let g = if value == "sum.golang.google.cn" {
        "sum.golang.org https://sum.golang.google.cn"
    } else {
        value
    };
    let mut key: Vec<&str> = g.split_whitespace().collect();
    if key.first() == Some(&"sum.golang.org") {
        key[0] = KNOWN_SUMDB_KEY;
    }
    if key.is_empty() {
        return Err("verifying module: missing GOSUMDB".into());
    }
    if key.len() > 2 {
        return Err("verifying module: invalid GOSUMDB: too many fields".into());
    }
    let name = crate::goport::note::new_verifier(key[0])
        .map_err(|e| format!("verifying module: invalid GOSUMDB: {e}"))?;
    let bad_name = || format!("verifying module: invalid sumdb name (must be host[/path]): {name}");
    match url_parse(&format!("https://{name}")) {
        Ok(u) => {
            if name.ends_with('/')
                || u.host.is_empty()
                || u.has_user
                || u.has_query
                || u.force_query
                || u.has_fragment
                || u.raw_path
            {
                return Err(bad_name());
            }
        }
        Err(_) => return Err(bad_name()),
    }
    if let Some(u) = key.get(1) {
        url_parse(u).map_err(|e| format!("verifying module: invalid GOSUMDB URL: {e}"))?;
    }
    Ok(())
}

fn sumdb_issues(
    ctx: &Ctx,
    side: &EffectiveSide,
    out: &mut Vec<(&'static str, &'static str, Issue)>,
) {
    let snapshot = ctx.snapshot;
    let ev = env(side, "GOSUMDB");
    let base = |detail: String| {
        let mut i = Issue::new(ctx, side, "GOSUMDB", &ev.value, &ev.origin);
        i.detail = detail;
        i.fixes = paths::unset_fixes(snapshot, "GOSUMDB", &ev.origin);
        i.fixes.extend(paths::set_fixes(
            snapshot,
            side,
            "GOSUMDB",
            &ev.origin,
            DEFAULT_GOSUMDB,
        ));
        i
    };
    if go_env_missing(side, &ev) {
        let mut issue = base(
            ": checksum verification fails with `verifying module: missing GOSUMDB`, and \
             toolchain switching stops working."
                .into(),
        );
        issue.origin_words = go_env_missing_words(side);
        issue.fixes =
            paths::set_fixes(snapshot, side, "GOSUMDB", &Origin::Default, DEFAULT_GOSUMDB);
        out.push(("gosumdb-empty", "GOSUMDB", issue));
        return;
    }
    if ev.value.is_empty() && (matches!(ev.origin, Origin::Default) || !uses_go_env(side)) {
        return;
    }
    if ev.value == "off" {
        let proxy = parse_proxy(side.value("GOPROXY"));
        let no_proxy =
            proxy.error.is_some() || !proxy.entries.iter().any(|e| matches!(e, Entry::Url { .. }));
        let mut issue = if no_proxy {
            base(format!(
                ": modules are not checked against the checksum database, and with GOPROXY={} \
                 they come straight from their origin servers, so nothing verifies them at all. \
                 Toolchain downloads fail with `verifying module: checksum database disabled by \
                 GOSUMDB=off`.",
                shown(side.value("GOPROXY"))
            ))
        } else {
            base(
                ": downloaded modules are not checked against the checksum database, so a \
                 compromised proxy or origin goes unnoticed; toolchain downloads fail with \
                 `verifying module: checksum database disabled by GOSUMDB=off`. Use \
                 GONOSUMDB/GOPRIVATE for private modules instead."
                    .into(),
            )
        };
        if no_proxy {
            issue.severity = Some(Severity::Error);
        }
        out.push(("gosumdb-off", "GOSUMDB", issue));
        return;
    }
    match check_sumdb(&ev.value) {
        Ok(()) => {}
        Err(e) if e.ends_with("missing GOSUMDB") => {
            let trap = if matches!(ev.origin, Origin::EnvFile { .. }) && ev.value.is_empty() {
                " An empty `GOSUMDB=` line, as `go env -w GOSUMDB=` writes it, hides the default \
                 from $GOROOT/go.env (sum.golang.org); use `go env -u GOSUMDB` instead."
            } else {
                ""
            };
            out.push((
                "gosumdb-empty",
                "GOSUMDB",
                base(format!(": checksum verification fails with `{e}`.{trap}")),
            ));
        }
        Err(e) => out.push((
            "gosumdb-invalid",
            "GOSUMDB",
            base(format!(
                ": every module download fails its checksum verification with `{e}`. Valid \
                 forms: `off`, `sum.golang.org`, `sum.golang.google.cn`, a verifier key \
                 `name+hash+key`, optionally followed by the database URL."
            )),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// GOINSECURE / GONOSUMDB / GOPRIVATE patterns
// ---------------------------------------------------------------------------------------------

const PUBLIC_TLDS: &[&str] = &[
    "com", "org", "net", "io", "dev", "app", "co", "info", "biz", "me", "xyz", "cloud", "tech",
    "site", "online", "ai", "so", "cc", "tv", "to", "gg", "ly", "sh", "gov", "edu", "eu", "us",
    "uk", "de", "fr", "nl", "be", "ch", "at", "it", "es", "pt", "se", "no", "fi", "dk", "pl", "cz",
    "ru", "ua", "tr", "il", "ir", "in", "cn", "jp", "kr", "tw", "hk", "sg", "id", "vn", "au", "nz",
    "ca", "mx", "br", "ar", "za",
];

const PUBLIC_HOSTS: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "golang.org",
    "google.golang.org",
    "go.googlesource.com",
    "gopkg.in",
    "go.uber.org",
    "k8s.io",
    "sigs.k8s.io",
    "gitee.com",
    "codeberg.org",
    "sr.ht",
    "git.sr.ht",
];

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn wildcard_only(element: &str) -> bool {
    !element.is_empty()
        && element
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| matches!(c, '*' | '?')))
}

/// Why a `path.Match` prefix pattern matches far more than intended, if it does.
fn broad_reason(pattern: &str) -> Option<String> {
    let p = pattern.trim_end_matches('/');
    if p.is_empty() {
        return None;
    }
    let elements: Vec<&str> = p.split('/').collect();
    if elements.iter().all(|e| wildcard_only(e)) {
        return Some(format!("`{p}` matches every module path"));
    }
    let host = elements[0];
    let rest_wild = elements[1..].iter().all(|e| wildcard_only(e));
    let labels: Vec<&str> = host.split('.').collect();
    if let Some((last, before)) = labels.split_last() {
        if !is_glob(last)
            && PUBLIC_TLDS.contains(&last.to_ascii_lowercase().as_str())
            && before.iter().all(|l| wildcard_only(l))
            && rest_wild
        {
            return Some(format!("`{p}` matches every module under .{last}"));
        }
    }
    if PUBLIC_HOSTS.contains(&host.to_ascii_lowercase().as_str()) && rest_wild {
        return Some(format!("`{p}` matches every module hosted on {host}"));
    }
    None
}

fn split_patterns(value: &str) -> Vec<&str> {
    value
        .split(',')
        .filter(|p| !p.trim_end_matches('/').is_empty())
        .collect()
}

fn pattern_issues(
    ctx: &Ctx,
    side: &EffectiveSide,
    out: &mut Vec<(&'static str, &'static str, Issue)>,
) {
    let snapshot = ctx.snapshot;
    // GONOSUMDB, or GOPRIVATE when GONOSUMDB is unset or empty.
    let nosum = side
        .layers
        .get("GONOSUMDB")
        .filter(|l| l.len() > 1)
        .and_then(|l| l.first())
        .filter(|v| !v.value.is_empty())
        .map(|v| ("GONOSUMDB", v.clone()))
        .unwrap_or_else(|| ("GOPRIVATE", env(side, "GOPRIVATE")));
    let checks: [(&'static str, &'static str, EnvValue); 2] = [
        ("goinsecure-broad", "GOINSECURE", env(side, "GOINSECURE")),
        ("gonosumdb-broad", nosum.0, nosum.1),
    ];
    for (code, key, ev) in checks {
        let patterns = split_patterns(&ev.value);
        let reasons: Vec<String> = patterns.iter().filter_map(|p| broad_reason(p)).collect();
        if reasons.is_empty() {
            continue;
        }
        let what = reasons.join("; ");
        let detail = if code == "goinsecure-broad" {
            format!(
                ": {what}, so all of them may be fetched over plain HTTP and without TLS \
                 certificate checks. List only the hosts that need it (e.g. \
                 `git.corp.example.com`); GOINSECURE does not skip the checksum database."
            )
        } else {
            let private = if key == "GOPRIVATE" {
                " GOPRIVATE also makes them bypass the module proxy (it is GONOPROXY's default)."
            } else {
                ""
            };
            format!(
                ": {what}, so none of them is checked against the checksum database and a \
                 tampered module or proxy goes unnoticed. List only your private module paths \
                 (e.g. `git.corp.example.com,github.com/your-org`).{private}"
            )
        };
        let mut issue = Issue::new(ctx, side, key, &ev.value, &ev.origin);
        issue.detail = detail;
        let narrow: Vec<&str> = patterns
            .iter()
            .copied()
            .filter(|p| broad_reason(p).is_none())
            .collect();
        if narrow.is_empty() {
            issue.fixes = paths::unset_fixes(snapshot, key, &ev.origin);
        } else {
            issue.fixes = paths::set_fixes(snapshot, side, key, &ev.origin, &narrow.join(","));
        }
        out.push((code, key, issue));
    }
}

// ---------------------------------------------------------------------------------------------
// GOFLAGS
// ---------------------------------------------------------------------------------------------

/// cmd/internal/quoted `Split`.
fn quoted_split(s: &str) -> Result<Vec<String>, String> {
    let b = s.as_bytes();
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && space(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            let start = i + 1;
            let Some(len) = b[start..].iter().position(|&c| c == q) else {
                return Err(format!("unterminated {} string", q as char));
            };
            out.push(s[start..start + len].to_string());
            i = start + len + 1;
            continue;
        }
        let start = i;
        while i < b.len() && !space(b[i]) {
            i += 1;
        }
        out.push(s[start..i].to_string());
    }
    Ok(out)
}

/// `-name`, `--name`, `-name=value` → (name, value).
fn flag_parts(field: &str) -> Option<(&str, Option<&str>)> {
    let rest = field.strip_prefix('-')?;
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    Some(match rest.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (rest, None),
    })
}

/// A boolean flag that is on (`-x`, `-x=true`, `-x=1`, …).
fn bool_on(field: &str, name: &str) -> bool {
    match flag_parts(field) {
        Some((n, v)) if n == name => {
            matches!(v, None | Some("1" | "t" | "T" | "true" | "TRUE" | "True"))
        }
        _ => false,
    }
}

fn is_non_flag(f: &str) -> bool {
    !f.starts_with('-')
        || f == "-"
        || f == "--"
        || f.starts_with("---")
        || f.starts_with("-=")
        || f.starts_with("--=")
}

/// The `go version` failure of a side about GOFLAGS, when it ran this side's go.
fn goflags_failure(ctx: &Ctx, side: &EffectiveSide) -> Option<String> {
    if !side.ran {
        return None;
    }
    let facts = resolve::side_facts(ctx.snapshot, side.kind)?;
    match facts.go_version.as_ref()? {
        CommandResult::Failed { stderr, .. } => stderr
            .lines()
            .find(|l| l.contains("$GOFLAGS"))
            .map(|l| l.trim().to_string()),
        _ => None,
    }
}

fn requote(field: &str) -> String {
    if field.chars().any(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
        if field.contains('"') {
            format!("'{field}'")
        } else {
            format!("\"{field}\"")
        }
    } else {
        field.to_string()
    }
}

fn goflags_issues(
    ctx: &Ctx,
    side: &EffectiveSide,
    out: &mut Vec<(&'static str, &'static str, Issue)>,
) {
    let snapshot = ctx.snapshot;
    let ev = env(side, "GOFLAGS");
    if ev.value.trim().is_empty() {
        return;
    }
    let minor = go_minor(side);
    let modern = minor.is_none_or(|m| m >= 17);
    // cmd/go's complaint (about the first bad word, where it stops) and every word it would
    // reject: a fix must drop them all, since dropping only the named one leaves the next.
    let mut invalid: Option<String> = None;
    let mut bad: Vec<String> = Vec::new();
    let mut insecure: Vec<(String, &'static str)> = Vec::new();
    let observed = goflags_failure(ctx, side);
    let fields = match quoted_split(&ev.value) {
        Ok(f) => f,
        Err(e) => {
            invalid = Some(format!("go: parsing $GOFLAGS: {e}"));
            Vec::new()
        }
    };
    for f in &fields {
        if is_non_flag(f) {
            bad.push(f.clone());
            invalid.get_or_insert_with(|| {
                format!("go: parsing $GOFLAGS: non-flag {}", paths::go_quote(f))
            });
            continue;
        }
        let Some((name, _)) = flag_parts(f) else {
            continue;
        };
        let named_by_go = observed
            .as_deref()
            .and_then(|l| l.split("unknown flag -").nth(1))
            .is_some_and(|n| n.trim() == name);
        let unknown = match goflags::known(name, minor) {
            Some(known) => !known,
            // A release the table does not cover: only what `go` itself rejected.
            None => named_by_go,
        };
        if unknown {
            bad.push(f.clone());
            invalid.get_or_insert_with(|| match (&observed, named_by_go) {
                (Some(line), true) => line.clone(),
                _ => format!("go: parsing $GOFLAGS: unknown flag -{name}"),
            });
        }
    }
    if invalid.is_none() {
        // `go version` failed about GOFLAGS for a reason the words do not show.
        invalid = observed.clone();
    }
    if modern {
        if let Some(f) = fields.iter().find(|f| bool_on(f, "insecure")) {
            bad.push(f.clone());
            invalid.get_or_insert_with(|| {
                "go: -insecure flag is no longer supported; use GOINSECURE instead".into()
            });
        }
    }
    for f in &fields {
        if !modern && bool_on(f, "insecure") {
            insecure.push((
                f.clone(),
                "`-insecure` lets `go get` fetch every module over plain HTTP and without \
                 certificate checks (use GOINSECURE with the hosts that need it; Go 1.17 \
                 removed the flag)",
            ));
        }
        if bool_on(f, "modcacherw") {
            insecure.push((
                f.clone(),
                "`-modcacherw` leaves the module cache writable, so a stray edit or a build \
                 step can change dependency sources that are never re-verified after download \
                 (`go mod verify` detects it)",
            ));
        }
    }
    let fixes_without = |drop: &[&str]| -> Vec<Fix> {
        let rest: Vec<String> = fields
            .iter()
            .filter(|f| !drop.contains(&f.as_str()))
            .map(|f| requote(f))
            .collect();
        if rest.is_empty() || drop.is_empty() {
            paths::unset_fixes(snapshot, "GOFLAGS", &ev.origin)
        } else {
            let mut v = paths::set_fixes(snapshot, side, "GOFLAGS", &ev.origin, &rest.join(" "));
            v.extend(paths::unset_fixes(snapshot, "GOFLAGS", &ev.origin));
            v
        }
    };
    if let Some(msg) = invalid {
        let mut issue = Issue::new(ctx, side, "GOFLAGS", &ev.value, &ev.origin);
        let which = if msg.contains("-insecure flag") {
            "`go get` fails with"
        } else {
            "every go command except `go env` and `go bug` fails with"
        };
        issue.detail = format!(": {which} `{}`.", paths::shown_raw(&msg));
        if bad.len() > 1 {
            let rest: Vec<String> = bad[1..].iter().map(|f| paths::shown_raw(f)).collect();
            issue.detail.push_str(&format!(
                " It stops at the first bad word; `go` rejects {} too.",
                rest.join(", ")
            ));
        }
        let tinygo: Vec<String> = bad
            .iter()
            .filter(|f| flag_parts(f).is_some_and(|(n, _)| goflags::tinygo_only(n)))
            .cloned()
            .collect();
        if !tinygo.is_empty() {
            issue.detail.push_str(&format!(
                " {} {} TinyGo compiler {}: give {} to `tinygo build` (or TinyGo's own \
                 settings), not to `go`.",
                tinygo.join(" "),
                if tinygo.len() == 1 { "is a" } else { "are" },
                if tinygo.len() == 1 { "flag" } else { "flags" },
                if tinygo.len() == 1 { "it" } else { "them" },
            ));
        }
        let drop: Vec<&str> = bad.iter().map(|s| s.as_str()).collect();
        issue.fixes = fixes_without(&drop);
        out.push(("goflags-invalid", "GOFLAGS", issue));
    }
    if !insecure.is_empty() {
        let mut issue = Issue::new(ctx, side, "GOFLAGS", &ev.value, &ev.origin);
        let why: Vec<&str> = insecure.iter().map(|(_, w)| *w).collect();
        issue.detail = format!(": {}.", why.join("; "));
        let drop: Vec<&str> = insecure.iter().map(|(f, _)| f.as_str()).collect();
        issue.fixes = fixes_without(&drop);
        out.push(("goflags-insecure", "GOFLAGS", issue));
    }
}

// ---------------------------------------------------------------------------------------------
// A port of net/url.Parse, as far as cmd/go's checks need it. Not the `url` crate: that one
// follows the WHATWG URL standard, which accepts what Go refuses and normalises what Go keeps
// (an `https://` proxy with an empty host, escapes Go calls invalid, a port Go rejects), and the
// errors here must be the words `go` prints. It quotes paths through `rules::paths`, so it
// lives beside the rules that use it rather than in `goport`.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Url {
    scheme: String,
    opaque: bool,
    has_user: bool,
    host: String,
    omit_host: bool,
    has_query: bool,
    force_query: bool,
    has_fragment: bool,
    /// The path needs a RawPath (escapes that differ from the default encoding).
    raw_path: bool,
}

/// `url.Parse`: the parts cmd/go looks at, or the error as Go prints it
/// (`parse "…": invalid URL escape "%zz"`), credentials redacted.
fn url_parse(raw: &str) -> Result<Url, String> {
    let (u, frag) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let wrap = |s: &str, e: String| format!("parse {}: {e}", paths::go_quote(&paths::shown_raw(s)));
    let mut url = parse_inner(u).map_err(|e| wrap(u, e))?;
    if let Some(f) = frag {
        if !f.is_empty() {
            unescape(f, Mode::Fragment).map_err(|e| wrap(raw, e))?;
            url.has_fragment = true;
        }
    }
    Ok(url)
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

fn parse_inner(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if raw == "*" {
        return Ok(url);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        rest = r;
        url.has_query = !q.is_empty();
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = !rest.is_empty();
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        let (has_user, host) = parse_authority(authority)?;
        url.has_user = has_user;
        url.host = host;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    let path = unescape(rest, Mode::Path)?;
    url.raw_path = escape_path(&path) != rest;
    Ok(url)
}

fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".into());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn parse_authority(authority: &str) -> Result<(bool, String), String> {
    let at = authority.rfind('@');
    let host_part = match at {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    let host = parse_host(host_part)?;
    let Some(i) = at else {
        return Ok((false, host));
    };
    let userinfo = &authority[..i];
    let valid = userinfo
        .chars()
        .all(|r| r.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(r));
    if !valid {
        return Err("net/url: invalid userinfo".into());
    }
    match userinfo.split_once(':') {
        Some((user, pass)) => {
            unescape(user, Mode::UserPassword)?;
            unescape(pass, Mode::UserPassword)?;
        }
        None => {
            unescape(userinfo, Mode::UserPassword)?;
        }
    }
    Ok((true, host))
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
    }
}

fn parse_host(host: &str) -> Result<String, String> {
    if let Some(open) = host.rfind('[') {
        let Some(close) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let colon_port = &host[close + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!(
                "invalid port {} after host",
                paths::go_quote(colon_port)
            ));
        }
        if open < close {
            let name = &host[open + 1..close];
            if !name.contains(':') {
                return Err("invalid IP-literal".into());
            }
        }
        return Ok(host.to_string());
    }
    if let Some(i) = host.rfind(':') {
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!(
                "invalid port {} after host",
                paths::go_quote(colon_port)
            ));
        }
    }
    unescape(host, Mode::Host)
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn should_escape_host(c: u8) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    !matches!(
        c,
        b'!' | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'['
            | b']'
            | b'<'
            | b'>'
            | b'"'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
    )
}

/// net/url `unescape`'s validation; returns the unescaped text.
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if i + 2 >= b.len() || !is_hex(b[i + 1]) || !is_hex(b[i + 2]) {
                    let end = (i + 3).min(b.len());
                    let bad = String::from_utf8_lossy(&b[i..end]).into_owned();
                    return Err(format!("invalid URL escape {}", paths::go_quote(&bad)));
                }
                let hi = (b[i + 1] as char).to_digit(16).unwrap_or(0) as u8;
                let lo = (b[i + 2] as char).to_digit(16).unwrap_or(0) as u8;
                if mode == Mode::Host && hi < 8 && &s[i..i + 3] != "%25" {
                    return Err(format!(
                        "invalid URL escape {}",
                        paths::go_quote(&s[i..i + 3])
                    ));
                }
                out.push(hi << 4 | lo);
                i += 3;
            }
            c => {
                if mode == Mode::Host && c < 0x80 && should_escape_host(c) {
                    return Err(format!(
                        "invalid character {} in host name",
                        paths::go_quote(&(c as char).to_string())
                    ));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// net/url's default path escaping (`encodePath`), to tell whether a RawPath is needed.
fn escape_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for &c in p.as_bytes() {
        let keep = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'_'
                    | b'.'
                    | b'~'
                    | b'$'
                    | b'&'
                    | b'+'
                    | b','
                    | b'/'
                    | b':'
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(v: &str) -> Option<String> {
        parse_proxy(v).error
    }

    #[test]
    fn proxy_lists_like_cmd_go() {
        assert_eq!(err("https://proxy.golang.org,direct"), None);
        assert_eq!(err("goproxy.cn,direct"), None);
        assert_eq!(err("http//x"), None);
        assert_eq!(err("file:///srv/mods"), None);
        assert_eq!(err("off"), None);
        assert_eq!(err("direct,foo"), None, "entries after direct are ignored");
        assert_eq!(
            err("foo").as_deref(),
            Some("invalid proxy URL missing scheme: foo")
        );
        assert_eq!(
            err("ftp://x").as_deref(),
            Some("invalid proxy URL scheme (must be https, http, file): ftp://x")
        );
        assert_eq!(
            err("file://host/x").as_deref(),
            Some("invalid file:// proxy URL with non-path elements: file://host/x")
        );
        assert_eq!(
            err("file:/srv/mods").as_deref(),
            Some("invalid file:// proxy URL with non-path elements: file:/srv/mods")
        );
        assert_eq!(
            err("%zz").as_deref(),
            Some("parse \"%zz\": invalid URL escape \"%zz\"")
        );
        assert_eq!(
            err("https://a:b@x:y/").as_deref(),
            Some("parse \"https://a:***@x:y/\": invalid port \":y\" after host")
        );
        assert_eq!(
            err(",").as_deref(),
            Some("GOPROXY list is not the empty string, but contains no entries")
        );
        assert_eq!(
            err("/srv/mods").as_deref(),
            Some("invalid proxy URL missing scheme: /srv/mods")
        );
        // Checked against go1.25.5 (`GOPROXY=… go list -m golang.org/x/text@v0.3.0`).
        for (v, want) in [
            (
                "https://x#f%z",
                "parse \"https://x#f%z\": invalid URL escape \"%z\"",
            ),
            (
                "https://ex ample.com",
                "parse \"https://ex ample.com\": invalid character \" \" in host name",
            ),
            (
                "file:///x?y",
                "invalid file:// proxy URL with non-path elements: file:///x?y",
            ),
            (":/x", "parse \":/x\": missing protocol scheme"),
            (
                "a:b",
                "parse \"https://a:b\": invalid port \":b\" after host",
            ),
            (
                "https://[::1",
                "parse \"https://[::1\": missing ']' in host",
            ),
            (
                "https://[1.2.3.4]",
                "parse \"https://[1.2.3.4]\": invalid IP-literal",
            ),
        ] {
            assert_eq!(err(v).as_deref(), Some(want), "{v}");
        }
        assert_eq!(err("HTTPS://x"), None);
    }

    #[test]
    fn sumdb_forms() {
        assert_eq!(check_sumdb("sum.golang.org"), Ok(()));
        assert_eq!(check_sumdb("sum.golang.google.cn"), Ok(()));
        assert_eq!(check_sumdb(KNOWN_SUMDB_KEY), Ok(()));
        assert_eq!(
            check_sumdb("sum.golang.org https://goproxy.io/sumdb/sum.golang.org"),
            Ok(())
        );
        assert_eq!(
            check_sumdb("a b c").err().unwrap_or_default(),
            "verifying module: invalid GOSUMDB: too many fields"
        );
        assert_eq!(
            check_sumdb("sum.example.com").err().unwrap_or_default(),
            "verifying module: invalid GOSUMDB: malformed verifier id"
        );
        assert_eq!(
            check_sumdb("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn9")
                .err()
                .unwrap_or_default(),
            "verifying module: invalid GOSUMDB: invalid verifier hash"
        );
        assert_eq!(
            check_sumdb("  ").err().unwrap_or_default(),
            "verifying module: missing GOSUMDB"
        );
    }

    #[test]
    fn broad_patterns() {
        for p in [
            "*",
            "*.*",
            "*/*",
            "com",
            "*.com",
            "github.com",
            "github.com/*",
        ] {
            assert!(broad_reason(p).is_some(), "{p}");
        }
        for p in [
            "corp.example.com",
            "*.corp.example.com",
            "github.com/acme",
            "corp",
            "example.*",
        ] {
            assert!(broad_reason(p).is_none(), "{p}");
        }
    }

    #[test]
    fn goflags_split() {
        assert_eq!(
            quoted_split("-a '-ldflags=-s -w' -b").ok(),
            Some(vec!["-a".into(), "-ldflags=-s -w".into(), "-b".into()])
        );
        assert_eq!(
            quoted_split("-a \"x").err().unwrap_or_default(),
            "unterminated \" string"
        );
    }
}
