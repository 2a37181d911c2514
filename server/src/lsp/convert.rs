//! Positions and findings → LSP: byte offsets ↔ `Position` in the negotiated encoding, and
//! findings → `Diagnostic`s (range, code, link to the explanation, severity, fix payload).

use crate::catalogue;
use crate::model::{Finding, Fix, Location, Severity};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tower_lsp_server::lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, NumberOrString,
    Position, Range, Uri,
};
use tower_lsp_server::UriExt;

/// The `source` of every diagnostic we publish.
pub const SOURCE: &str = "go-env-doctor";

/// The position encoding negotiated with the client (LSP 3.17 `positionEncoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

/// The byte offset of the start of each line (after every `\n`).
fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1))
}

/// The largest char boundary ≤ `offset` (clamped to the text).
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// A byte offset of `text` as an LSP position.
pub fn position(text: &str, offset: usize, enc: Encoding) -> Position {
    let offset = floor_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let segment = &text[line_start..offset];
    let character = match enc {
        Encoding::Utf8 => segment.len(),
        Encoding::Utf16 => segment.chars().map(char::len_utf16).sum(),
    };
    Position::new(to_u32(line), to_u32(character))
}

/// An LSP position as a byte offset of `text`: clamped to the end of its line (a position past
/// the end of the line means the line end, per the spec), and to the text.
pub fn offset(text: &str, pos: Position, enc: Encoding) -> usize {
    let Some(start) = line_starts(text).nth(pos.line as usize) else {
        return text.len();
    };
    let rest = &text[start..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut units = 0usize;
    for (i, c) in line.char_indices() {
        if units >= pos.character as usize {
            return start + i;
        }
        units += match enc {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    start + line.len()
}

/// A byte range of `text` as an LSP range.
pub fn range(text: &str, start: usize, end: usize, enc: Encoding) -> Range {
    Range::new(
        position(text, start, enc),
        position(text, end.max(start), enc),
    )
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The range of a finding location in `text` (the file's current text): the byte span when
/// known, else from the 1-based line/column (column in Unicode scalar values) to the end of
/// that line, without its trailing white space.
pub fn location_range(text: &str, loc: &Location, enc: Encoding) -> Range {
    if let Some((start, end)) = loc.span {
        return range(text, start, end, enc);
    }
    let line_index = loc.line.saturating_sub(1) as usize;
    let Some(start) = line_starts(text).nth(line_index) else {
        let end = position(text, text.len(), enc);
        return Range::new(end, end);
    };
    let rest = &text[start..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let col = loc.column.saturating_sub(1) as usize;
    let from = line
        .char_indices()
        .nth(col)
        .map_or(line.trim_end().len(), |(i, _)| i);
    let to = line.trim_end().len().max(from);
    range(text, start + from, start + to, enc)
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

pub fn file_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

pub(crate) fn uri_path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

/// A diagnostic for `finding` in the file of its first location, whose current text is
/// `text`. `other_text` gives the text of the files of the other locations (for
/// `relatedInformation`), `None` when unreadable.
pub fn diagnostic(
    finding: &Finding,
    text: &str,
    enc: Encoding,
    other_text: &dyn Fn(&Path) -> Option<String>,
) -> Diagnostic {
    let range = finding
        .locations
        .first()
        .map(|l| location_range(text, l, enc))
        .unwrap_or_default();
    let related: Vec<DiagnosticRelatedInformation> = finding
        .locations
        .iter()
        .skip(1)
        .filter_map(|l| {
            let uri = file_uri(&l.path)?;
            let t = other_text(&l.path).unwrap_or_default();
            Some(DiagnosticRelatedInformation {
                location: tower_lsp_server::lsp_types::Location::new(
                    uri,
                    location_range(&t, l, enc),
                ),
                message: "configured here".to_string(),
            })
        })
        .chain(finding.related.iter().filter_map(|r| {
            let uri = file_uri(&r.path)?;
            let t = other_text(&r.path).unwrap_or_default();
            let at = crate::model::Location {
                path: r.path.clone(),
                line: r.line,
                column: 1,
                span: None,
            };
            Some(DiagnosticRelatedInformation {
                location: tower_lsp_server::lsp_types::Location::new(
                    uri,
                    location_range(&t, &at, enc),
                ),
                message: crate::redact::redact(&r.note),
            })
        }))
        .collect();
    let href = catalogue::doc_url(&finding.code).parse::<Uri>().ok();
    Diagnostic {
        range,
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.code.clone())),
        code_description: href.map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: serde_json::to_value(&finding.fixes).ok(),
    }
}

/// The fixes a diagnostic we published carries in `data`.
pub fn fixes_of(diag: &Diagnostic) -> Vec<Fix> {
    payload_of(diag).0
}

/// The fixes a diagnostic we published carries in `data`, and the version of the open
/// document it was computed against (`None`: computed from the file on disk). `data` is
/// either the fixes array, or `{"fixes": [...], "version": N}` for an open document.
pub fn payload_of(diag: &Diagnostic) -> (Vec<Fix>, Option<i32>) {
    if diag.source.as_deref() != Some(SOURCE) {
        return (Vec::new(), None);
    }
    let Some(data) = diag.data.clone() else {
        return (Vec::new(), None);
    };
    let version = data
        .get("version")
        .and_then(|v| v.as_i64())
        .and_then(|v| i32::try_from(v).ok());
    let fixes = match data {
        serde_json::Value::Object(mut m) => m.remove("fixes").unwrap_or_default(),
        other => other,
    };
    (serde_json::from_value(fixes).unwrap_or_default(), version)
}

/// Mark a diagnostic as computed against version `version` of the open document.
pub fn stamp_version(diag: &mut Diagnostic, version: i32) {
    stamp(diag, "version", serde_json::json!(version));
}

/// Record, for the files its fixes edit, the text the check read (`files`: path → digest as
/// hex, or null for a file that did not exist). A quick fix for a file that is not open is
/// computed from the disk when asked for: [`files_of`] lets it be refused when the file no
/// longer holds what the problem was found in.
pub fn stamp_files(diag: &mut Diagnostic, files: &BTreeMap<PathBuf, Option<u64>>) {
    if files.is_empty() {
        return;
    }
    let map: serde_json::Map<String, serde_json::Value> = files
        .iter()
        .map(|(p, d)| {
            let v = d.map_or(serde_json::Value::Null, |d| format!("{d:016x}").into());
            (p.to_string_lossy().into_owned(), v)
        })
        .collect();
    stamp(diag, "files", serde_json::Value::Object(map));
}

/// The stamps of [`stamp_files`]: path → digest (`None`: the file did not exist).
pub fn files_of(diag: &Diagnostic) -> BTreeMap<PathBuf, Option<u64>> {
    let Some(serde_json::Value::Object(m)) = diag.data.as_ref().and_then(|d| d.get("files")) else {
        return BTreeMap::new();
    };
    m.iter()
        .filter_map(|(p, v)| {
            let digest = match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(h) => Some(u64::from_str_radix(h, 16).ok()?),
                _ => return None,
            };
            Some((PathBuf::from(p), digest))
        })
        .collect()
}

/// Add `key: value` to a diagnostic's data, turning a bare fixes array into `{"fixes": …}`.
fn stamp(diag: &mut Diagnostic, key: &str, value: serde_json::Value) {
    let mut obj = match diag.data.take() {
        Some(serde_json::Value::Object(m)) => m,
        Some(fixes) => [("fixes".to_string(), fixes)].into_iter().collect(),
        None => [("fixes".to_string(), serde_json::Value::Array(Vec::new()))]
            .into_iter()
            .collect(),
    };
    obj.insert(key.to_string(), value);
    diag.data = Some(serde_json::Value::Object(obj));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        let text = "{\n  /* 🦀é */ \"go.goroot\": \"/x\"\n}\n";
        let key = text.find("\"go.goroot\"").unwrap_or(0);
        assert_eq!(position(text, key, Encoding::Utf16), Position::new(1, 12));
        assert_eq!(position(text, key, Encoding::Utf8), Position::new(1, 15));
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            assert_eq!(offset(text, position(text, key, enc), enc), key);
        }
    }

    #[test]
    fn offsets_past_the_line_end_clamp() {
        let text = "ab\r\ncd";
        assert_eq!(offset(text, Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(offset(text, Position::new(1, 1), Encoding::Utf16), 5);
        assert_eq!(offset(text, Position::new(7, 0), Encoding::Utf16), 6);
    }

    #[test]
    fn line_locations_span_the_rest_of_the_line() {
        let text = "GOPROXY=off  \nGOFLAGS=-mod=mod\n";
        let loc = Location {
            path: "/e".into(),
            line: 2,
            column: 1,
            span: None,
        };
        let r = location_range(text, &loc, Encoding::Utf16);
        assert_eq!(r, Range::new(Position::new(1, 0), Position::new(1, 16)));
    }
}
