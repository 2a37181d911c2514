//! GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` annotation per
//! finding, attached to the file and line where the value is configured when that file is in
//! the checked folder (the repository); other files are named in the message.

use super::report::Report;
use crate::model::{Finding, Severity};
use crate::redact::redact;

/// One workflow command per finding (nothing when there is no finding).
pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&command(report, f));
        out.push('\n');
    }
    out
}

fn command(report: &Report, f: &Finding) -> String {
    let name = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props: Vec<String> = Vec::new();
    let mut elsewhere = None;
    if let Some(loc) = f.locations.first() {
        match report.relative(&loc.path) {
            // Annotations attach to files of the checked folder (the repository in CI).
            Some(rel) => {
                let file = rel.to_string_lossy().replace('\\', "/");
                props.push(format!("file={}", escape_property(&redact(&file))));
                props.push(format!("line={}", loc.line.max(1)));
                props.push(format!("col={}", loc.column.max(1)));
            }
            // A file outside it (the go env file, user settings): say where in the message.
            None => {
                elsewhere = Some(format!(
                    "{}:{}:{}",
                    redact(&loc.path.display().to_string()),
                    loc.line.max(1),
                    loc.column.max(1)
                ));
            }
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("go-env-doctor({})", f.code))
    ));
    let mut message = redact(&f.message);
    if let Some(at) = elsewhere {
        message.push_str("\nAt: ");
        message.push_str(&at);
    }
    if let Some(fix) = f.fixes.first() {
        message.push_str("\nFix: ");
        message.push_str(&redact(&fix.title));
    }
    format!("::{name} {}::{}", props.join(","), escape_data(&message))
}

/// Escaping of a command's message (GitHub's `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a command's property values (GitHub's `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_actions_toolkit() {
        assert_eq!(escape_data("50%\r\nx: y, z"), "50%25%0D%0Ax: y, z");
        assert_eq!(escape_property("C:\\a,b"), "C%3A\\a%2Cb");
    }
}
