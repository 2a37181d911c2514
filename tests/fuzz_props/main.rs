//! Property-based fuzzing of every parser and editor that reads files strangers can commit:
//! seeded generators build structured but hostile inputs (settings files with comments, trailing
//! commas, a BOM, CRLF, duplicates, deep nesting, huge and non-ASCII strings, lone surrogate
//! escapes, truncations; XML with entities, CDATA, odd attributes; env files with `=`-less lines,
//! CRs and NULs; go.mod with every directive; `go env -json` and shell probe output with noise),
//! and the checks in `fuzz_support` (shared with the cargo-fuzz targets in `fuzz/`) assert that
//! nothing panics and that every edit keeps the file parseable, sets or removes exactly its
//! member and changes nothing else.
//!
//! The run is deterministic. Knobs: `GO_ENV_DOCTOR_FUZZ_CASES=N` runs N cases per target instead
//! of the short default (the normal test run), `GO_ENV_DOCTOR_FUZZ_SEED=S` changes the seed.
//! Each target prints its case count (`-- --nocapture` shows it).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

#[path = "../fuzz_support/mod.rs"]
mod fuzz_support;

use std::collections::BTreeMap;

use fuzz_support as check;
use go_env_doctor::settings::idea;
use go_env_doctor::settings::jsonc::{json_string, SettingsRoot};

// ---------------------------------------------------------------------------------------------
// A small deterministic generator
// ---------------------------------------------------------------------------------------------

/// SplitMix64: tiny, fast, and good enough to pick shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True with probability 1/n.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn s(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }
}

fn seed() -> u64 {
    std::env::var("GO_ENV_DOCTOR_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x00C0_FFEE)
}

/// Runs `case` for the target's number of cases, each with its own generator (so a failure
/// names a case that can be re-run alone with the same seed).
fn run(target: &str, default_cases: usize, mut case: impl FnMut(&mut Rng)) {
    let cases = std::env::var("GO_ENV_DOCTOR_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_cases);
    let salt = target.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let start = std::time::Instant::now();
    for i in 0..cases {
        let mut rng = Rng(seed() ^ salt ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&mut rng)));
        if let Err(e) = outcome {
            eprintln!("fuzz_props: {target}: case {i} (seed {}) failed", seed());
            std::panic::resume_unwind(e);
        }
    }
    eprintln!(
        "fuzz_props: {target}: {cases} cases in {:.1}s (seed {})",
        start.elapsed().as_secs_f64(),
        seed()
    );
}

// ---------------------------------------------------------------------------------------------
// Pieces of hostile text
// ---------------------------------------------------------------------------------------------

const ATOMS: &[&str] = &[
    "",
    "x",
    "/usr/local/go",
    "/home/dev/sdk/go1.22.10",
    "/home/dev/src/shop/../sdk/go",
    "C:\\Program Files\\Go",
    "~/go",
    "~",
    "${env:HOME}",
    "${env: GOPATH }",
    "${env:}",
    "${workspaceFolder}/sdk",
    "${workspaceFolderBasename}",
    "$$",
    "$&",
    "$'",
    "$`",
    "https://proxy.golang.org,direct",
    "https://user:s3cret@proxy.corp/x|direct",
    "off",
    "-mod=mod -tags=a,b",
    "josé",
    "Документы",
    "🚀",
    "\u{200b}",
    "\u{feff}",
    "\u{0}",
    "\u{1}",
    "\u{7f}",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\"",
    "\\",
    "'",
    "<",
    ">",
    "&",
    "&amp;",
    "&#233;",
    "]]>",
    "<!--",
    "=",
    "A=B",
    "{",
    "}",
    "[",
    "//",
    "/*",
    "*/",
    ",",
    ":",
    " ",
    "$PROJECT_DIR$/sdk",
    "$USER_HOME$/go",
    "file://$USER_HOME$/sdk/go",
    "\u{fffd}",
    "\u{10ffff}",
    "\u{d7ff}",
];

const VARS: &[&str] = &[
    "GOPROXY",
    "GOFLAGS",
    "GOROOT",
    "GOPATH",
    "GOTOOLCHAIN",
    "GONOSUMDB",
    "CGO_ENABLED",
    "A",
    "Z9",
    "ÉTÉ",
    "lower",
    "WITH SPACE",
    "WITH.DOT",
    "Q\"UOTE",
    "",
];

fn atom(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..=rng.below(3) {
        s.push_str(rng.s(ATOMS));
    }
    if rng.one_in(40) {
        // A huge value.
        s.push_str(&"ab\u{e9}\\".repeat(2_000 + rng.below(3_000)));
    }
    s
}

fn var(rng: &mut Rng) -> String {
    if rng.one_in(6) {
        atom(rng)
    } else {
        rng.s(VARS).to_string()
    }
}

