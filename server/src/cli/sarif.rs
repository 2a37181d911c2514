//! SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, Azure DevOps, …).
//! One rule per catalogue code; one result per finding; paths inside the checked folder are
//! relative to `%SRCROOT%`, others are absolute `file://` URIs. Fixes are not expressed (they
//! are not all text edits).

use super::report::Report;
use crate::catalogue::{self, CODES};
use crate::model::{Finding, Severity};
use crate::redact::redact;
use serde_json::{json, Value};
use std::path::Path;

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/go-env-doctor/go-env-doctor";

/// The SARIF log, pretty-printed, with a trailing newline.
pub fn render_sarif(report: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(&sarif_value(report)).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

pub fn sarif_value(report: &Report) -> Value {
    let rules: Vec<Value> = CODES
        .iter()
        .map(|c| {
            json!({
                "id": c.code,
                "name": rule_name(c.code),
                "shortDescription": { "text": c.title },
                "fullDescription": { "text": first_paragraph(c.explanation) },
                "help": { "text": c.explanation, "markdown": c.explanation },
                "helpUri": catalogue::doc_url(c.code),
                "defaultConfiguration": { "level": level(c.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result_value(report, f))
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "go-env-doctor",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {
                "%SRCROOT%": { "uri": dir_uri(&report.folder) }
            },
            "results": results,
        }]
    })
}

fn result_value(report: &Report, f: &Finding) -> Value {
    let mut result = serde_json::Map::new();
    result.insert("ruleId".into(), Value::String(f.code.clone()));
    if let Some(index) = CODES.iter().position(|c| c.code == f.code) {
        result.insert("ruleIndex".into(), Value::from(index));
    }
    result.insert("level".into(), Value::String(level(f.severity).into()));
    let mut text = redact(&f.message);
    if let Some(fix) = f.fixes.first() {
        text.push_str("\nFix: ");
        text.push_str(&redact(&fix.title));
    }
    result.insert("message".into(), json!({ "text": text }));
    let locations: Vec<Value> = f
        .locations
        .iter()
        .map(|l| {
            json!({
                "physicalLocation": {
                    "artifactLocation": artifact_location(report, &l.path),
                    "region": { "startLine": l.line.max(1), "startColumn": l.column.max(1) },
                }
            })
        })
        .collect();
    result.insert("locations".into(), Value::Array(locations));
    // Where the cause was set (attribution): SARIF's related locations, each with its note.
    if !f.related.is_empty() {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                json!({
                    "id": i,
                    "physicalLocation": {
                        "artifactLocation": artifact_location(report, &r.path),
                        "region": { "startLine": r.line.max(1) },
                    },
                    "message": { "text": redact(&r.note) },
                })
            })
            .collect();
        result.insert("relatedLocations".into(), Value::Array(related));
    }
    Value::Object(result)
}

fn artifact_location(report: &Report, path: &Path) -> Value {
    match report.relative(path) {
        Some(rel) => json!({
            "uri": encode_path(&rel.to_string_lossy().replace('\\', "/")),
            "uriBaseId": "%SRCROOT%",
        }),
        None => json!({ "uri": file_uri(path) }),
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `goroot-mismatch` → `GorootMismatch` (SARIF's optional human-readable rule name).
fn rule_name(code: &str) -> String {
    code.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn first_paragraph(markdown: &str) -> String {
    markdown
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `file:///abs/path` with the path percent-encoded (Windows: `file:///C:/…`).
pub(crate) fn file_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let s = if s.starts_with('/') {
        s
    } else {
        format!("/{s}")
    };
    format!("file://{}", encode_path(&s))
}

/// The folder as a `file://` URI ending in `/`, as SARIF wants for base URIs.
fn dir_uri(path: &Path) -> String {
    let mut uri = file_uri(path);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Percent-encodes everything but unreserved characters, `/` and `:` (RFC 3986 path).
pub(crate) fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(
            file_uri(Path::new("/home/me/my proj/ü")),
            "file:///home/me/my%20proj/%C3%BC"
        );
        assert_eq!(rule_name("goroot-mismatch"), "GorootMismatch");
    }
}
