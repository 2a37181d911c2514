//! The text change a file fix makes, computed from the file's text as it is when the fix is
//! applied — the editor's buffer (language server) or the bytes on disk (`go-env-doctor fix`).
//! One implementation for both front ends, so a quick fix and a terminal fix never differ.

use super::{gomod, idea, jsonc, TextEdit};
use crate::model::FixAction;
use std::path::{Path, PathBuf};

/// What a fix does to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    /// Replace these byte ranges of the current text.
    Edit(Vec<TextEdit>),
    /// The file does not exist: create it with this text.
    Create(String),
}

/// The file a fix edits, if it edits one (the others run a command or are shown).
pub fn target(action: &FixAction) -> Option<&Path> {
    match action {
        FixAction::SetSetting { file, .. }
        | FixAction::RemoveSetting { file, .. }
        | FixAction::EnvFileRemoveLine { file, .. }
        | FixAction::EditGoWork { file, .. } => Some(file),
        FixAction::GoEnvWrite { .. }
        | FixAction::GoEnvUnset { .. }
        | FixAction::CreateDirectory { .. }
        | FixAction::CleanCache { .. }
        | FixAction::InstallTool { .. }
        | FixAction::EditorEnvironment { .. } => None,
    }
}

/// The change `action` makes to its [`target`] whose text is `text` (`None`: the file does not
/// exist). `Ok(None)`: nothing to change (the value is already as the fix wants it). `Err` says
/// why no safe edit exists; the file is then left alone. `home` expands GoLand's `$USER_HOME$`.
pub fn change(
    action: &FixAction,
    text: Option<&str>,
    home: Option<&Path>,
) -> Result<Option<FileChange>, String> {
    let edits = match (action, text) {
        (FixAction::SetSetting { file, key, value }, None) if !idea::is_idea_file(file) => {
            return Ok(Some(FileChange::Create(jsonc::new_file(
                &key.to_string(),
                value,
            ))));
        }
        (FixAction::RemoveSetting { .. }, None) => return Ok(None),
        (_, None) => {
            let file = target(action).map_or_else(PathBuf::new, Path::to_path_buf);
            return Err(format!("{} does not exist", file.display()));
        }
        (FixAction::SetSetting { file, key, value }, Some(text)) => {
            setting(file, text, &key.to_string(), Some(value), home)?
        }
        (FixAction::RemoveSetting { file, key }, Some(text)) => {
            setting(file, text, &key.to_string(), None, home)?
        }
        (FixAction::EnvFileRemoveLine { file, key, line }, Some(text)) => {
            remove_line(file, text, key, *line)?
        }
        (FixAction::EditGoWork { file, edit }, Some(text)) => gomod::work_edit(file, text, edit)?
            .into_iter()
            .map(|(start, end, new_text)| TextEdit {
                start,
                end,
                new_text,
            })
            .collect(),
        (_, Some(_)) => return Ok(None),
    };
    Ok((!edits.is_empty()).then_some(FileChange::Edit(edits)))
}

/// Set (`value: Some`) or remove a setting in a VS Code settings file, a `.code-workspace`
/// file or GoLand's `.idea/workspace.xml` (`$PROJECT_DIR$` is the folder holding `.idea`).
fn setting(
    file: &Path,
    text: &str,
    key: &str,
    value: Option<&str>,
    home: Option<&Path>,
) -> Result<Vec<TextEdit>, String> {
    if idea::is_idea_file(file) {
        let macros = idea::Macros {
            home: home.map(Path::to_path_buf),
            project_dir: file
                .parent()
                .and_then(Path::parent)
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        };
        return match value {
            Some(v) => idea::set_setting(text, key, v, &macros),
            None => idea::remove_setting(text, key),
        }
        .map_err(|e| format!("{key} in {}: {e}", file.display()));
    }
    let root = if file.extension().is_some_and(|e| e == "code-workspace") {
        jsonc::SettingsRoot::WorkspaceFile
    } else {
        jsonc::SettingsRoot::TopLevel
    };
    match value {
        Some(v) => jsonc::set_member(text, root, key, v),
        None => jsonc::remove_member(text, root, key),
    }
    .map_err(|e| format!("{key} in {}: {e}", file.display()))
}