/// A random char boundary of `s` (0 and `s.len()` included).
fn boundary(rng: &mut Rng, s: &str) -> usize {
    let mut at = rng.below(s.len() + 1);
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Hostile small edits of otherwise well-formed text: truncation, deletion, duplication and
/// insertion of syntax characters.
fn mutate(rng: &mut Rng, s: &str, tokens: &[&'static str]) -> String {
    let mut out = s.to_string();
    for _ in 0..=rng.below(3) {
        match rng.below(5) {
            0 => {
                let at = boundary(rng, &out);
                out.truncate(at);
            }
            1 => {
                let a = boundary(rng, &out);
                let b = boundary(rng, &out);
                let (a, b) = (a.min(b), a.max(b));
                out.replace_range(a..b, "");
            }
            2 => {
                let a = boundary(rng, &out);
                let b = boundary(rng, &out);
                let (a, b) = (a.min(b), a.max(b));
                let piece = out[a..b].to_string();
                out.insert_str(b, &piece);
            }
            3 => {
                let at = boundary(rng, &out);
                out.insert_str(at, rng.s(tokens));
            }
            _ => {
                let at = boundary(rng, &out);
                out.insert_str(at, rng.s(ATOMS));
            }
        }
    }
    out
}

/// Byte-level damage (invalid UTF-8 included).
fn mutate_bytes(rng: &mut Rng, s: &str) -> Vec<u8> {
    let mut b = s.as_bytes().to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(b.len() + 1);
        match rng.below(3) {
            0 if at < b.len() => b[at] = rng.next() as u8,
            1 => b.insert(
                at,
                *rng.pick(&[0xFF, 0xFE, 0xC3, 0x80, 0xED, 0xA0, 0xF4, 0x90]),
            ),
            _ => b.truncate(at),
        }
    }
    b
}

// ---------------------------------------------------------------------------------------------
// JSONC settings files
// ---------------------------------------------------------------------------------------------

struct Style {
    indent: &'static str,
    nl: &'static str,
    trailing_commas: bool,
    comments: bool,
}

fn style(rng: &mut Rng) -> Style {
    Style {
        indent: rng.s(&["\t", "  ", "    ", "", " \t"]),
        nl: rng.s(&["\n", "\r\n", "\n", "\r", " "]),
        trailing_commas: rng.one_in(2),
        comments: rng.one_in(2),
    }
}

fn json_comment(rng: &mut Rng, st: &Style) -> String {
    if !st.comments || !rng.one_in(3) {
        return String::new();
    }
    match rng.below(3) {
        0 => format!("// {}\n", atom(rng).replace(['\n', '\r'], " ")),
        1 => format!("/* {} */", atom(rng).replace("*/", "* /")),
        _ => "/**/".to_string(),
    }
}

/// A JSON string literal: escaped text, or one of the escapes parsers get wrong.
fn string_lit(rng: &mut Rng) -> String {
    if rng.one_in(6) {
        rng.s(&[
            "\"\\uD800\"",
            "\"a\\uDC00b\"",
            "\"\\ud83d\\ude80\"",
            "\"\\u0000\"",
            "\"\\/usr\\/local\"",
            "\"\\u00e9\\t\\b\\f\"",
            "\"\\uDBFF\\uDFFF\"",
            "\"\\ud83d\"",
        ])
        .to_string()
    } else {
        json_string(&atom(rng))
    }
}

fn json_value(rng: &mut Rng, st: &Style, depth: usize) -> String {
    let leaf = depth > 3 || rng.one_in(2);
    if leaf {
        return match rng.below(6) {
            0 => rng
                .s(&["0", "-1.5e3", "1e400", "12345678901234567890", "true"])
                .to_string(),
            1 => rng.s(&["false", "null"]).to_string(),
            _ => string_lit(rng),
        };
    }
    if rng.one_in(12) {
        // Deep nesting.
        let n = 20 + rng.below(200);
        return format!("{}1{}", "[".repeat(n), "]".repeat(n));
    }
    if rng.one_in(3) {
        let items: Vec<String> = (0..rng.below(4))
            .map(|_| json_value(rng, st, depth + 1))
            .collect();
        return format!("[{}]", items.join(", "));
    }
    let members: Vec<(String, String)> = (0..rng.below(4))
        .map(|_| (json_string(&var(rng)), json_value(rng, st, depth + 1)))
        .collect();
    json_object(rng, st, depth, &members)
}

fn json_object(rng: &mut Rng, st: &Style, depth: usize, members: &[(String, String)]) -> String {
    let pad = st.indent.repeat(depth + 1);
    let mut out = String::from("{");
    for (i, (k, v)) in members.iter().enumerate() {
        out.push_str(st.nl);
        out.push_str(&pad);
        out.push_str(&json_comment(rng, st));
        out.push_str(k);
        out.push_str(rng.s(&[": ", ":", " : ", ":\t"]));
        out.push_str(v);
        if i + 1 < members.len() || st.trailing_commas {
            out.push(',');
        }
        if st.comments && rng.one_in(5) {
            out.push_str(" // c");
            out.push('\n');
        }
    }
    if !members.is_empty() {
        out.push_str(st.nl);
        out.push_str(&st.indent.repeat(depth));
    }
    out.push('}');
    out
}

/// A settings object's members: the Go settings in every shape, unrelated ones, duplicates.
fn settings_members(rng: &mut Rng, st: &Style, depth: usize) -> Vec<(String, String)> {
    let mut members: Vec<(String, String)> = Vec::new();
    let env = |rng: &mut Rng, d: usize| -> String {
        let m: Vec<(String, String)> = (0..rng.below(4))
            .map(|_| {
                let v = if rng.one_in(5) {
                    json_value(rng, st, d + 1)
                } else {
                    string_lit(rng)
                };
                (json_string(&var(rng)), v)
            })
            .collect();
        json_object(rng, st, d, &m)
    };
    for _ in 0..rng.below(7) {
        let m = match rng.below(9) {
            0 => ("\"go.goroot\"".to_string(), string_lit(rng)),
            1 => ("\"go.gopath\"".to_string(), string_lit(rng)),
            2 => ("\"go.toolsEnvVars\"".to_string(), env(rng, depth + 1)),
            3 => {
                let n = 1 + rng.below(2);
                let m = [
                    ("\"go\"".to_string(), string_lit(rng)),
                    ("\"gopls\"".to_string(), string_lit(rng)),
                ];
                (
                    "\"go.alternateTools\"".to_string(),
                    json_object(rng, st, depth + 1, &m[..n]),
                )
            }
            4 => {
                let mut g = vec![("\"ui.semanticTokens\"".to_string(), "true".to_string())];
                if rng.one_in(2) {
                    g.push(("\"build.env\"".to_string(), env(rng, depth + 2)));
                }
                if rng.one_in(2) {
                    let e = vec![("\"env\"".to_string(), env(rng, depth + 3))];
                    g.push(("\"build\"".to_string(), json_object(rng, st, depth + 2, &e)));
                }
                if rng.one_in(3) {
                    g.reverse();
                }
                ("\"gopls\"".to_string(), json_object(rng, st, depth + 1, &g))
            }
            5 => (
                // Go settings with values of the wrong type.
                json_string(rng.s(&["go.goroot", "go.toolsEnvVars", "go.alternateTools", "gopls"])),
                json_value(rng, st, depth + 1),
            ),
            6 => (
                json_string(rng.s(&["editor.tabSize", "[go]", "go.inferGopath", "é"])),
                json_value(rng, st, depth + 1),
            ),
            7 if !members.is_empty() => {
                // A duplicate of an earlier member.
                let i = rng.below(members.len());
                members[i].clone()
            }
            _ => (json_string(&var(rng)), json_value(rng, st, depth + 1)),
        };
        members.push(m);
    }
    members
}

fn jsonc_file(rng: &mut Rng, root: SettingsRoot) -> String {
    let st = style(rng);
    let body = match root {
        SettingsRoot::TopLevel => {
            let m = settings_members(rng, &st, 0);
            json_object(rng, &st, 0, &m)
        }
        SettingsRoot::WorkspaceFile => {
            let mut top = vec![(
                "\"folders\"".to_string(),
                "[{ \"path\": \".\" }]".to_string(),
            )];
            if !rng.one_in(4) {
                let m = settings_members(rng, &st, 1);
                top.push(("\"settings\"".to_string(), json_object(rng, &st, 1, &m)));
            }
            if rng.one_in(3) {
                top.push(("\"extensions\"".to_string(), json_value(rng, &st, 1)));
            }
            if rng.one_in(4) {
                top.reverse();
            }
            json_object(rng, &st, 0, &top)
        }
    };
    let mut out = String::new();
    if rng.one_in(4) {
        out.push('\u{feff}');
    }
    out.push_str(&json_comment(rng, &st));
    out.push_str(&body);
    out.push_str(rng.s(&["\n", "", "\r\n", "\n// end\n", "\n\n  "]));
    match rng.below(30) {
        0 => String::new(),
        1 => "  \n".to_string(),
        2 => "// only a comment\n".to_string(),
        3 => "[1, 2]".to_string(),
        4 => "\u{feff}".to_string(),
        _ => out,
    }
}

fn jsonc_key(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => "go.goroot".into(),
        1 => "go.gopath".into(),
        2 => "go.alternateTools.go".into(),
        3 => format!("go.alternateTools.{}", var(rng)),
        4 | 5 => format!("go.toolsEnvVars.{}", var(rng)),
        6 => format!("gopls.build.env.{}", var(rng)),
        7 => format!("gopls.env.{}", var(rng)),
        8 => rng
            .pick(&[
                "",
                "go.toolsEnvVars",
                "go.toolsEnvVars.",
                "go.alternateTools",
                "gopls",
                "gopls.build.env",
                "gopls.build.env.",
                "gopls.env",
                "gopls.env.",
                "gopls.build",
            ])
            .to_string(),
        9 => rng
            .pick(&[
                "go.inferGopath",
                "settings",
                "folders",
                "editor.tabSize",
                "[go]",
            ])
            .to_string(),
        _ => atom(rng),
    }
}

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "//",
    "/*",
    "*/",
    "\n",
    "\r",
    "\u{feff}",
    "\\u",
    "\\uD800",
    "\"go.goroot\":",
    "1e",
    "-",
    "tru",
    "\u{0}",
];

