//! What to add to an editor's own configuration so that it starts its Go tools with the login
//! shell's environment: the fix for editors that take their environment from how they were
//! started (Emacs, Neovim, Vim, Helix, Zed, …), rendered as the exact lines for that editor.
//! The server cannot edit these files safely (an init.el or init.lua is a program), so it
//! shows the text; the user adds it and restarts the editor.

use std::collections::BTreeMap;

/// The lines for `editor` that give it `vars` (`None`: unset), with a one-line comment in that
/// editor's syntax. `withheld` keys hold credentials: named, never written. `sdk`: the lines
/// switch the editor to the Go SDK there rather than give it the login shell's environment,
/// and the comment says so.
pub fn setup_text(
    editor: &str,
    vars: &BTreeMap<String, Option<String>>,
    withheld: &[String],
    sdk: Option<&str>,
) -> String {
    let lower = editor.to_ascii_lowercase();
    // What the lines give the editor, as the comment says it.
    let what = match sdk {
        Some(sdk) => format!("the Go SDK in {sdk}"),
        None => "the Go environment of your login shell".to_string(),
    };
    // Editors configured by a program: one statement per variable.
    let (comment, header, set, unset): (&str, String, Setter, Unsetter) = if lower.contains("emacs")
        || lower.contains("eglot")
    {
        (
            ";;",
            if sdk.is_some() {
                format!("{what}, for Emacs.")
            } else {
                format!(
                    "{what}, for Emacs.\n\
                     (Or install exec-path-from-shell and call (exec-path-from-shell-initialize).)"
                )
            },
            |k, v| format!("(setenv {} {})", elisp(k), elisp(v)),
            |k| format!("(setenv {})", elisp(k)),
        )
    } else if lower.contains("neovim") || lower == "nvim" {
        (
            "--",
            format!("{what}, for Neovim (init.lua)."),
            |k, v| format!("vim.env.{k} = {}", lua(v)),
            |k| format!("vim.env.{k} = nil"),
        )
    } else if lower.contains("vim") {
        (
            "\"",
            format!("{what}, for Vim (vimrc)."),
            |k, v| format!("let ${k} = {}", vim_string(v)),
            |k| format!("unlet ${k}"),
        )
    } else if lower.contains("helix") {
        return helix(vars, withheld, &what, sdk.is_none());
    } else if lower.contains("zed") {
        return zed(vars, withheld, &what, sdk.is_none());
    } else if let Some(sdk) = sdk.filter(|_| lower.contains("terminal") || lower.contains("ci job"))
    {
        (
            "#",
            format!("to run the Go SDK in {sdk} in {editor}, run these there:"),
            |k, v| format!("export {k}={}", sh(v)),
            |k| format!("unset {k}"),
        )
    } else if let Some(sdk) = sdk {
        (
            "#",
            format!(
                "{editor} runs the first `go` on the PATH it was started with. To run the\n\
                 Go SDK in {sdk}, export these before starting it:"
            ),
            |k, v| format!("export {k}={}", sh(v)),
            |k| format!("unset {k}"),
        )
    } else if lower.contains("terminal") || lower.contains("ci job") {
        // A terminal or CI job is a shell already: what it lacks is what the login
        // shell's startup files set.
        (
            "#",
            format!(
                "{editor} lacks what your login shell's startup files set. Run these\n\
                     there (or start it as a login shell: `bash -l`):"
            ),
            |k, v| format!("export {k}={}", sh(v)),
            |k| format!("unset {k}"),
        )
    } else {
        (
                "#",
                format!(
                    "{editor} takes its environment from how it was started. Start it\n\
                     from a login shell (e.g. `bash -lc '{}'`), or export these before starting it:",
                    start_command(&lower)
                ),
                |k, v| format!("export {k}={}", sh(v)),
                |k| format!("unset {k}"),
            )
    };
    let mut out = commented(comment, &format!("go-env-doctor: {header}"));
    for (k, v) in vars {
        out.push_str(&match v {
            Some(v) => set(k, v),
            None => unset(k),
        });
        out.push('\n');
    }
    // Emacs looks programs up in `exec-path`, not in its PATH variable.
    if comment == ";;" && vars.contains_key("PATH") {
        out.push_str(
            "(setq exec-path (append (parse-colon-path (getenv \"PATH\")) (list exec-directory)))\n",
        );
    }
    out.push_str(&withheld_lines(comment, withheld));
    out
}

