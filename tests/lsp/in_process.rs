//! Settings-only scenarios on the language server in process (`support::in_process`: `serve` on
//! `tokio::io::duplex` pipes): what a user sees in `.vscode/settings.json` when `go.goroot`
//! names a directory that does not exist — the `goroot-missing` error on the value, in the
//! position encoding agreed on, following unsaved edits, and the quick fix's edit.
//!
//! The same behaviour is checked end to end over stdio with real Go and a real login shell, on
//! `goroot-mismatch` (`stdio`: `ranges_in_utf16_and_utf8_with_an_emoji_before_the_key`,
//! `settings_edits_are_rediagnosed_from_cached_probes_without_a_process`,
//! `open_settings_get_a_versioned_edit_against_the_buffer_text`) and on this very
//! `goroot-missing` (`cli::hardening::lsp_refuses_a_fix_for_an_unopened_file_that_changed_on_disk`).
//! These run without a process, and assert only on the finding located in the workspace's
//! settings file, which no part of this test process's environment decides (see the
//! harness's header).
#![allow(clippy::unwrap_used)]

use crate::support::in_process::InProcess;
use crate::support::lsp::{apply, file_uri, offset_of, temp_root};
use serde_json::{json, Value};
use std::path::PathBuf;

/// The value of `go.goroot` in every scenario: no such directory.
const MISSING: &str = "/nonexistent/sdk/go";

/// A workspace folder whose `.vscode/settings.json` holds `text`, and an empty user settings
/// file beside it.
struct World {
    _dir: tempfile::TempDir,
    folder: PathBuf,
    settings: PathBuf,
    user_settings: PathBuf,
}

impl World {
    fn new(text: &str) -> World {
        let (dir, root) = temp_root("ged-inproc-");
        let folder = root.join("ws");
        std::fs::create_dir_all(folder.join(".vscode")).unwrap();
        std::fs::write(folder.join("go.mod"), "module example.com/ws\n\ngo 1.22\n").unwrap();
        let settings = folder.join(".vscode/settings.json");
        std::fs::write(&settings, text).unwrap();
        let user_settings = root.join("user-settings.json");
        std::fs::write(&user_settings, "{}\n").unwrap();
        World {
            _dir: dir,
            folder,
            settings,
            user_settings,
        }
    }

    fn start(&self, encodings: &[&str]) -> (InProcess, Value) {
        let mut lsp = InProcess::start();
        let init = lsp.initialize(&self.folder, &self.user_settings, encodings);
        (lsp, init)
    }
}

/// The error sits on the quoted value of `go.goroot`, counted in the encoding the server
/// agreed on: a non-BMP character before the key is 2 UTF-16 units but 4 UTF-8 bytes.
#[test]
fn a_missing_go_goroot_is_an_error_on_its_value_in_either_encoding() {
    let text = format!("{{ /* 🦀 é */ \"go.goroot\": \"{MISSING}\" }}\n");
    for enc in ["utf-16", "utf-8"] {
        let w = World::new(&text);
        let offered: &[&str] = if enc == "utf-8" {
            &["utf-8", "utf-16"]
        } else {
            &["utf-16"]
        };
        let (mut lsp, init) = w.start(offered);
        assert_eq!(init["capabilities"]["positionEncoding"], enc);
        let d = lsp.wait_for_code(&w.settings, "goroot-missing");
        assert_eq!(d["severity"], 1, "an error: {d:#}");
        assert!(
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains(MISSING) && m.contains("does not exist")),
            "{d:#}"
        );
        let quoted = format!("\"{MISSING}\"");
        let start = text.find(&quoted).unwrap();
        assert_eq!(d["range"]["start"]["line"], 0, "{enc}: {d:#}");
        assert_eq!(offset_of(&text, &d["range"]["start"], enc), start, "{enc}");
        assert_eq!(
            offset_of(&text, &d["range"]["end"], enc),
            start + quoted.len(),
            "{enc}: the range covers the quoted value"
        );
        let ending = lsp.shutdown();
        assert!(ending.shut_down && ending.exited, "{ending:?}");
    }
}

/// Unsaved text is what counts: a line typed above moves the error with its value, removing
/// the member in the buffer clears it before any save, and closing the buffer unsaved brings
/// the file on disk back.
#[test]
fn unsaved_edits_move_then_clear_the_error_and_closing_brings_the_disk_back() {
    let disk = format!("{{\n  \"go.goroot\": \"{MISSING}\"\n}}\n");
    let w = World::new(&disk);
    let (mut lsp, _) = w.start(&["utf-16"]);
    let d = lsp.wait_for_code(&w.settings, "goroot-missing");
    assert_eq!(d["range"]["start"]["line"], 1, "{d:#}");
    let uri = file_uri(&w.settings);
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "jsonc", "version": 1, "text": disk}}),
    );
    let buffer = disk.replacen("{\n", "{\n  // 🦀 pinned by hand\n", 1);
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": buffer}]}),
    );
    let moved = lsp.wait_diagnostics(&w.settings, |d| {
        d.iter()
            .any(|d| d["code"] == "goroot-missing" && d["range"]["start"]["line"] == 2)
    });
    let d = crate::support::lsp::find_code(&moved, "goroot-missing");
    assert_eq!(
        offset_of(&buffer, &d["range"]["start"], "utf-16"),
        buffer.find(&format!("\"{MISSING}\"")).unwrap()
    );

    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": "{\n}\n"}]}),
    );
    lsp.wait_cleared(&w.settings, "goroot-missing");

    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let d = lsp.wait_for_code(&w.settings, "goroot-missing");
    assert_eq!(
        d["range"]["start"]["line"], 1,
        "the file on disk again: {d:#}"
    );
    assert!(lsp.shutdown().shut_down);
}

/// The preferred quick fix is a versioned edit of the open document that takes the missing
/// GOROOT out of the file; once the editor applied it, the error is gone.
#[test]
fn the_quick_fix_edits_the_open_settings_and_the_error_clears() {
    let disk = format!(
        "{{\n  // pinned by hand\n  \"go.goroot\": \"{MISSING}\",\n  \"editor.tabSize\": 4\n}}\n"
    );
    let w = World::new(&disk);
    let (mut lsp, _) = w.start(&["utf-16"]);
    let uri = file_uri(&w.settings);
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "jsonc", "version": 4, "text": disk}}),
    );
    let diag = lsp.wait_for_code(&w.settings, "goroot-missing");
    let actions = lsp.code_actions(&uri, &diag);
    let preferred = actions
        .as_array()
        .and_then(|a| a.iter().find(|a| a["isPreferred"] == true))
        .unwrap_or_else(|| panic!("no preferred quick fix: {actions:#}"));
    assert_eq!(preferred["kind"], "quickfix", "{preferred:#}");
    let change = &preferred["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["uri"], uri, "{change:#}");
    assert_eq!(change["textDocument"]["version"], 4, "{change:#}");
    let fixed = apply(&disk, change["edits"].as_array().unwrap(), "utf-16");
    assert!(!fixed.contains(MISSING), "{fixed}");
    assert!(
        fixed.contains("// pinned by hand") && fixed.contains("\"editor.tabSize\": 4"),
        "the rest of the file is kept: {fixed}"
    );

    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 5}, "contentChanges": [{"text": fixed}]}),
    );
    lsp.wait_cleared(&w.settings, "goroot-missing");
    assert!(lsp.shutdown().shut_down);
}