#[test]
fn jsonc_settings() {
    run("jsonc", 1_000, |rng| {
        let root = *rng.pick(&check::JSONC_ROOTS);
        let text = jsonc_file(rng, root);
        check::jsonc_any(text.as_bytes());
        let key = jsonc_key(rng);
        let value = atom(rng);
        check::jsonc_set(&text, root, &key, &value);
        check::jsonc_remove(&text, root, &key);
        // An existing member: set it to something else and remove it.
        if let Ok(found) = check::jsonc_parse(&text, root) {
            if !found.is_empty() {
                let c = &found[rng.below(found.len())];
                check::jsonc_set(&text, root, &c.key.to_string(), &value);
                check::jsonc_set(&text, root, &c.key.to_string(), &c.raw);
                check::jsonc_remove(&text, root, &c.key.to_string());
            }
        }
        // Damaged files: never a panic, never an edit that breaks them further.
        let damaged = mutate(rng, &text, JSON_TOKENS);
        check::jsonc_any(damaged.as_bytes());
        check::jsonc_set(&damaged, root, &key, &value);
        check::jsonc_remove(&damaged, root, &key);
        check::jsonc_any(&mutate_bytes(rng, &text));
    });
}

#[test]
fn jsonc_substitution() {
    run("substitute", 3_000, |rng| {
        let env: Vec<(String, String)> = (0..rng.below(3)).map(|_| (var(rng), atom(rng))).collect();
        let folder = rng
            .s(&["", "/w/shop", "/w/$$&`'", "C:\\w\\x", "/"])
            .to_string();
        let home = rng
            .pick(&[None, Some("/home/dev"), Some(""), Some("/")])
            .map(str::to_string);
        let raw = atom(rng);
        check::substitute_any(&raw, &folder, home.as_deref(), &env);
        check::substitute_any(
            &mutate(rng, &raw, &["${env:", "}", "~", "${workspaceFolder}"]),
            &folder,
            home.as_deref(),
            &env,
        );
    });
}

