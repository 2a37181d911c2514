//! The Go env file (`$GOENV`, default `<UserConfigDir>/go/env`) and `$GOROOT/go.env`.
//!
//! # What cmd/go reads (cmd/go/internal/cfg `readEnvFile`, identical in Go 1.21–1.27)
//! * The text is split on `\n` only. A final line without `\n` counts; the empty string after a
//!   final `\n` does not.
//! * A line is used only if it contains `=` **and its first byte is an ASCII capital `A`–`Z`**.
//!   Everything else is silently skipped: empty lines, `# comments`, lines starting with a space
//!   or a tab, lowercase names — and the first line of a file that starts with a UTF-8 BOM.
//! * `KEY` is everything before the first `=`, `VALUE` everything after it, verbatim: nothing is
//!   trimmed, **not even a `\r`**, so in a file with CRLF line ends every value ends in `\r`
//!   (cmd/go then sees e.g. `GOPROXY=https://proxy.golang.org\r`). This module reproduces that
//!   so the rules can flag it.
//! * When a key appears more than once, the user file's last occurrence wins
//!   ([`EnvFile::get`]) but `$GOROOT/go.env`'s *first* one does (a key already read is never
//!   overwritten from go.env). An empty value (`KEY=`) is kept: it hides go.env's line, then
//!   counts as unset (rules/resolve.rs applies both).
//!
//! # How edits are written
//! Like `go env -w` (cmd/go/internal/envcmd `updateEnvFile`), a replaced or appended line ends in
//! a plain `\n`, whatever the other lines use: writing `KEY=VALUE\r\n` would make cmd/go read
//! `VALUE\r`. Unlike `go env -w`, nothing else is touched (no sorting of runs of lines, no removal
//! of older duplicates), so the edit stays minimal.

use std::path::Path;

use super::TextEdit;
use crate::model::{EnvFile, EnvFileEntry};

/// One line of the file: its byte range without and with its `\n`.
struct RawLine<'a> {
    text: &'a str,
    start: usize,
    /// End of the line's content (before `\n`).
    end: usize,
    /// End including the `\n` (== `end` for a last line without one).
    end_with_newline: usize,
    /// 1-based.
    number: u32,
}

fn lines(text: &str) -> Vec<RawLine<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut number: u32 = 1;
    while start < text.len() {
        let rest = &text[start..];
        let (len, nl) = match rest.find('\n') {
            Some(i) => (i, 1),
            None => (rest.len(), 0),
        };
        out.push(RawLine {
            text: &rest[..len],
            start,
            end: start + len,
            end_with_newline: start + len + nl,
            number,
        });
        start += len + nl;
        number = number.saturating_add(1);
    }
    out
}

/// The `(KEY, VALUE)` cmd/go reads from a line, if it reads the line at all.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let first = *line.as_bytes().first()?;
    if !first.is_ascii_uppercase() {
        return None;
    }
    line.split_once('=')
}

/// Parses an env file the way cmd/go does (see the module documentation). `exists` is set; the
/// caller sets `exists: false` / `error` for files it could not read.
pub fn parse(path: &Path, text: &str) -> EnvFile {
    let entries = lines(text)
        .into_iter()
        .filter_map(|l| {
            key_value(l.text).map(|(key, value)| EnvFileEntry {
                key: key.to_string(),
                value: value.to_string(),
                line: l.number,
            })
        })
        .collect();
    EnvFile {
        path: path.to_path_buf(),
        exists: true,
        entries,
        error: None,
    }
}

/// Whether cmd/go can read `key` back from a `KEY=VALUE` line.
fn valid_key(key: &str) -> bool {
    key.as_bytes().first().is_some_and(u8::is_ascii_uppercase) && !key.contains(['=', '\n', '\r'])
}

/// Sets `KEY=VALUE`: replaces the last line of KEY (the one cmd/go uses), or appends a line
/// (adding the missing `\n` of a last line first). The new line ends in `\n` (see the module
/// documentation). Returns no edit when the line is already exactly `KEY=VALUE`, or when KEY
/// could never be read back by cmd/go (not starting with `A`–`Z`, or holding `=` or a line
/// break). A line break in VALUE cannot be stored in the format: the value is cut there.
pub fn set(text: &str, key: &str, value: &str) -> Vec<TextEdit> {
    if !valid_key(key) {
        tracing::warn!(key, "not a key cmd/go can read from its env file; no edit");
        return Vec::new();
    }
    let value = match value.find(['\n', '\r']) {
        Some(i) => {
            tracing::warn!(
                key,
                "a line break cannot be stored in the go env file; value cut"
            );
            &value[..i]
        }
        None => value,
    };
    let wanted = format!("{key}={value}");
    let all = lines(text);
    if let Some(l) = all
        .iter()
        .rev()
        .find(|l| key_value(l.text).is_some_and(|(k, _)| k == key))
    {
        if l.text == wanted && l.end_with_newline == l.end + 1 {
            return Vec::new();
        }
        return vec![TextEdit {
            start: l.start,
            end: l.end_with_newline,
            new_text: format!("{wanted}\n"),
        }];
    }
    let prefix = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    vec![TextEdit {
        start: text.len(),
        end: text.len(),
        new_text: format!("{prefix}{wanted}\n"),
    }]
}

