//! What to add to an editor's own configuration so that it starts its Go tools with the login
//! shell's environment: the fix for editors that take their environment from how they were
//! started (Emacs, Neovim, Vim, Helix, Zed, …), rendered as the exact lines for that editor.
//! The server cannot edit these files safely (an init.el or init.lua is a program), so it
//! shows the text; the user adds it and restarts the editor.

use std::collections::BTreeMap;

/// The lines for `editor` that give it `vars` (`None`: unset), with a one-line comment in that
/// editor's syntax. `withheld` keys hold credentials: named, never written.
pub fn setup_text(
    editor: &str,
    vars: &BTreeMap<String, Option<String>>,
    withheld: &[String],
) -> String {
    let lower = editor.to_ascii_lowercase();
    let mut out = String::new();
    if lower.contains("emacs") || lower.contains("eglot") {
        out.push_str(";; go-env-doctor: the Go environment of your login shell, for Emacs.\n");
        out.push_str(
            ";; (Or install exec-path-from-shell and call (exec-path-from-shell-initialize).)\n",
        );
        for (k, v) in vars {
            match v {
                Some(v) => out.push_str(&format!("(setenv {} {})\n", elisp(k), elisp(v))),
                None => out.push_str(&format!("(setenv {})\n", elisp(k))),
            }
        }
        if vars.contains_key("PATH") {
            out.push_str(
                "(setq exec-path (append (parse-colon-path (getenv \"PATH\")) (list exec-directory)))\n",
            );
        }
        for k in withheld {
            out.push_str(&format!(
                ";; {k} holds credentials: copy it from your shell yourself ((setenv \"{k}\" …)).\n"
            ));
        }
    } else if lower.contains("neovim") || lower == "nvim" {
        out.push_str(
            "-- go-env-doctor: the Go environment of your login shell, for Neovim (init.lua).\n",
        );
        for (k, v) in vars {
            match v {
                Some(v) => out.push_str(&format!("vim.env.{k} = {}\n", lua(v))),
                None => out.push_str(&format!("vim.env.{k} = nil\n")),
            }
        }
        for k in withheld {
            out.push_str(&format!(
                "-- {k} holds credentials: copy it from your shell yourself.\n"
            ));
        }
    } else if lower.contains("vim") {
        out.push_str(
            "\" go-env-doctor: the Go environment of your login shell, for Vim (vimrc).\n",
        );
        for (k, v) in vars {
            match v {
                Some(v) => out.push_str(&format!("let ${k} = {}\n", vim_string(v))),
                None => out.push_str(&format!("unlet ${k}\n")),
            }
        }
        for k in withheld {
            out.push_str(&format!(
                "\" {k} holds credentials: copy it from your shell yourself.\n"
            ));
        }
    } else if lower.contains("helix") {
        // Helix starts each language server with `environment` from languages.toml on top of
        // its own: gopls (and go-env-doctor) then see the shell's Go.
        out.push_str("# go-env-doctor: the Go environment of your login shell, for Helix\n");
        out.push_str("# (~/.config/helix/languages.toml; or start hx from a login shell).\n");
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
        for k in withheld {
            out.push_str(&format!(
                "# {k} holds credentials: copy it from your shell yourself.\n"
            ));
        }
    } else if lower.contains("zed") {
        // Zed starts a language server with `lsp.<name>.binary.env` on top of its own.
        out.push_str("// go-env-doctor: the Go environment of your login shell, for Zed\n");
        out.push_str("// (settings.json, \"lsp\" section; or start zed from a login shell).\n");
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
        for k in withheld {
            out.push_str(&format!(
                "// {k} holds credentials: copy it from your shell yourself.\n"
            ));
        }
    } else if lower.contains("terminal") || lower.contains("ci job") {
        // A terminal or CI job is a shell already: what it lacks is what the login shell's
        // startup files set.
        out.push_str(&format!(
            "# go-env-doctor: {editor} lacks what your login shell's startup files set. Run these\n\
             # there (or start it as a login shell: `bash -l`):\n"
        ));
        for (k, v) in vars {
            match v {
                Some(v) => out.push_str(&format!("export {k}={}\n", sh(v))),
                None => out.push_str(&format!("unset {k}\n")),
            }
        }
        for k in withheld {
            out.push_str(&format!(
                "# {k} holds credentials: copy it from your shell yourself.\n"
            ));
        }
    } else {
        out.push_str(&format!(
            "# go-env-doctor: {editor} takes its environment from how it was started. Start it\n\
             # from a login shell (e.g. `bash -lc '{}'`), or export these before starting it:\n",
            start_command(&lower)
        ));
        for (k, v) in vars {
            match v {
                Some(v) => out.push_str(&format!("export {k}={}\n", sh(v))),
                None => out.push_str(&format!("unset {k}\n")),
            }
        }
        for k in withheld {
            out.push_str(&format!(
                "# {k} holds credentials: copy it from your shell yourself.\n"
            ));
        }
    }
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
        let t = setup_text("Emacs", &vars(), &["GOPROXY".into()]);
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
        let n = setup_text("Neovim", &vars(), &[]);
        assert!(
            n.contains("vim.env.PATH = [[/sdk/go1.22.10/bin:/usr/bin]]"),
            "{n}"
        );
        assert!(n.contains("vim.env.GOROOT = nil"), "{n}");
        let v = setup_text("Vim", &vars(), &[]);
        assert!(
            v.contains("let $PATH = '/sdk/go1.22.10/bin:/usr/bin'"),
            "{v}"
        );
        assert!(v.contains("unlet $GOROOT"), "{v}");
        let h = setup_text("Helix", &vars(), &[]);
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
        let z = setup_text("Zed", &vars(), &[]);
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
        let t = setup_text("this terminal", &vars(), &[]);
        assert!(
            t.contains("export PATH='/sdk/go1.22.10/bin:/usr/bin'"),
            "{t}"
        );
        assert!(
            t.contains("unset GOROOT") && !t.contains("your-editor"),
            "{t}"
        );
        let k = setup_text("Kate", &vars(), &[]);
        assert!(k.contains("bash -lc 'kate'"), "{k}");
        assert!(
            k.contains("export PATH='/sdk/go1.22.10/bin:/usr/bin'"),
            "{k}"
        );
    }

    #[test]
    fn quoting_survives_hostile_values() {
        let v = BTreeMap::from([("GOFLAGS".to_string(), Some("a\"b]]c'd\\".to_string()))]);
        assert!(setup_text("Emacs", &v, &[]).contains(r#"(setenv "GOFLAGS" "a\"b]]c'd\\")"#));
        assert!(setup_text("Neovim", &v, &[]).contains("[=[a\"b]]c'd\\]=]"));
        assert!(setup_text("Vim", &v, &[]).contains("'a\"b]]c''d\\'"));
        assert!(setup_text("Kate", &v, &[]).contains(r#"'a"b]]c'\''d\'"#));
    }
}