// ---------------------------------------------------------------------------------------------
// .idea/workspace.xml
// ---------------------------------------------------------------------------------------------

fn xml_attr(rng: &mut Rng, name: &str, value: &str) -> String {
    let v = if rng.one_in(8) {
        rng.s(&[
            "&#233;t&#xE9;",
            "a&amp;b",
            "&#x1F680;",
            "&lt;x&gt;",
            "&quot;",
            "&#10;",
        ])
        .to_string()
    } else {
        idea::escape_attr(value)
    };
    match rng.below(6) {
        0 => format!(" {name}='{}'", v.replace('\'', "&apos;")),
        1 => format!("\n      {name} = \"{v}\""),
        _ => format!(" {name}=\"{v}\""),
    }
}

fn xml_empty_or_closed(rng: &mut Rng, head: &str, name: &str) -> String {
    match rng.below(3) {
        0 => format!("{head}/>"),
        1 => format!("{head} />"),
        _ => format!("{head}></{name}>"),
    }
}

fn idea_file(rng: &mut Rng) -> String {
    let nl = rng.s(&["\n", "\r\n", "\n"]);
    let unit = rng.s(&["  ", "    ", "\t", ""]);
    let mut comps: Vec<String> = Vec::new();
    for _ in 0..rng.below(5) {
        let i1 = unit.to_string();
        let i2 = unit.repeat(2);
        let i3 = unit.repeat(3);
        let i4 = unit.repeat(4);
        let c = match rng.below(7) {
            0 | 1 => {
                let path = atom(rng);
                let mut head = String::from("<component");
                let loc = match rng.below(4) {
                    0 => xml_attr(rng, "path", &path),
                    1 => String::new(),
                    _ => xml_attr(rng, "url", &format!("file://{path}")),
                };
                let name = xml_attr(rng, "name", "GOROOT");
                if rng.one_in(2) {
                    head.push_str(&loc);
                    head.push_str(&name);
                } else {
                    head.push_str(&name);
                    head.push_str(&loc);
                }
                format!("{i1}{}", xml_empty_or_closed(rng, &head, "component"))
            }
            2..=4 => {
                let mut inner = Vec::new();
                if rng.one_in(3) {
                    let t = if rng.one_in(4) {
                        "<![CDATA[https://cdata.example]]>".to_string()
                    } else {
                        idea::escape_attr(&atom(rng))
                    };
                    inner.push(format!("{i2}<proxy>{t}</proxy>"));
                }
                match rng.below(4) {
                    0 => inner.push(format!("{i2}<environment />")),
                    1 => inner.push(format!("{i2}<environment>{nl}{i3}<map />{nl}{i2}</environment>")),
                    2 => {
                        let mut entries = Vec::new();
                        for _ in 0..rng.below(4) {
                            let mut head = format!("{i4}<entry");
                            let k = var(rng);
                            head.push_str(&xml_attr(rng, "key", &k));
                            if !rng.one_in(8) {
                                let v = atom(rng);
                                head.push_str(&xml_attr(rng, "value", &v));
                            }
                            entries.push(xml_empty_or_closed(rng, &head, "entry"));
                        }
                        if rng.one_in(3) && !entries.is_empty() {
                            entries.push(entries[0].clone());
                        }
                        let body = entries.join(nl);
                        inner.push(format!(
                            "{i2}<environment>{nl}{i3}<map>{nl}{body}{nl}{i3}</map>{nl}{i2}</environment>"
                        ));
                    }
                    _ => {}
                }
                if rng.one_in(3) {
                    inner.push(format!("{i2}<integration-enabled>false</integration-enabled>"));
                }
                if inner.is_empty() && rng.one_in(2) {
                    format!("{i1}<component name=\"VgoProject\" />")
                } else {
                    format!(
                        "{i1}<component name=\"VgoProject\">{nl}{}{nl}{i1}</component>",
                        inner.join(nl)
                    )
                }
            }
            5 => format!(
                "{i1}<component name=\"PropertiesComponent\"><![CDATA[{{{nl}  \"keyToString\": {{ \"a\": \"]]&gt;\" }}{nl}}}]]></component>"
            ),
            _ => {
                let comment = atom(rng).replace('-', "_");
                let v = atom(rng);
                let attr = xml_attr(rng, "value", &v);
                format!(
                    "{i1}<component name=\"Other\">{nl}{i2}<!-- {comment} -->{nl}{i2}<option name=\"x\"{attr} />{nl}{i1}</component>"
                )
            }
        };
        comps.push(c);
        if rng.one_in(6) {
            let dup = comps[rng.below(comps.len())].clone();
            comps.push(dup);
        }
    }
    let mut out = String::new();
    if rng.one_in(5) {
        out.push('\u{feff}');
    }
    if !rng.one_in(5) {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        out.push_str(nl);
    }
    if rng.one_in(8) {
        out.push_str("<!DOCTYPE project [<!ENTITY sdk \"/opt/go\">]>");
        out.push_str(nl);
    }
    if rng.one_in(6) {
        out.push_str("<!-- GoLand -->");
        out.push_str(nl);
    }
    if comps.is_empty() && rng.one_in(2) {
        out.push_str("<project version=\"4\" />");
    } else {
        out.push_str("<project version=\"4\">");
        for c in &comps {
            out.push_str(nl);
            out.push_str(c);
        }
        out.push_str(nl);
        out.push_str("</project>");
    }
    out.push_str(rng.s(&["\n", "", "\r\n", "\n<?pi x?>\n"]));
    match rng.below(40) {
        0 => String::new(),
        1 => " \n ".to_string(),
        2 => "<project/>".to_string(),
        3 => "<?xml version=\"1.0\"?><!-- nothing -->".to_string(),
        _ => out,
    }
}

