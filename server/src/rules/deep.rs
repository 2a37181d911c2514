//! `build-failed`: a side's `go` could not build or run the small program of `check --deep`
//! (the runs are facts, [`crate::model::DeepRun`]; `facts::deep` made them).
//!
//! The finding quotes go's own first lines and is located where their cause is configured
//! when the output points at a Go variable this side sets: `parsing $GOFLAGS` at GOFLAGS, a
//! toolchain download at GOTOOLCHAIN, `cannot find GOROOT` / `is not in std` at GOROOT, the
//! build cache at GOCACHE, a C compiler error at CC (else CGO_ENABLED), a word of
//! `CGO_CFLAGS`… that the compiler quotes at that variable, any other Go variable go names at
//! that variable. Output that names nothing this side configures gives a finding without a
//! location: no file holds the cause (a default GOROOT with a broken standard library, a
//! compiler missing from PATH), and pointing at go.mod would blame a file the program never
//! read. No fix is offered: the outcome is a fact of the run, which no simulated edit can
//! re-run; the findings the static rules make about the same variable carry the fixes.
//!
//! A run that could not be attempted (an untrusted workspace's `go`) is no finding: the
//! report lists it with its reason beside the runs that passed, and `untrusted-not-executed`
//! already reports the `go` itself.

use super::resolve;
use super::{finding, Ctx};
use crate::model::{DeepOutcome, DeepProgram, DeepRun, DeepStep, Finding, Origin, SideValue};
use std::collections::BTreeMap;

/// How many of go's first lines a message quotes, and how much of them.
const QUOTE_LINES: usize = 4;
const QUOTE_CHARS: usize = 500;

/// Variables holding flags: a word of their value quoted by the compiler points at them.
const FLAG_KEYS: &[&str] = &[
    "GOFLAGS",
    "CGO_CFLAGS",
    "CGO_CPPFLAGS",
    "CGO_CXXFLAGS",
    "CGO_FFLAGS",
    "CGO_LDFLAGS",
];

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    ctx.snapshot
        .deep
        .iter()
        .filter_map(|run| failed(ctx, run))
        .collect()
}

fn failed(ctx: &Ctx, run: &DeepRun) -> Option<Finding> {
    let DeepOutcome::Failed {
        step,
        exit_code,
        output,
        millis,
        timed_out,
    } = &run.outcome
    else {
        return None;
    };
    let side = ctx.side(run.side);
    let values: BTreeMap<String, String> = side
        .map(|s| {
            s.env
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect()
        })
        .unwrap_or_default();
    // The first suspect this side configures somewhere is the cause.
    let cause = side.and_then(|s| {
        suspects(output, run.program, &values)
            .into_iter()
            .find_map(|key| {
                let v = s.get(&key)?;
                (!matches!(v.origin, Origin::Default)).then(|| (key, v.clone()))
            })
    });

    let go = run
        .go
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "go".into());
    let version = side.and_then(|s| s.go_version.clone());
    let with_go = match &version {
        Some(v) => format!("{go}, {v}"),
        None => go.clone(),
    };
    let what = match run.program {
        DeepProgram::Plain => "a Go program",
        DeepProgram::Cgo => "a cgo program (CGO_ENABLED=1)",
    };
    let how = if *timed_out {
        format!(
            "did not finish within {} s and was killed",
            millis.saturating_add(500) / 1000
        )
    } else {
        match exit_code {
            Some(code) => format!("exited with code {code}"),
            None => "failed".to_string(),
        }
    };
    let said = quote(output);
    let label = &run.label;
    let mut message = match step {
        DeepStep::Build => {
            format!("{label} cannot build {what}: `go build` with its go ({with_go}) {how}{said}")
        }
        DeepStep::Run => format!(
            "{label} builds {what} with its go ({with_go}), but the program it built {how}{said}"
        ),
    };
    if let (Some((key, v)), Some(s)) = (&cause, side) {
        message.push_str(&format!(
            " go's output points at {key}={} ({}).",
            super::paths::shown(&v.value),
            resolve::origin_words(ctx.snapshot, &s.label, key, &v.origin)
        ));
    }
    if run.program == DeepProgram::Cgo {
        if let Some(v) = side
            .and_then(|s| s.get("CGO_ENABLED"))
            .filter(|v| v.value == "0" && !matches!(v.origin, Origin::Default))
        {
            let words = side
                .map(|s| resolve::origin_words(ctx.snapshot, &s.label, "CGO_ENABLED", &v.origin))
                .unwrap_or_default();
            message.push_str(&format!(
                " This side sets CGO_ENABLED=0 ({words}), so its own builds do not use cgo; \
                 --deep=cgo turned it on to try."
            ));
        }
    }
    message.push_str(&format!(
        " Every build {label} starts with this go and environment fails the same way."
    ));

    let subject = cause
        .as_ref()
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| "build".into());
    let mut f = finding("build-failed", &subject, message);
    let value = match (&cause, side) {
        (Some((key, _)), Some(s)) => ctx.side_value(s, key),
        _ => SideValue::plain(Some(go), version),
    };
    f.set_side(run.side, value);
    if let Some((_, v)) = &cause {
        f.locations.extend(ctx.origin_location(&v.origin));
    }
    Some(f)
}