/// Delete line `line` (1-based) of an env file, when it still sets `key` (the file may have
/// changed since the check) — the fix for a `go` that cannot run at all (a bad `GOROOT=`
/// line), when `go env -u` is not possible.
fn remove_line(file: &Path, text: &str, key: &str, line: u32) -> Result<Vec<TextEdit>, String> {
    let moved = || format!("line {line} of {} no longer sets {key}", file.display());
    let index = line
        .checked_sub(1)
        .and_then(|i| usize::try_from(i).ok())
        .ok_or_else(moved)?;
    let start: usize = text.split_inclusive('\n').take(index).map(str::len).sum();
    let this = text.split_inclusive('\n').nth(index).ok_or_else(moved)?;
    let sets_key = this
        .trim_start()
        .strip_prefix(key)
        .is_some_and(|rest| rest.trim_start().starts_with('='));
    if !sets_key {
        return Err(moved());
    }
    Ok(vec![TextEdit {
        start,
        end: start + this.len(),
        new_text: String::new(),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GoWorkEdit;

    #[test]
    fn settings_are_set_in_place_created_when_absent_and_removed() {
        let file = PathBuf::from("/w/.vscode/settings.json");
        let text = "{\n  // mine\n  \"go.goroot\": \"/old\",\r\n}\n";
        let set = FixAction::SetSetting {
            file: file.clone(),
            key: "go.goroot".into(),
            value: "/usr/local/go".into(),
        };
        let Ok(Some(FileChange::Edit(edits))) = change(&set, Some(text), None) else {
            panic!("an edit");
        };
        assert_eq!(
            crate::settings::apply_edits(text, &edits),
            "{\n  // mine\n  \"go.goroot\": \"/usr/local/go\",\r\n}\n"
        );
        let Ok(Some(FileChange::Create(new))) = change(&set, None, None) else {
            panic!("a new file");
        };
        assert!(new.contains("\"go.goroot\": \"/usr/local/go\""), "{new}");
        let remove = FixAction::RemoveSetting {
            file,
            key: "go.goroot".into(),
        };
        let Ok(Some(FileChange::Edit(edits))) = change(&remove, Some(text), None) else {
            panic!("an edit");
        };
        assert!(!crate::settings::apply_edits(text, &edits).contains("go.goroot"));
        assert_eq!(change(&remove, None, None), Ok(None), "nothing to remove");
        assert_eq!(
            change(&remove, Some("{}"), None),
            Ok(None),
            "already absent"
        );
    }

    #[test]
    fn an_env_file_line_is_removed_only_while_it_still_sets_the_key() {
        let file = PathBuf::from("/h/.config/go/env");
        let action = FixAction::EnvFileRemoveLine {
            file,
            key: "GOROOT".into(),
            line: 2,
        };
        let text = "GOPROXY=direct\nGOROOT=/gone\nGOFLAGS=-mod=mod\n";
        let Ok(Some(FileChange::Edit(edits))) = change(&action, Some(text), None) else {
            panic!("an edit");
        };
        assert_eq!(
            crate::settings::apply_edits(text, &edits),
            "GOPROXY=direct\nGOFLAGS=-mod=mod\n"
        );
        let moved = change(&action, Some("GOROOT=/gone\nGOPROXY=direct\n"), None);
        assert!(moved.is_err_and(|e| e.contains("no longer sets GOROOT")));
        assert!(change(&action, None, None).is_err());
    }

    #[test]
    fn a_go_work_edit_keeps_crlf() {
        let action = FixAction::EditGoWork {
            file: PathBuf::from("/w/go.work"),
            edit: GoWorkEdit::SetGo {
                version: "1.25.5".into(),
            },
        };
        let text = "go 1.21\r\n\r\nuse ./a\r\n";
        let Ok(Some(FileChange::Edit(edits))) = change(&action, Some(text), None) else {
            panic!("an edit");
        };
        assert_eq!(
            crate::settings::apply_edits(text, &edits),
            "go 1.25.5\r\n\r\nuse ./a\r\n"
        );
    }
}