fn idea_key(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 | 1 => idea::GOROOT_KEY.to_string(),
        2..=4 => format!("{}{}", idea::ENV_PREFIX, var(rng)),
        _ => rng
            .pick(&[
                "go.gopath",
                "go.toolsEnvVars.",
                "gopls.build.env.GOFLAGS",
                "",
            ])
            .to_string(),
    }
}

fn idea_value(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!(
            "/home/dev/{}",
            rng.s(&["sdk/go1.22.3", "go", "Документы/go"])
        ),
        1 => format!("/home/dev/src/shop/{}", rng.s(&["sdk", "a/b"])),
        2 => "/usr/local/go".to_string(),
        _ => atom(rng),
    }
}

const XML_TOKENS: &[&str] = &[
    "<",
    ">",
    "/>",
    "</",
    "\"",
    "'",
    "&",
    "&bogus;",
    "&#0;",
    "&#xD800;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?",
    "?>",
    "<!DOCTYPE x>",
    "=",
    "\u{feff}",
    "\0",
    "<entry key=\"GOPROXY\" value=\"x\"/>",
    "</project>",
    "<project>",
];

#[test]
fn idea_workspace() {
    run("idea", 1_500, |rng| {
        let text = idea_file(rng);
        check::idea_any(&text);
        let key = idea_key(rng);
        let value = idea_value(rng);
        check::idea_set(&text, &key, &value);
        check::idea_remove(&text, &key);
        if let Ok(found) = check::idea_parse(&text) {
            if !found.is_empty() {
                let c = &found[rng.below(found.len())];
                check::idea_set(&text, &c.key.to_string(), &value);
                check::idea_remove(&text, &c.key.to_string());
            }
        }
        let damaged = mutate(rng, &text, XML_TOKENS);
        check::idea_any(&damaged);
        check::idea_set(&damaged, &key, &value);
        check::idea_remove(&damaged, &key);
        check::idea_macros_any(&value);
        let segs: Vec<&str> = (0..rng.below(4))
            .map(|_| rng.s(&["home", "dev", "src", "shop", "sdk", "é", "go 1"]))
            .collect();
        check::idea_macros_any(&format!("/{}", segs.join("/")));
    });
}

// ---------------------------------------------------------------------------------------------
// The go env file
// ---------------------------------------------------------------------------------------------

fn env_line(rng: &mut Rng) -> String {
    let key = rng.s(&[
        "GOPROXY",
        "GOFLAGS",
        "GOROOT",
        "GOTOOLCHAIN",
        "A",
        "goproxy",
        " GOPROXY",
        "#GOPROXY",
        "GO PROXY",
        "ÉTÉ",
        "\u{feff}GOPROXY",
        "G\u{0}O",
        "",
    ]);
    match rng.below(8) {
        0 => key.to_string(),
        1 => rng
            .s(&["", "# comment", "   ", "\u{0}", "=", "=x"])
            .to_string(),
        _ => {
            let mut v = atom(rng).replace('\n', "");
            if rng.one_in(4) {
                v.push('\r');
            }
            format!("{key}={v}")
        }
    }
}

fn env_file(rng: &mut Rng) -> String {
    let nl = rng.s(&["\n", "\r\n"]);
    let mut lines: Vec<String> = (0..rng.below(8)).map(|_| env_line(rng)).collect();
    if rng.one_in(3) && !lines.is_empty() {
        let dup = lines[rng.below(lines.len())].clone();
        lines.push(dup);
    }
    let mut out = String::new();
    if rng.one_in(6) {
        out.push('\u{feff}');
    }
    out.push_str(&lines.join(nl));
    if rng.one_in(2) {
        out.push_str(nl);
    }
    out
}

fn env_key(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => rng
            .pick(&[
                "", "lower", "A=B", "A\nB", "A\rB", "1A", "É", " A", "A B", "A\u{0}",
            ])
            .to_string(),
        _ => rng
            .pick(&["GOPROXY", "GOFLAGS", "GOROOT", "GOTOOLCHAIN", "A", "GOENV"])
            .to_string(),
    }
}

#[test]
fn env_file_edits() {
    run("envfile", 3_000, |rng| {
        let text = env_file(rng);
        check::envfile_any(&text);
        let key = env_key(rng);
        let value = atom(rng);
        check::envfile_set(&text, &key, &value);
        check::envfile_remove(&text, &key);
        let damaged = mutate(rng, &text, &["\n", "\r", "=", "\u{0}", "\u{feff}"]);
        check::envfile_any(&damaged);
        check::envfile_set(&damaged, &key, &value);
        check::envfile_remove(&damaged, &key);
    });
}