/// Removes every line cmd/go reads as KEY (with its `\n`). No edit when there is none.
pub fn remove(text: &str, key: &str) -> Vec<TextEdit> {
    lines(text)
        .into_iter()
        .filter(|l| key_value(l.text).is_some_and(|(k, _)| k == key))
        .map(|l| TextEdit {
            start: l.start,
            end: l.end_with_newline,
            new_text: String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::apply_edits;
    use super::*;

    fn entries(text: &str) -> Vec<(String, String, u32)> {
        parse(Path::new("env"), text)
            .entries
            .into_iter()
            .map(|e| (e.key, e.value, e.line))
            .collect()
    }

    fn e(k: &str, v: &str, line: u32) -> (String, String, u32) {
        (k.to_string(), v.to_string(), line)
    }

    #[test]
    fn parses_like_cmd_go() {
        let text = "GOPROXY=https://proxy.golang.org,direct\n# comment=1\n\n gofoo=x\n GOSUMDB=off\nGOFLAGS\nGOFLAGS=-mod=mod\nlower=1\nGONOSUMDB= spaced = \nGOPROXY=direct";
        assert_eq!(
            entries(text),
            vec![
                e("GOPROXY", "https://proxy.golang.org,direct", 1),
                e("GOFLAGS", "-mod=mod", 7),
                e("GONOSUMDB", " spaced = ", 9),
                e("GOPROXY", "direct", 10),
            ]
        );
        let f = parse(Path::new("env"), text);
        assert!(f.exists);
        assert_eq!(f.get("GOPROXY").map(|e| e.line), Some(10));
    }

    #[test]
    fn crlf_values_keep_the_carriage_return() {
        assert_eq!(
            entries("GOPROXY=direct\r\nGOSUMDB=off\r\n"),
            vec![e("GOPROXY", "direct\r", 1), e("GOSUMDB", "off\r", 2)]
        );
    }

    #[test]
    fn bom_hides_the_first_line() {
        assert_eq!(
            entries("\u{feff}GOPROXY=off\nGOSUMDB=off\n"),
            vec![e("GOSUMDB", "off", 2)]
        );
    }

    #[test]
    fn empty_values_and_empty_files() {
        assert_eq!(entries("GOPROXY=\n"), vec![e("GOPROXY", "", 1)]);
        assert!(entries("").is_empty());
        assert!(entries("\n\n").is_empty());
    }

    #[test]
    fn set_replaces_last_or_appends() {
        let text = "GOPROXY=a\nGOSUMDB=off\nGOPROXY=b\n";
        assert_eq!(
            apply_edits(text, &set(text, "GOPROXY", "c")),
            "GOPROXY=a\nGOSUMDB=off\nGOPROXY=c\n"
        );
        assert_eq!(
            apply_edits(text, &set(text, "GOFLAGS", "-x")),
            "GOPROXY=a\nGOSUMDB=off\nGOPROXY=b\nGOFLAGS=-x\n"
        );
        assert_eq!(apply_edits("A=1", &set("A=1", "B", "2")), "A=1\nB=2\n");
        assert_eq!(apply_edits("", &set("", "B", "2")), "B=2\n");
        assert!(set(text, "GOPROXY", "b").is_empty());
        // A commented-out line is not the key.
        assert_eq!(
            apply_edits("#GOPROXY=x\n", &set("#GOPROXY=x\n", "GOPROXY", "y")),
            "#GOPROXY=x\nGOPROXY=y\n"
        );
    }

    #[test]
    fn set_fixes_crlf_lines() {
        let text = "GOPROXY=a\r\nGOSUMDB=off\r\n";
        let out = apply_edits(text, &set(text, "GOPROXY", "a"));
        assert_eq!(out, "GOPROXY=a\nGOSUMDB=off\r\n");
        assert_eq!(
            parse(Path::new("env"), &out)
                .get("GOPROXY")
                .map(|e| e.value.as_str()),
            Some("a")
        );
        // The last line without a newline gets one.
        assert_eq!(
            apply_edits("GOPROXY=a", &set("GOPROXY=a", "GOPROXY", "a")),
            "GOPROXY=a\n"
        );
    }

    #[test]
    fn set_refuses_unreadable_keys_and_cuts_line_breaks() {
        assert!(set("", "goproxy", "x").is_empty());
        assert!(set("", "", "x").is_empty());
        assert!(set("", "A=B", "x").is_empty());
        assert_eq!(
            apply_edits("", &set("", "GOPROXY", "a\nB=c")),
            "GOPROXY=a\n"
        );
    }

    #[test]
    fn remove_every_line_of_key() {
        let text = "GOROOT=/a\nGOPROXY=x\nGOROOT=/b";
        assert_eq!(apply_edits(text, &remove(text, "GOROOT")), "GOPROXY=x\n");
        assert!(remove(text, "GOSUMDB").is_empty());
        assert_eq!(
            apply_edits("GOROOT=/a\r\n", &remove("GOROOT=/a\r\n", "GOROOT")),
            ""
        );
    }
}
