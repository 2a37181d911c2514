//! `go-env-doctor explain CODE` and `explain --list`.

use super::report::severity_word;
use crate::catalogue::{self, CodeInfo, CODES};

/// The explanation of one code: `<code> (<severity>) — <title>`, the Markdown text, the URL.
pub fn render_explain(info: &CodeInfo) -> String {
    let other_editors = if ABOUT_THE_EDITORS_ENVIRONMENT.contains(&info.code) {
        format!("\n\n{}", crate::catalogue::explanations::IN_OTHER_EDITORS)
    } else {
        String::new()
    };
    format!(
        "{} ({}) — {}\n\n{}{other_editors}\n\nMore: {}\n",
        info.code,
        severity_word(info.severity),
        info.title,
        info.explanation.trim(),
        catalogue::doc_url(info.code)
    )
}

/// Codes about the environment an editor hands its Go tools: their fix differs per editor.
const ABOUT_THE_EDITORS_ENVIRONMENT: &[&str] = &[
    "go-not-found",
    "goroot-mismatch",
    "go-version-mismatch",
    "gocache-mismatch",
    "goproxy-mismatch",
    "env-file-shadowed",
    "toolchain-too-old",
    "env-mismatch",
];

/// Looks a code up leniently (case and surrounding spaces ignored). On failure, the error
/// message names the closest codes.
pub fn explain(code: &str) -> Result<String, String> {
    let wanted = code.trim().to_ascii_lowercase();
    match catalogue::lookup(&wanted) {
        Some(info) => Ok(render_explain(info)),
        None => {
            let close = close_matches(&wanted);
            let mut msg = format!("unknown code `{}`", code.trim());
            if close.is_empty() {
                msg.push('.');
            } else {
                msg.push_str(&format!("; did you mean {}?", close.join(", ")));
            }
            msg.push_str("\nRun `go-env-doctor explain --list` to see every code.");
            Err(msg)
        }
    }
}

/// Every code with its severity and title, aligned.
pub fn render_list() -> String {
    let code_w = CODES.iter().map(|c| c.code.len()).max().unwrap_or(0);
    let mut out = String::new();
    for c in CODES {
        out.push_str(&format!(
            "{:<code_w$}  {:<7}  {}\n",
            c.code,
            severity_word(c.severity),
            c.title
        ));
    }
    out
}

/// Codes close to `wanted`: small edit distance, or sharing a word with it; best first, ≤ 5.
pub fn close_matches(wanted: &str) -> Vec<&'static str> {
    let words: Vec<&str> = wanted
        .split(['-', '_', ' ', '.'])
        .filter(|w| w.len() >= 3)
        .collect();
    let mut scored: Vec<(usize, &'static str)> = CODES
        .iter()
        .filter_map(|c| {
            let d = levenshtein(wanted, c.code);
            let limit = (c.code.len() / 3).max(2);
            if d <= limit {
                return Some((d, c.code));
            }
            let shares = words.iter().any(|w| c.code.split('-').any(|p| p == *w))
                || (wanted.len() >= 4 && c.code.contains(wanted));
            shares.then_some((limit + d, c.code))
        })
        .collect();
    scored.sort();
    // When some codes are nearly right, only those are worth naming.
    let best = scored.first().map(|(d, _)| *d).unwrap_or(0);
    let cutoff = if best <= 2 { best + 1 } else { usize::MAX };
    scored
        .into_iter()
        .filter(|(d, _)| *d <= cutoff)
        .take(5)
        .map(|(_, c)| c)
        .collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_codes() {
        assert_eq!(
            close_matches("goroot-mismatc").first(),
            Some(&"goroot-mismatch")
        );
        assert!(close_matches("gocache").contains(&"gocache-off"));
        assert!(close_matches("zzzzzzzzzzzz").is_empty());
        assert!(explain("GOROOT-MISMATCH").is_ok());
        let err = explain("goproxy-of").unwrap_err();
        assert!(err.contains("goproxy-off"), "{err}");
    }
}