type Setter = fn(&str, &str) -> String;
type Unsetter = fn(&str) -> String;

/// `text`'s lines, each behind `comment`.
fn commented(comment: &str, text: &str) -> String {
    text.lines().map(|l| format!("{comment} {l}\n")).collect()
}

fn withheld_lines(comment: &str, withheld: &[String]) -> String {
    withheld
        .iter()
        .map(|k| format!("{comment} {k} holds credentials: copy it from your shell yourself.\n"))
        .collect()
}

/// Helix starts each language server with `environment` from languages.toml on top of its
/// own: gopls (and go-env-doctor) then see the shell's Go.
fn helix(
    vars: &BTreeMap<String, Option<String>>,
    withheld: &[String],
    what: &str,
    from_shell: bool,
) -> String {
    let or = if from_shell {
        "; or start hx from a login shell"
    } else {
        ""
    };
    let mut out = commented(
        "#",
        &format!(
            "go-env-doctor: {what}, for Helix\n\
             (~/.config/helix/languages.toml{or})."
        ),
    );
    let table: Vec<String> = vars
        .iter()
        .filter_map(|(k, v)| Some(format!("{k} = {}", json_string(v.as_deref()?))))
        .collect();
    for server in ["gopls", "go-env-doctor"] {
        out.push_str(&format!(
            "[language-server.{server}]\nenvironment = {{ {} }}\n",
            table.join(", ")
        ));
    }
    let unset: Vec<&str> = vars
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k.as_str())
        .collect();
    if !unset.is_empty() {
        out.push_str(&format!(
            "# Not set in your shell, so unset them where you start hx: {}\n",
            unset.join(", ")
        ));
    }
    out.push_str(&withheld_lines("#", withheld));
    out
}

/// Zed starts a language server with `lsp.<name>.binary.env` on top of its own.
fn zed(
    vars: &BTreeMap<String, Option<String>>,
    withheld: &[String],
    what: &str,
    from_shell: bool,
) -> String {
    let or = if from_shell {
        "; or start zed from a login shell"
    } else {
        ""
    };
    let mut out = commented(
        "//",
        &format!(
            "go-env-doctor: {what}, for Zed\n\
             (settings.json, \"lsp\" section{or})."
        ),
    );
    let env: Vec<String> = vars
        .iter()
        .filter_map(|(k, v)| {
            Some(format!(
                "{}: {}",
                json_string(k),
                json_string(v.as_deref()?)
            ))
        })
        .collect();
    out.push_str("\"lsp\": {\n");
    for (i, server) in ["gopls", "go-env-doctor"].iter().enumerate() {
        let comma = if i == 0 { "," } else { "" };
        out.push_str(&format!(
            "  \"{server}\": {{ \"binary\": {{ \"env\": {{ {} }} }} }}{comma}\n",
            env.join(", ")
        ));
    }
    out.push_str("}\n");
    out.push_str(&withheld_lines("//", withheld));
    out
}

/// How an editor is usually started from a shell, for the advice above.
fn start_command(lower: &str) -> &'static str {
    if lower.contains("helix") {
        "hx"
    } else if lower.contains("zed") {
        "zed"
    } else if lower.contains("kate") {
        "kate"
    } else if lower.contains("sublime") {
        "subl"
    } else {
        "your-editor"
    }
}