// ---------------------------------------------------------------------------------------------
// go.mod / go.work
// ---------------------------------------------------------------------------------------------

const GOMOD_LINES: &[&str] = &[
    "module example.com/m",
    "module \"example.com/quoted\"",
    "module `example.com/raw`",
    "module \"bad\\q\"",
    "module \"esc\\\"aped\\n\"",
    "module",
    "module a b",
    "module (",
    "module ( )",
    "go 1.22",
    "go 1.21.0",
    "go 1.21rc1",
    "go 1.22.3 // pinned",
    "go 01.2",
    "go 1.",
    "go 1.2 1.3",
    "go",
    "go 99999999999.1",
    "toolchain go1.22.3",
    "toolchain default",
    "toolchain go1.22.3-bigcorp",
    "toolchain 1.22",
    "require example.com/x v1.0.0",
    "require (",
    "\texample.com/a v1.2.3 // indirect",
    ")",
    ") x",
    "replace example.com/a => ../a",
    "replace (",
    "exclude example.com/x v1.0.0",
    "retract [v1.0.0, v1.1.0]",
    "retract v1.0.1 // oops",
    "godebug default=go1.21",
    "godebug (",
    "tool example.com/t",
    "ignore ./x",
    "use ./a",
    "use (",
    "\t./b",
    "/* not allowed */",
    "// comment",
    "\u{feff}module bom",
    "\"unterminated",
    "`raw unterminated",
    "é",
    "\u{200b}go 1.22",
    "x/*y",
    "( )",
    "{ } [ ] ,",
    "\u{0}",
    "",
    "   ",
];

fn gomod_file(rng: &mut Rng) -> String {
    let nl = rng.s(&["\n", "\r\n", "\n\n"]);
    let lines: Vec<String> = (0..rng.below(14))
        .map(|_| {
            if rng.one_in(8) {
                format!("{} {}", rng.s(&["go", "toolchain", "module"]), atom(rng))
            } else {
                rng.s(GOMOD_LINES).to_string()
            }
        })
        .collect();
    lines.join(nl)
}

fn version_string(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "go",
        "1",
        ".",
        "21",
        "0",
        "rc",
        "beta",
        "alpha",
        "2",
        "-",
        "bigcorp",
        " ",
        "\t",
        "/",
        "99999999999",
        "01",
        "x",
        "4294967295",
        "4294967296",
        "é",
    ];
    (0..rng.below(7)).map(|_| rng.s(PIECES)).collect()
}

#[test]
fn gomod_files() {
    run("gomod", 3_000, |rng| {
        let text = gomod_file(rng);
        check::gomod_any(&text);
        check::gomod_any(&mutate(
            rng,
            &text,
            &["(", ")", "\"", "`", "//", "\n", "\r", "\u{feff}"],
        ));
        check::version_any(&version_string(rng));
    });
}

// ---------------------------------------------------------------------------------------------
// Command output
// ---------------------------------------------------------------------------------------------

fn go_env_output(rng: &mut Rng) -> String {
    let st = Style {
        indent: "\t",
        nl: "\n",
        trailing_commas: false,
        comments: false,
    };
    let mut members: Vec<(String, String)> = Vec::new();
    for _ in 0..rng.below(8) {
        let key = json_string(&var(rng));
        let value = match rng.below(8) {
            0 => json_value(rng, &st, 2),
            1 => rng
                .s(&["\"\\uD800\"", "1e400", "-0", "null", "[]", "{}"])
                .to_string(),
            _ => json_string(&atom(rng)),
        };
        members.push((key, value));
    }
    let mut out = json_object(rng, &st, 0, &members);
    out.push('\n');
    match rng.below(10) {
        0 => mutate(rng, &out, JSON_TOKENS),
        1 => format!("go: warning\n{out}"),
        2 => format!("{out}{out}"),
        _ => out,
    }
}

#[test]
fn go_env_json() {
    run("go_env_json", 2_000, |rng| {
        check::go_env_json_any(&go_env_output(rng));
    });
}

fn shell_output(rng: &mut Rng, mark: &str, env: &BTreeMap<String, String>) -> Vec<u8> {
    let json = serde_json::to_string(env).unwrap();
    let noise = |rng: &mut Rng| -> String {
        let mut s = String::new();
        for _ in 0..rng.below(4) {
            s.push_str(rng.s(&[
                "Welcome!\n",
                "{\"GOPATH\":\"/fake\"}\n",
                "}",
                "{",
                "\u{1b}[0m",
                "\u{0}",
                "motd: é 🚀\n",
            ]));
        }
        s
    };
    let mut out = noise(rng);
    match rng.below(6) {
        0 => {
            // An earlier, broken block and a mark in the noise.
            out.push_str(&format!("{mark}{{\"A\": 1}}{mark}{mark}"));
        }
        1 => out.push_str(&format!("{mark}}}{mark}{{")),
        _ => {}
    }
    out.push_str(&format!("{mark}{json}{mark}"));
    out.push_str(&noise(rng));
    let mut bytes = out.into_bytes();
    if rng.one_in(6) {
        let at = rng.below(bytes.len() + 1);
        bytes.truncate(at);
    }
    if rng.one_in(8) {
        bytes.insert(rng.below(bytes.len() + 1), 0xFF);
    }
    bytes
}