/// `: "first line / second line".` — go's own first lines, or `.` when it said nothing.
fn quote(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(QUOTE_LINES)
        .collect();
    if lines.is_empty() {
        return ", printing nothing.".into();
    }
    let mut text = lines.join(" / ");
    if text.chars().count() > QUOTE_CHARS {
        text = text.chars().take(QUOTE_CHARS).collect::<String>() + "…";
    }
    format!(": \"{}\".", crate::redact::redact(&text))
}

/// The Go variables a failed step's `output` points at, most telling first. `values` are the
/// side's effective values (a cache path or a flag the output quotes points at its variable).
/// Pure text matching on go's and the C compiler's messages; the caller keeps the first one the
/// side configures.
pub fn suspects(
    output: &str,
    program: DeepProgram,
    values: &BTreeMap<String, String>,
) -> Vec<String> {
    let lower = output.to_ascii_lowercase();
    let has = |needle: &str| output.contains(needle);
    let value = |key: &str| values.get(key).map(String::as_str).unwrap_or("");
    let quotes_value = |key: &str| {
        let v = value(key);
        v.len() > 1 && v.starts_with('/') && output.contains(v)
    };
    let mut out: Vec<String> = Vec::new();
    let mut push = |key: &str| {
        if !out.iter().any(|k| k == key) {
            out.push(key.to_string());
        }
    };
    // `go: parsing $GOFLAGS: unknown flag -x` stops every command before anything else.
    if has("GOFLAGS") || has("flag provided but not defined") {
        push("GOFLAGS");
    }
    // `go: downloading go1.99.0 (linux/amd64)`, `toolchain not available`, a GOTOOLCHAIN error.
    if has("GOTOOLCHAIN")
        || lower.contains("toolchain not available")
        || lower.contains("golang.org/toolchain")
        || lower.contains("downloading go1")
        || lower.contains("download go1")
        || lower.contains("switching to go1")
    {
        push("GOTOOLCHAIN");
    }
    // `go: cannot find GOROOT directory`, `package fmt is not in std`, `compile: version
    // "go1.21.13" does not match go tool version "go1.22.10"`.
    if has("GOROOT") || has("is not in std") || has("does not match go tool version") {
        push("GOROOT");
    }
    if has("GOCACHE") || lower.contains("build cache") || quotes_value("GOCACHE") {
        push("GOCACHE");
    }
    if has("GOTMPDIR") || quotes_value("GOTMPDIR") {
        push("GOTMPDIR");
    }
    for key in FLAG_KEYS {
        let words = value(key)
            .split_whitespace()
            .filter(|w| w.len() > 2 && w.starts_with('-'))
            .any(|w| output.contains(w));
        if words {
            push(key);
        }
    }
    // The C toolchain: `cgo: C compiler "x" not found`, `exec: "gcc": executable file not
    // found in $PATH`, a missing header, the external linker.
    let cc = value("CC");
    let c_toolchain = lower.contains("c compiler")
        || ["\"gcc\"", "\"clang\"", "\"cc\""]
            .iter()
            .any(|n| has(&format!("exec: {n}")))
        || has("runtime/cgo")
        || has("stdlib.h")
        || has("stdio.h")
        || has("collect2")
        || has("cc1")
        || lower.contains("external linker")
        || (!cc.is_empty() && has(cc))
        || (program == DeepProgram::Cgo && has("# go-env-doctor-deep-check/cgo"));
    if c_toolchain {
        push("CC");
        push("CGO_ENABLED");
    }
    if has("GOOS") {
        push("GOOS");
    }
    if has("GOARCH") {
        push("GOARCH");
    }
    // Any other Go variable go names (`go: unknown GOEXPERIMENT x`, `invalid GOAMD64`).
    let mut named: Vec<&String> = values.keys().filter(|k| names(output, k)).collect();
    named.sort_by_key(|k| std::cmp::Reverse(k.len()));
    for key in named {
        push(key);
    }
    out
}