fn elisp(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn lua(s: &str) -> String {
    // A long bracket string needs no escapes; pick a level the value does not close.
    let mut level = 0;
    while s.contains(&format!("]{}]", "=".repeat(level))) {
        level += 1;
    }
    let eq = "=".repeat(level);
    format!("[{eq}[{s}]{eq}]")
}

fn vim_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A JSON string literal, which TOML's basic strings accept too.
fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, Option<String>> {
        BTreeMap::from([
            ("GOROOT".to_string(), None),
            (
                "PATH".to_string(),
                Some("/sdk/go1.22.10/bin:/usr/bin".to_string()),
            ),
        ])
    }

    #[test]
    fn emacs_gets_setenv_and_exec_path() {
        let t = setup_text("Emacs", &vars(), &["GOPROXY".into()], None);
        assert!(
            t.contains("(setenv \"PATH\" \"/sdk/go1.22.10/bin:/usr/bin\")"),
            "{t}"
        );
        assert!(t.contains("(setenv \"GOROOT\")"), "{t}");
        assert!(t.contains("(setq exec-path"), "{t}");
        assert!(t.contains("GOPROXY holds credentials"), "{t}");
    }

    #[test]
    fn neovim_vim_and_others_get_their_own_syntax() {
        let n = setup_text("Neovim", &vars(), &[], None);
        assert!(
            n.contains("vim.env.PATH = [[/sdk/go1.22.10/bin:/usr/bin]]"),
            "{n}"
        );
        assert!(n.contains("vim.env.GOROOT = nil"), "{n}");
        let v = setup_text("Vim", &vars(), &[], None);
        assert!(
            v.contains("let $PATH = '/sdk/go1.22.10/bin:/usr/bin'"),
            "{v}"
        );
        assert!(v.contains("unlet $GOROOT"), "{v}");
        let h = setup_text("Helix", &vars(), &[], None);
        assert!(h.contains("unset them where you start hx: GOROOT"), "{h}");
        let toml_part: String = h
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let parsed: toml::Value = toml::from_str(&toml_part).expect("valid TOML");
        for server in ["gopls", "go-env-doctor"] {
            assert_eq!(
                parsed["language-server"][server]["environment"]["PATH"].as_str(),
                Some("/sdk/go1.22.10/bin:/usr/bin"),
                "{h}"
            );
        }
        let z = setup_text("Zed", &vars(), &[], None);
        let json_part: String = z
            .lines()
            .filter(|l| !l.starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let parsed: serde_json::Value =
            serde_json::from_str(&format!("{{{json_part}}}")).expect("valid JSON");
        assert_eq!(
            parsed["lsp"]["gopls"]["binary"]["env"]["PATH"], "/sdk/go1.22.10/bin:/usr/bin",
            "{z}"
        );
        let t = setup_text("this terminal", &vars(), &[], None);
        assert!(
            t.contains("export PATH='/sdk/go1.22.10/bin:/usr/bin'"),
            "{t}"
        );
        assert!(
            t.contains("unset GOROOT") && !t.contains("your-editor"),
            "{t}"
        );
        let k = setup_text("Kate", &vars(), &[], None);
        assert!(k.contains("bash -lc 'kate'"), "{k}");
        assert!(
            k.contains("export PATH='/sdk/go1.22.10/bin:/usr/bin'"),
            "{k}"
        );
    }

    #[test]
    fn quoting_survives_hostile_values() {
        let v = BTreeMap::from([("GOFLAGS".to_string(), Some("a\"b]]c'd\\".to_string()))]);
        assert!(setup_text("Emacs", &v, &[], None).contains(r#"(setenv "GOFLAGS" "a\"b]]c'd\\")"#));
        assert!(setup_text("Neovim", &v, &[], None).contains("[=[a\"b]]c'd\\]=]"));
        assert!(setup_text("Vim", &v, &[], None).contains("'a\"b]]c''d\\'"));
        assert!(setup_text("Kate", &v, &[], None).contains(r#"'a"b]]c'\''d\'"#));
    }
}