#[test]
fn shell_probe_output() {
    run("shell_extract", 1_000, |rng| {
        let mark = if rng.one_in(10) {
            rng.s(&["", "x", "{", "}", "\"", "é"]).to_string()
        } else {
            format!("{:012x}", rng.next() & 0xFFFF_FFFF_FFFF)
        };
        let mut env = BTreeMap::new();
        for _ in 0..rng.below(5) {
            let v = if rng.one_in(5) {
                // A variable holding the mark (a shell that keeps our command line).
                format!("{mark}{{}}{mark}")
            } else {
                atom(rng)
            };
            env.insert(var(rng), v);
        }
        let out = shell_output(rng, &mark, &env);
        check::shell_extract_any(&out, &mark);
        // A complete output with a real mark gives the environment back exactly.
        let intact = mark.len() == 12;
        let printed = format!("{mark}{}{mark}", serde_json::to_string(&env).unwrap());
        if intact && out.windows(printed.len()).any(|w| w == printed.as_bytes()) {
            let tail_start = out
                .windows(printed.len())
                .rposition(|w| w == printed.as_bytes())
                .unwrap()
                + printed.len();
            if !out[tail_start..]
                .windows(mark.len())
                .any(|w| w == mark.as_bytes())
            {
                assert_eq!(
                    go_env_doctor::facts::shell::extract_env(&out, &mark).as_ref(),
                    Some(&env),
                    "{}",
                    String::from_utf8_lossy(&out)
                );
            }
        }
    });
}

#[test]
fn proxy_redaction() {
    run("redact", 5_000, |rng| {
        const PIECES: &[&str] = &[
            "https://",
            "http://",
            "://",
            "user",
            ":",
            "tok",
            "@",
            "proxy.corp",
            "/",
            ",",
            "|",
            "direct",
            "off",
            " ",
            "é",
            "🚀",
            "?",
            "#",
            "\t",
            "file:///x",
        ];
        let s: String = (0..rng.below(12)).map(|_| rng.s(PIECES)).collect();
        check::redact_any(&s);
        // A password never survives.
        let secret = format!("S3cr3t{}", rng.next() % 1_000_000);
        let url = format!(
            "{}https://{}:{secret}@proxy.corp/go{}",
            rng.s(&["", "direct,", "off|", "x "]),
            rng.s(&["user", "", "a.b", "é"]),
            rng.s(&["", ",direct", "|https://other.proxy", "?q#f"])
        );
        let red = go_env_doctor::redact::redact(&url);
        assert!(!red.contains(&secret), "{url} → {red}");
        assert!(go_env_doctor::redact::has_credentials(&url));
        check::redact_any(&url);
    });
}

// ---------------------------------------------------------------------------------------------
// Failures found by fuzzing, kept as regression cases (the same inputs are in fuzz/corpus)
// ---------------------------------------------------------------------------------------------

/// A BOM before `<project>`: quick-xml does not count it in its positions, so a new component
/// was inserted three bytes early, inside the `version` attribute.
#[test]
fn regression_idea_bom_insert_position() {
    let text = "\u{feff}<project version=\"4\">\r\n</project>";
    check::idea_set(text, "go.goroot", "/usr/local/go");
    check::idea_set(text, "go.toolsEnvVars.GOPROXY", "off");
    let edits =
        idea::set_setting(text, "go.goroot", "/usr/local/go", &check::idea_macros()).unwrap();
    let after = check::apply_checked(text, &edits);
    assert!(
        after.starts_with("\u{feff}<project version=\"4\">\r\n  <component name=\"GOROOT\""),
        "{after:?}"
    );
}

/// Found by the CI run's short fuzz: a `gopls.env.*` key set in a file holding only a comment
/// is written into `"gopls": {"env": {…}}` (gopls reads `env` like `build.env`); the check's own
/// model still expected a flat member.
#[test]
fn regression_gopls_env_into_a_comment_only_file() {
    use go_env_doctor::settings::jsonc::SettingsRoot;
    let text = "// Plact\u{1}\0\u{11}\0";
    check::jsonc_set(
        text,
        SettingsRoot::TopLevel,
        "gopls.env.Ggoroot,/opt/go",
        "// Place yAG\u{19}\u{1c}-/go",
    );
    check::jsonc_set(
        "{}",
        SettingsRoot::TopLevel,
        "gopls.env.GOFLAGS",
        "-mod=mod",
    );
}

/// A value with `'` written into a single-quoted attribute ended the attribute early.
#[test]
fn regression_idea_single_quoted_attribute() {
    let text = "<project version=\"4\">\n  <component path='/opt/go' name=\"GOROOT\" />\n  <component name=\"VgoProject\"><environment><map><entry key='GOFLAGS' value='-x' /></map></environment></component>\n</project>\n";
    check::idea_set(text, "go.goroot", "/opt/go's sdk");
    check::idea_set(text, "go.toolsEnvVars.GOFLAGS", "-ldflags='-s'");
    assert_eq!(idea::escape_attr("a'b\"c"), "a&apos;b&quot;c");
}

/// `<project//>` was read as an element named `project/`, and adding a component to it wrote
/// `</project/>`. It is malformed XML now, like for every other XML reader.
#[test]
fn regression_idea_slash_in_element_name() {
    let text = "<project//>";
    assert!(check::idea_parse(text).is_err());
    assert!(idea::set_setting(
        text,
        "go.toolsEnvVars.CGO_ENABLED",
        "0",
        &check::idea_macros()
    )
    .is_err());
    check::idea_set(text, "go.toolsEnvVars.CGO_ENABLED", "0");
}