/// Whether `text` names `key` as a whole word (`GOAMD64`, not inside `GOAMD64X`).
fn names(text: &str, key: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(key).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + key.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn first(output: &str, program: DeepProgram, pairs: &[(&str, &str)]) -> Option<String> {
        suspects(output, program, &values(pairs)).into_iter().next()
    }

    #[test]
    fn go_and_compiler_messages_point_at_their_variable() {
        use DeepProgram::{Cgo, Plain};
        let none: &[(&str, &str)] = &[];
        /// (go's output, the program, the side's values, the first suspect).
        type Case<'a> = (&'a str, DeepProgram, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            ("go: parsing $GOFLAGS: unknown flag -bogusflag", Plain, none, "GOFLAGS"),
            (
                "go: -modfile=x.mod: file does not exist",
                Plain,
                &[("GOFLAGS", "-modfile=x.mod")],
                "GOFLAGS",
            ),
            (
                "go: downloading go1.99.0 (linux/amd64)\ngo: download go1.99.0: toolchain not available",
                Plain,
                none,
                "GOTOOLCHAIN",
            ),
            (
                "go: download go1.99.0: golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64.zip: module lookup disabled by GOPROXY=off",
                Plain,
                none,
                "GOTOOLCHAIN",
            ),
            ("go: cannot find GOROOT directory: /nope", Plain, none, "GOROOT"),
            ("main.go:3:8: package fmt is not in std (/r/src/fmt)", Plain, none, "GOROOT"),
            (
                "compile: version \"go1.21.13\" does not match go tool version \"go1.22.10\"",
                Plain,
                none,
                "GOROOT",
            ),
            (
                "go: failed to initialize build cache at /ro/cache: mkdir /ro/cache: permission denied",
                Plain,
                none,
                "GOCACHE",
            ),
            (
                "open /c/go-build/ab/abc-d: permission denied",
                Plain,
                &[("GOCACHE", "/c/go-build")],
                "GOCACHE",
            ),
            (
                "# runtime/cgo\ncgo: C compiler \"/nonexistent/cc\" not found: exec: \"/nonexistent/cc\": stat /nonexistent/cc: no such file or directory",
                Cgo,
                &[("CC", "/nonexistent/cc")],
                "CC",
            ),
            (
                "# runtime/cgo\ncgo: C compiler \"gcc\" not found: exec: \"gcc\": executable file not found in $PATH",
                Cgo,
                none,
                "CC",
            ),
            (
                "_cgo_export.c:3:10: fatal error: stdlib.h: No such file or directory",
                Cgo,
                none,
                "CC",
            ),
            (
                "gcc: error: unrecognized command-line option '-mbogus'",
                Cgo,
                &[("CGO_CFLAGS", "-O2 -mbogus")],
                "CGO_CFLAGS",
            ),
            (
                "cmd/go: unsupported GOOS/GOARCH pair plan8/amd64",
                Plain,
                none,
                "GOOS",
            ),
            (
                "go: unknown GOEXPERIMENT nosuch",
                Plain,
                &[("GOEXPERIMENT", "nosuch")],
                "GOEXPERIMENT",
            ),
        ];
        for (output, program, pairs, want) in cases {
            assert_eq!(
                first(output, *program, pairs).as_deref(),
                Some(*want),
                "{output}"
            );
        }
    }

    #[test]
    fn a_c_compiler_error_suspects_cc_then_cgo_enabled() {
        let s = suspects(
            "cgo: C compiler \"gcc\" not found",
            DeepProgram::Cgo,
            &BTreeMap::new(),
        );
        assert_eq!(s, vec!["CC".to_string(), "CGO_ENABLED".to_string()]);
    }

    #[test]
    fn output_naming_nothing_has_no_suspect() {
        assert!(suspects(
            "./main.go:5:2: undefined: x",
            DeepProgram::Plain,
            &values(&[("GOPROXY", "direct"), ("GOFLAGS", "-v")])
        )
        .is_empty());
        // A variable named inside a longer word is not named.
        assert!(!names("GOAMD64X is odd", "GOAMD64"));
        assert!(names("invalid GOAMD64: v9", "GOAMD64"));
    }

    #[test]
    fn the_quote_is_go_s_first_lines() {
        assert_eq!(
            quote("\n# runtime/cgo\ncgo: C compiler \"x\" not found\n"),
            ": \"# runtime/cgo / cgo: C compiler \"x\" not found\"."
        );
        assert_eq!(quote(""), ", printing nothing.");
        let long = quote(&"y".repeat(2000));
        assert!(long.chars().count() < QUOTE_CHARS + 10, "{long}");
    }
}
