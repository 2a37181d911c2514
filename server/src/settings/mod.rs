//! Parsing editor configuration into values with exact source ranges, and rendering changes as
//! minimal text edits. Pure: callers do the reading and writing.

pub mod client_env;
pub mod envfile;
pub mod fix_edit;
pub mod gomod;
pub mod idea;
pub mod jsonc;
pub mod paths;

/// A replacement of the byte range `start..end` of a file's text by `new_text`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextEdit {
    pub start: usize,
    pub end: usize,
    pub new_text: String,
}

/// Apply non-overlapping edits to `text`.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.start));
    let mut out = text.to_string();
    for e in sorted {
        out.replace_range(e.start..e.end, &e.new_text);
    }
    out
}