/// Found by cargo-fuzz (`fuzz/corpus/idea_edit/regression_control_char_name`): a root element
/// whose name ends in U+000B. quick-xml keeps the character in the name, `str::trim_end` dropped
/// it from the rewritten start tag, and the end tag no longer matched.
#[test]
fn regression_idea_control_character_in_element_name() {
    for text in [
        "<\u{fffd}\0(j\u{fffd}\u{fffd}\u{fffd}\u{b}/>",
        "<project\u{b}/>",
        "<project version=\"4\">\n  <component\u{b} name=\"GOROOT\" />\n</project>\n",
    ] {
        assert!(check::idea_parse(text).is_err(), "{text:?}");
        check::idea_set(text, "go.goroot", "0");
        check::idea_set(text, "go.toolsEnvVars.GOPROXY", "off");
        check::idea_remove(text, "go.goroot");
    }
}

// ---------------------------------------------------------------------------------------------
// LSP message framing (the guard in front of tower-lsp)
// ---------------------------------------------------------------------------------------------

/// One piece of a client's stream: a valid message, or a hostile variant of one.
fn framing_piece(r: &mut Rng, id: usize) -> Vec<u8> {
    let valid =
        format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover","params":{{}}}}"#);
    let body: String = match r.below(9) {
        0 => valid.clone(),
        1 => valid[..r.below(valid.len())].to_string(),
        2 => format!("[{valid}]"),
        3 => valid.replace("2.0", "1.0"),
        4 => "\u{0}\u{ff}garbage".to_string(),
        5 => format!(r#"{{"jsonrpc":"2.0","id":{id},"result":null}}"#),
        6 => r#"{"jsonrpc":"2.0","method":"exit""#.to_string(),
        7 => "é".repeat(r.below(64)),
        _ => valid.clone(),
    };
    let mut out = Vec::new();
    match r.below(8) {
        // A length that lies (short or long), or no length at all, or a huge claim.
        0 => out.extend(format!("Content-Length: {}\r\n\r\n", body.len() + r.below(5)).bytes()),
        1 => out.extend(
            format!(
                "Content-Length: {}\r\n\r\n",
                body.len().saturating_sub(r.below(5))
            )
            .bytes(),
        ),
        2 => out.extend(b"Content-Type: x\r\n\r\n"),
        3 => out.extend(b"Content-Length: 999999999999\r\n\r\n"),
        4 => out.extend(format!("content-length:{}\n\n", body.len()).bytes()),
        5 => out.extend("X".repeat(r.below(3000)).bytes()),
        _ => out.extend(format!("Content-Length: {}\r\n\r\n", body.len()).bytes()),
    }
    out.extend(body.bytes());
    out
}

/// Random streams of valid and hostile frames, delivered in random chunks, through the guard:
/// it never panics or hangs, forwards to tower-lsp only single JSON-RPC 2.0 objects within the
/// size limit, answers with whole frames, and ends when the input does.
#[test]
fn lsp_framing() {
    use go_env_doctor::lsp::transport;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mut total_forwarded, mut total_answered) = (0, 0);
    run("lsp_framing", 300, |r| {
        let mut stream = Vec::new();
        for id in 0..1 + r.below(6) {
            stream.extend(framing_piece(r, id));
        }
        let mut chunks = Vec::new();
        let mut at = 0;
        while at < stream.len() {
            let n = (1 + r.below(700)).min(stream.len() - at);
            chunks.push(stream[at..at + n].to_vec());
            at += n;
        }
        let forwarded = runtime.block_on(async {
            let (mut client, input) = tokio::io::duplex(1 << 16);
            let (output, mut answers) = tokio::io::duplex(1 << 20);
            let feeder = tokio::spawn(async move {
                for c in chunks {
                    if client.write_all(&c).await.is_err() {
                        break;
                    }
                }
            });
            let drain = tokio::spawn(async move {
                let mut all = Vec::new();
                let _ = answers.read_to_end(&mut all).await;
                all
            });
            let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let seen = received.clone();
            let ending = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                transport::guard(input, output, move |mut server_in, server_out| async move {
                    let mut all = Vec::new();
                    let _ = server_in.read_to_end(&mut all).await;
                    drop(server_out);
                    *seen.lock().unwrap() = all;
                }),
            )
            .await;
            assert!(ending.is_ok(), "the guard hung");
            let _ = feeder.await;
            let answered = drain.await.unwrap();
            total_answered += check_frames(&answered, "answers").len();
            let forwarded = received.lock().unwrap().clone();
            forwarded
        });
        let frames = check_frames(&forwarded, "forwarded");
        total_forwarded += frames.len();
        for body in frames {
            let v: serde_json::Value = serde_json::from_slice(&body).expect("forwarded JSON");
            assert!(v.is_object(), "{v}");
            assert_eq!(v["jsonrpc"], "2.0", "{v}");
            assert!(body.len() <= transport::MAX_MESSAGE);
        }
    });
    println!("lsp_framing: {total_forwarded} frames forwarded, {total_answered} refusals answered");
    assert!(
        total_forwarded > 0 && total_answered > 0,
        "the generator never exercised both paths"
    );
}

/// Splits `bytes` into `Content-Length` frames; every byte must belong to a whole frame.
fn check_frames(bytes: &[u8], what: &str) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| {
                panic!(
                    "{what}: a header without its end: {:?}",
                    String::from_utf8_lossy(rest)
                )
            });
        let head = std::str::from_utf8(&rest[..end]).expect("ASCII header");
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{what}: no Content-Length in {head:?}"));
        let body = &rest[end + 4..];
        assert!(body.len() >= len, "{what}: a frame cut short");
        frames.push(body[..len].to_vec());
        rest = &body[len..];
    }
    frames
}
