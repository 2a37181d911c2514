//! go.mod / go.work: the `module`, `go` and `toolchain` directives with exact positions, and Go
//! version ordering (cmd/go/internal/gover).
//!
//! The lexer follows golang.org/x/mod/modfile (`read.go`): `//` comments, `"…"` and `` `…` ``
//! strings, `(`…`)` blocks, `\r` as white space (CRLF files parse), and the same error texts as
//! cmd/go for what it rejects, prefixed like cmd/go prints them (`go.mod:3: …`). A UTF-8 BOM is
//! rejected by cmd/go (`unexpected input character '\ufeff'`): it is reported as an error here
//! too, but parsing continues after it so the directives are still found.

use std::path::{Component, Path, PathBuf};

use crate::model::{GoModFacts, GoWorkEdit, Line, SourceSpan};

const BOM: char = '\u{feff}';

#[derive(Debug, Clone, PartialEq, Eq)]
enum TokKind {
    Ident,
    /// A quoted string (text includes the quotes).
    Str,
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token<'a> {
    kind: TokKind,
    text: &'a str,
    /// Byte range in the whole file.
    start: usize,
    end: usize,
    /// 1-based column (Unicode scalar values) of `start`.
    column: u32,
}

/// One source line's tokens (a statement never spans lines in go.mod).
struct SrcLine<'a> {
    number: u32,
    tokens: Vec<Token<'a>>,
}

fn is_ident(c: char) -> bool {
    !matches!(c, ' ' | '(' | ')' | '[' | ']' | '{' | '}' | ',') && !c.is_whitespace() && is_print(c)
}

/// An approximation of Go's `unicode.IsPrint` for the characters that matter here: no control
/// characters, no format characters (BOM, zero-width joiners, bidi marks), no separators but
/// the space.
fn is_print(c: char) -> bool {
    !(c.is_control()
        || matches!(c, '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'))
}

/// Go's `%#q` of a rune.
fn quote_rune(c: char) -> String {
    match c {
        c if c.is_ascii_graphic() || c == ' ' => format!("'{c}'"),
        c if (c as u32) < 0x80 => format!("'\\x{:02x}'", c as u32),
        c if (c as u32) <= 0xFFFF => format!("'\\u{:04x}'", c as u32),
        c => format!("'\\U{:08x}'", c as u32),
    }
}

struct Lexer<'a> {
    errors: Vec<(u32, String)>,
    lines: Vec<SrcLine<'a>>,
}

fn lex(text: &str) -> Lexer<'_> {
    let mut lexer = Lexer {
        errors: Vec::new(),
        lines: Vec::new(),
    };
    let mut line_start = 0;
    let mut number: u32 = 1;
    while line_start < text.len() {
        let rest = &text[line_start..];
        let len = rest.find('\n').unwrap_or(rest.len());
        let line = &rest[..len];
        let tokens = lex_line(line, line_start, number, &mut lexer.errors);
        lexer.lines.push(SrcLine { number, tokens });
        line_start += len + 1;
        number = number.saturating_add(1);
    }
    lexer
}

fn lex_line<'a>(
    line: &'a str,
    base: usize,
    number: u32,
    errors: &mut Vec<(u32, String)>,
) -> Vec<Token<'a>> {
    let mut tokens = Vec::new();
    let mut chars = line.char_indices().peekable();
    let mut column: u32 = 1;
    while let Some(&(i, c)) = chars.peek() {
        let col = column;
        match c {
            ' ' | '\t' | '\r' => {
                chars.next();
                column += 1;
            }
            BOM if base + i == 0 => {
                // cmd/go rejects it; keep going to find the directives anyway.
                errors.push((
                    number,
                    format!("unexpected input character {}", quote_rune(c)),
                ));
                chars.next();
            }
            '/' if line[i..].starts_with("//") => break,
            '/' if line[i..].starts_with("/*") => {
                errors.push((
                    number,
                    "mod files must use // comments (not /* */ comments)".to_string(),
                ));
                break;
            }
            '(' | ')' | '[' | ']' | '{' | '}' | ',' => {
                chars.next();
                column += 1;
                tokens.push(Token {
                    kind: TokKind::Punct(c),
                    text: &line[i..i + 1],
                    start: base + i,
                    end: base + i + 1,
                    column: col,
                });
            }
            '"' | '`' => {
                chars.next();
                column += 1;
                let mut end = None;
                while let Some((j, d)) = chars.next() {
                    column += 1;
                    if d == c {
                        end = Some(j + 1);
                        break;
                    }
                    if d == '\\' && c == '"' && chars.next().is_some() {
                        column += 1;
                    }
                }
                match end {
                    Some(e) => tokens.push(Token {
                        kind: TokKind::Str,
                        text: &line[i..e],
                        start: base + i,
                        end: base + e,
                        column: col,
                    }),
                    None => {
                        errors.push((number, "unexpected newline in string".to_string()));
                        break;
                    }
                }
            }
            c if is_ident(c) => {
                let mut e = i;
                while let Some(&(j, d)) = chars.peek() {
                    if !is_ident(d) || line[j..].starts_with("//") {
                        break;
                    }
                    if line[j..].starts_with("/*") {
                        errors.push((
                            number,
                            "mod files must use // comments (not /* */ comments)".to_string(),
                        ));
                    }
                    e = j + d.len_utf8();
                    chars.next();
                    column += 1;
                }
                tokens.push(Token {
                    kind: TokKind::Ident,
                    text: &line[i..e],
                    start: base + i,
                    end: base + e,
                    column: col,
                });
            }
            c => {
                errors.push((
                    number,
                    format!("unexpected input character {}", quote_rune(c)),
                ));
                chars.next();
                column += 1;
            }
        }
    }
    tokens
}

/// `parseString`: the text of an identifier, or a quoted string unquoted.
fn unquote(tok: &Token<'_>) -> Option<String> {
    if tok.kind != TokKind::Str {
        return Some(tok.text.to_string());
    }
    let inner = tok.text.get(1..tok.text.len().checked_sub(1)?)?;
    if tok.text.starts_with('`') {
        return Some(inner.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            _ => return None,
        }
    }
    Some(out)
}

/// `GoVersionRE`: `^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$`.
fn matches_go_version_re(s: &str) -> bool {
    fn number(s: &str) -> Option<&str> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || (n > 1 && s.starts_with('0')) {
            return None;
        }
        Some(&s[n..])
    }
    let Some(rest) = (if s.starts_with('0') { None } else { number(s) }) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix('.').and_then(number) else {
        return false;
    };
    let rest = match rest.strip_prefix('.') {
        Some(r) => match number(r) {
            Some(r) => r,
            None => return false,
        },
        None => rest,
    };
    if rest.is_empty() {
        return true;
    }
    let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    let digits = &rest[letters..];
    letters > 0 && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `ToolchainRE`: `^default$|^go1($|\.)`.
fn matches_toolchain_re(s: &str) -> bool {
    s == "default" || s == "go1" || s.starts_with("go1.")
}

const MOD_VERBS: &[&str] = &[
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "exclude",
    "replace",
    "retract",
    "tool",
    "ignore",
];
const MOD_BLOCKS: &[&str] = &[
    "module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore",
];
const WORK_VERBS: &[&str] = &["go", "toolchain", "godebug", "use", "replace"];
const WORK_BLOCKS: &[&str] = &["godebug", "use", "replace"];

/// Parses a go.mod, or a go.work when the file name ends in `.work` (which has no `module`).
///
/// cmd/go refuses a file with any error; here errors are collected instead (`error` holds one
/// `file:line: message` per line, at most 10, in line order) and parsing goes on, so whatever
/// was found is kept for diagnostics to point at. A repeated directive keeps the first one; a
/// `go` or `toolchain` value that fails cmd/go's format check is kept as written (it is also in
/// `error`; [`parse_version`] tells whether it is usable).
pub fn parse(path: &Path, text: &str) -> GoModFacts {
    let work = path.extension().is_some_and(|e| e == "work");
    let (verbs, blocks) = if work {
        (WORK_VERBS, WORK_BLOCKS)
    } else {
        (MOD_VERBS, MOD_BLOCKS)
    };
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let lexer = lex(text);
    let mut errors = lexer.errors;
    let mut facts = GoModFacts {
        path: path.to_path_buf(),
        module: None,
        go: None,
        toolchain: None,
        error: None,
        error_line: None,
        uses: Vec::new(),
    };
    // cmd/go reports an unterminated block at the end of the file.
    let eof_line = u32::try_from(text.matches('\n').count())
        .unwrap_or(u32::MAX)
        .saturating_add(1);

    let mut lines = lexer.lines.iter().filter(|l| !l.tokens.is_empty());
    while let Some(line) = lines.next() {
        let toks = &line.tokens;
        let Some(first) = toks.first() else { continue };
        let opens_block =
            toks.len() >= 2 && toks.last().is_some_and(|t| t.kind == TokKind::Punct('('));
        let empty_block = toks.len() >= 3
            && toks
                .get(toks.len() - 2)
                .is_some_and(|t| t.kind == TokKind::Punct('('))
            && toks.last().is_some_and(|t| t.kind == TokKind::Punct(')'));
        if first.kind == TokKind::Punct(')') {
            errors.push((line.number, "syntax error (unexpected ')')".to_string()));
            continue;
        }
        if opens_block || empty_block {
            let head = &toks[..toks.len() - if empty_block { 2 } else { 1 }];
            let known = head.len() == 1 && blocks.contains(&first.text);
            if !known {
                let words: Vec<&str> = head.iter().map(|t| t.text).collect();
                errors.push((
                    line.number,
                    format!("unknown block type: {}", words.join(" ")),
                ));
            }
            if empty_block {
                continue;
            }
            // Block lines up to the closing paren.
            let mut closed = false;
            for inner in lines.by_ref() {
                if inner
                    .tokens
                    .first()
                    .is_some_and(|t| t.kind == TokKind::Punct(')'))
                {
                    if inner.tokens.len() > 1 {
                        errors.push((
                            inner.number,
                            "syntax error (expected newline after closing paren)".to_string(),
                        ));
                    }
                    closed = true;
                    break;
                }
                if known && (first.text == "module" || (work && first.text == "use")) {
                    directive(
                        &mut facts,
                        &mut errors,
                        path,
                        first.text,
                        &inner.tokens,
                        inner.number,
                        work,
                    );
                }
            }
            if !closed {
                // cmd/go names the end of the file; the block's first line is where to look.
                errors.push((
                    line.number,
                    format!(
                        "{file_name}:{eof_line}: syntax error (unterminated block started at {file_name}:{}:{})",
                        line.number, first.column
                    ),
                ));
            }
            continue;
        }
        if !verbs.contains(&first.text) || first.kind != TokKind::Ident {
            errors.push((line.number, format!("unknown directive: {}", first.text)));
            continue;
        }
        if let Some(args) = toks.get(1..) {
            directive(
                &mut facts,
                &mut errors,
                path,
                first.text,
                args,
                line.number,
                work,
            );
        }
    }

    if !errors.is_empty() {
        errors.sort_by_key(|(n, _)| *n);
        let prefix = format!("{file_name}:");
        let shown: Vec<String> = errors
            .iter()
            .take(10)
            .map(|(n, m)| {
                // A message that already names its own position (see the unterminated block).
                if m.starts_with(&prefix) {
                    m.clone()
                } else {
                    format!("{file_name}:{n}: {m}")
                }
            })
            .collect();
        facts.error = Some(shown.join("\n"));
        facts.error_line = errors.first().map(|(n, _)| *n);
    }
    facts
}

/// A go.mod / go.work that exists but cannot be read (`why`): cmd/go fails on it too.
pub fn unreadable(path: &Path, why: &str) -> GoModFacts {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    GoModFacts {
        path: path.to_path_buf(),
        module: None,
        go: None,
        toolchain: None,
        error: Some(format!("{name}: cannot be read: {why}")),
        error_line: Some(1),
        uses: Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn directive(
    facts: &mut GoModFacts,
    errors: &mut Vec<(u32, String)>,
    path: &Path,
    verb: &str,
    args: &[Token<'_>],
    number: u32,
    work: bool,
) {
    let mut err = |m: String| errors.push((number, m));
    let line_of = |tok: &Token<'_>, value: String| Line {
        value,
        line: number,
        span: SourceSpan {
            file: path.to_path_buf(),
            start: tok.start,
            end: tok.end,
            line: number,
            column: tok.column,
        },
    };
    match verb {
        "module" if !work => {
            if facts.module.is_some() {
                return err("repeated module statement".to_string());
            }
            let [tok] = args else {
                return err("usage: module module/path".to_string());
            };
            match unquote(tok) {
                Some(v) => facts.module = Some(line_of(tok, v)),
                None => err(format!("invalid quoted string: {}", tok.text)),
            }
        }
        "go" => {
            if facts.go.is_some() {
                return err("repeated go statement".to_string());
            }
            let [tok] = args else {
                return err("go directive expects exactly one argument".to_string());
            };
            if !matches_go_version_re(tok.text) {
                err(format!(
                    "invalid go version '{}': must match format 1.23.0",
                    tok.text
                ));
            } else if parse_version(tok.text).is_none() {
                // cmd/go accepts the syntax, then fails on it: "go.mod requires go >= …" with
                // GOTOOLCHAIN=local, a failed download of a toolchain that cannot exist
                // otherwise. Numbers beyond 32 bits are no Go release.
                err(format!(
                    "go version '{}' is no Go release (a version number is out of range): go refuses the module (\"go.mod requires go >= {}\", or a failed toolchain download)",
                    tok.text, tok.text
                ));
            }
            facts.go = Some(line_of(tok, tok.text.to_string()));
        }
        "use" if work => {
            // `use dir` (x/mod's parseUse): one path, quoted or not, possibly with a comment.
            let [tok] = args else {
                return err("usage: use local/dir".to_string());
            };
            match unquote(tok) {
                Some(v) => facts.uses.push(line_of(tok, v)),
                None => err(format!("invalid quoted string: {}", tok.text)),
            }
        }
        "toolchain" => {
            if facts.toolchain.is_some() {
                return err("repeated toolchain statement".to_string());
            }
            let [tok] = args else {
                return err("toolchain directive expects exactly one argument".to_string());
            };
            if !matches_toolchain_re(tok.text) {
                err(format!(
                    "invalid toolchain version '{}': must match format go1.23.0 or default",
                    tok.text
                ));
            } else if tok
                .text
                .strip_prefix("go")
                .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                && parse_version(tok.text).is_none()
            {
                err(format!(
                    "toolchain '{}' is no Go release (a version number is out of range): go cannot switch to it",
                    tok.text
                ));
            }
            facts.toolchain = Some(line_of(tok, tok.text.to_string()));
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// go.work edits
// ---------------------------------------------------------------------------------------------

/// The byte-range replacements (`start`, `end`, new text) that make one [`GoWorkEdit`] in a
/// go.work's `text`, keeping its line endings. `Err` says why no safe edit exists (the file no
/// longer has the `use` to drop).
pub fn work_edit(
    path: &Path,
    text: &str,
    edit: &GoWorkEdit,
) -> Result<Vec<(usize, usize, String)>, String> {
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let facts = parse(path, text);
    let line_start = |n: u32| -> usize {
        let index = usize::try_from(n.saturating_sub(1)).unwrap_or(usize::MAX);
        text.split_inclusive('\n').take(index).map(str::len).sum()
    };
    let line_end = |n: u32| -> usize {
        let index = usize::try_from(n.saturating_sub(1)).unwrap_or(usize::MAX);
        line_start(n) + text.split_inclusive('\n').nth(index).map_or(0, str::len)
    };
    match edit {
        GoWorkEdit::SetGo { version } => match &facts.go {
            Some(go) => Ok(vec![(go.span.start, go.span.end, version.clone())]),
            None => {
                // Before the first directive, after a leading comment block.
                let mut at = 0;
                for l in text.split_inclusive('\n') {
                    let t = l.trim();
                    if !(t.is_empty() || t.starts_with("//")) {
                        break;
                    }
                    at += l.len();
                }
                let before = if at > 0 && !text[..at].ends_with('\n') {
                    nl
                } else {
                    ""
                };
                Ok(vec![(at, at, format!("{before}go {version}{nl}{nl}"))])
            }
        },
        GoWorkEdit::AddUse { dirs } => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            // Inside the first `use (` block, before its `)`.
            let mut offset = 0;
            let mut block_open = false;
            for l in &lines {
                let t = l.trim();
                let code = t.split("//").next().unwrap_or("").trim();
                if !block_open && code.starts_with("use") && code.ends_with('(') {
                    let head = code.trim_end_matches('(').trim();
                    block_open = head == "use";
                } else if block_open && code.starts_with(')') {
                    let new: String = dirs
                        .iter()
                        .map(|d| format!("\t{}{nl}", quote_path(d)))
                        .collect();
                    return Ok(vec![(offset, offset, new)]);
                }
                offset += l.len();
            }
            // After the last single-line `use`, or at the end of the file.
            let at = match facts.uses.last() {
                Some(u) => line_end(u.line),
                None => text.len(),
            };
            let mut new = String::new();
            if at > 0 && !text[..at].ends_with('\n') {
                new.push_str(nl);
            }
            if facts.uses.is_empty() && at > 0 {
                new.push_str(nl);
            }
            for d in dirs {
                new.push_str(&format!("use {}{nl}", quote_path(d)));
            }
            Ok(vec![(at, at, new)])
        }
        GoWorkEdit::DropUse { dir } => {
            let u = facts
                .uses
                .iter()
                .find(|u| u.value == *dir)
                .ok_or_else(|| format!("{} no longer uses {dir}", path.display()))?;
            Ok(vec![(line_start(u.line), line_end(u.line), String::new())])
        }
    }
}

/// The directory a go.work's `use` line names: relative to the go.work's directory, cleaned
/// lexically (cmd/go's `filepath.Join`).
pub fn use_dir(work_dir: &Path, used: &str) -> PathBuf {
    // The common spelling (`./svc/a`, `svc/a`) needs no cleaning: one allocation, not one per
    // component (a monorepo's go.work has a thousand of them).
    let rel = used.strip_prefix("./").unwrap_or(used);
    let plain = !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.ends_with('/')
        && rel
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    if plain && work_dir.is_absolute() {
        return work_dir.join(rel);
    }
    clean(&work_dir.join(used))
}

/// Whether `dir` is `base` or below it, by bytes (`Path::starts_with` compares component by
/// component, which a thousand-module check does thousands of times). Both must be clean.
pub fn is_under(dir: &Path, base: &Path) -> bool {
    let (d, b) = (
        dir.as_os_str().as_encoded_bytes(),
        base.as_os_str().as_encoded_bytes(),
    );
    let b = b.strip_suffix(b"/").unwrap_or(b);
    d.starts_with(b) && (d.len() == b.len() || d.get(b.len()) == Some(&b'/'))
}

/// `filepath.Clean` for an absolute path: no `.`, `..` resolved against the components
/// before it (never above the root), no trailing separator.
pub fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !out.has_root() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A directory as a go.work line spells it: quoted when it holds white space or quotes.
fn quote_path(d: &str) -> String {
    let plain = !d.is_empty()
        && !d.contains("//")
        && !d.contains("/*")
        && d.chars().all(|c| is_ident(c) && c != '"' && c != '`');
    if !plain {
        format!("{d:?}")
    } else {
        d.to_string()
    }
}

pub use crate::goport::gover::{parse_version, toolchain_version_of_go_line, GoVersion};

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GoVersion {
        parse_version(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn clean_like_filepath() {
        assert_eq!(clean(Path::new("/a/b/../c/./d")), PathBuf::from("/a/c/d"));
        assert_eq!(clean(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(
            use_dir(Path::new("/w"), "./svc/a/"),
            PathBuf::from("/w/svc/a")
        );
        assert_eq!(
            use_dir(Path::new("/w/x"), "../lib"),
            PathBuf::from("/w/lib")
        );
        assert_eq!(use_dir(Path::new("/w"), "/abs/m"), PathBuf::from("/abs/m"));
        assert_eq!(use_dir(Path::new("/w"), "svc/a"), PathBuf::from("/w/svc/a"));
        assert_eq!(use_dir(Path::new("/w"), "./a//b"), PathBuf::from("/w/a/b"));
        assert_eq!(use_dir(Path::new("/w"), "."), PathBuf::from("/w"));
        assert!(is_under(Path::new("/w/a"), Path::new("/w")));
        assert!(is_under(Path::new("/w"), Path::new("/w")));
        assert!(is_under(Path::new("/w/a"), Path::new("/")));
        assert!(!is_under(Path::new("/wx/a"), Path::new("/w")));
    }

    #[test]
    fn version_ordering_follows_gover() {
        let less = [
            ("1", "1.1"),
            ("1.5", "1.6"),
            ("1.5", "1.10"),
            ("1.6", "1.6.1"),
            ("1.19rc1", "1.19"),
            ("1.20rc1", "1.20"),
            ("1.21", "1.21.0"),
            ("1.21", "1.21rc1"),
            ("1.21rc1", "1.21.0"),
            ("1.19", "1.19.1"),
            ("1.19rc1", "1.19rc2"),
            ("1.19alpha3", "1.19beta2"),
            ("1.19beta2", "1.19rc1"),
            ("go1.21rc1", "go1.21.0"),
            ("1.22.10", "go1.23rc2"),
            ("1.9", "1.10"),
        ];
        for (a, b) in less {
            assert!(v(a) < v(b), "{a} < {b}");
            assert!(v(b) > v(a), "{b} > {a}");
        }
        assert_eq!(v("1.19"), v("1.19.0"));
        assert_eq!(v("1.20"), v("1.20.0"));
        assert_eq!(v("go1.22.3"), v("1.22.3"));
        assert_eq!(v("go1.22.3-bigcorp"), v("1.22.3"));
        assert_ne!(v("1.21"), v("1.21.0"));
        // Malformed versions compare below well-formed ones (as `Option`).
        assert!(parse_version("x") < Some(v("1.0")));
    }

    #[test]
    fn version_parsing_rejects_what_gover_rejects() {
        for bad in [
            "",
            "x",
            "1.",
            "1.01",
            "01.2",
            "1.2.3rc1",
            "1.21.",
            "1.2x.3",
            "1.22RC1",
            "go",
            "go1.2/x",
            "1.99999999999",
        ] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
        assert_eq!(
            v("1.23rc2"),
            GoVersion {
                major: 1,
                minor: 23,
                patch: None,
                pre: Some("rc2".into())
            }
        );
        assert_eq!(
            v("1.21rc"),
            GoVersion {
                major: 1,
                minor: 21,
                patch: None,
                pre: Some("rc".into())
            }
        );
        assert_eq!(
            v("1"),
            GoVersion {
                major: 1,
                minor: 0,
                patch: Some(0),
                pre: None
            }
        );
        assert_eq!(v(" 1.22.3 ").to_string(), "1.22.3");
        assert_eq!(v("1.22").toolchain_name(), "go1.22");
    }

    #[test]
    fn toolchain_of_go_line() {
        let t = |s: &str| toolchain_version_of_go_line(s).map(|v| v.toolchain_name());
        assert_eq!(t("1.22").as_deref(), Some("go1.22.0"));
        assert_eq!(t("1.21").as_deref(), Some("go1.21.0"));
        assert_eq!(t("1.20").as_deref(), Some("go1.20.0"));
        assert_eq!(t("1.21rc1").as_deref(), Some("go1.21rc1"));
        assert_eq!(t("1.22.3").as_deref(), Some("go1.22.3"));
        assert_eq!(t("bogus"), None);
        assert!(toolchain_version_of_go_line("1.21") > parse_version("1.21rc1"));
    }

    fn facts(name: &str, text: &str) -> GoModFacts {
        parse(Path::new(name), text)
    }

    #[test]
    fn parses_directives_with_spans() {
        let text = "// header\nmodule example.com/m // the module\n\ngo 1.22\ntoolchain go1.23.4\n\nrequire (\n\tgolang.org/x/mod v0.20.0\n)\n";
        let f = facts("go.mod", text);
        assert_eq!(f.error, None);
        let m = f.module.expect("module");
        assert_eq!(
            (m.value.as_str(), m.line, m.span.column),
            ("example.com/m", 2, 8)
        );
        assert_eq!(&text[m.span.start..m.span.end], "example.com/m");
        let g = f.go.expect("go");
        assert_eq!(
            (g.value.as_str(), g.line, g.span.line, g.span.column),
            ("1.22", 4, 4, 4)
        );
        assert_eq!(&text[g.span.start..g.span.end], "1.22");
        let t = f.toolchain.expect("toolchain");
        assert_eq!((t.value.as_str(), t.line), ("go1.23.4", 5));
    }

    #[test]
    fn crlf_bom_quotes_and_module_blocks() {
        let text = "\u{feff}module \"example.com/q\"\r\n\r\ngo 1.21.0\r\n";
        let f = facts("go.mod", text);
        assert_eq!(
            f.module.as_ref().map(|m| m.value.as_str()),
            Some("example.com/q")
        );
        let m = f.module.expect("module");
        assert_eq!(&text[m.span.start..m.span.end], "\"example.com/q\"");
        assert_eq!(m.span.column, 8, "the BOM is not a column");
        assert_eq!(f.go.map(|g| g.value), Some("1.21.0".to_string()));
        assert_eq!(
            f.error.as_deref(),
            Some("go.mod:1: unexpected input character '\\ufeff'")
        );

        let f = facts("go.mod", "module (\n  example.com/b\n)\ngo 1.21\n");
        assert_eq!(
            f.module.map(|m| (m.value, m.line)),
            Some(("example.com/b".to_string(), 2))
        );
        assert_eq!(f.error, None);
    }

    #[test]
    fn malformed_files_keep_what_was_found() {
        let f = facts(
            "go.mod",
            "module example.com/m\ngo (\n 1.21\n)\ntoolchain go1.22.0\n",
        );
        assert_eq!(f.error.as_deref(), Some("go.mod:2: unknown block type: go"));
        assert_eq!(f.toolchain.map(|t| t.value), Some("go1.22.0".to_string()));

        let f = facts(
            "go.mod",
            "module example.com/m\ngo 1.x\ngo 1.22\ntoolchain latest\nfrobnicate\n",
        );
        assert_eq!(
            f.error.as_deref(),
            Some("go.mod:2: invalid go version '1.x': must match format 1.23.0\ngo.mod:3: repeated go statement\ngo.mod:4: invalid toolchain version 'latest': must match format go1.23.0 or default\ngo.mod:5: unknown directive: frobnicate")
        );
        assert_eq!(f.go.map(|g| g.value), Some("1.x".to_string()));
        assert_eq!(f.module.map(|m| m.value), Some("example.com/m".to_string()));

        let f = facts("go.mod", "module example.com/m\nrequire (\n\tx v1.0.0\n");
        assert_eq!(
            f.error.as_deref(),
            Some("go.mod:4: syntax error (unterminated block started at go.mod:2:1)")
        );
        // Located where the block starts; worded as cmd/go does (the end of the file).
        assert_eq!(f.error_line, Some(2));
        let f = facts("go.mod", "module m\n\ngo 1.99999999999999999999\n");
        assert_eq!(f.error_line, Some(3));
        assert!(
            f.error
                .as_deref()
                .is_some_and(|e| e
                    .starts_with("go.mod:3: go version '1.99999999999999999999' is no Go release")),
            "{:?}",
            f.error
        );
        let f = facts("go.mod", "module m\ngo 1.22\ntoolchain go1.99999999999\n");
        assert_eq!(f.error_line, Some(3), "{:?}", f.error);
        assert!(facts("go.mod", "module m\ngo 1.22\ntoolchain go1.23.4\n")
            .error
            .is_none());
        let f = facts("go.mod", "module a b\ngo\n/* x */\n");
        assert!(f.module.is_none());
        assert!(f.go.is_none());
        let err = f.error.unwrap_or_default();
        assert!(err.contains("go.mod:1: usage: module module/path"), "{err}");
        assert!(
            err.contains("go.mod:2: go directive expects exactly one argument"),
            "{err}"
        );
        assert!(
            err.contains("go.mod:3: mod files must use // comments (not /* */ comments)"),
            "{err}"
        );
        assert!(facts("go.mod", "module \"unterminated\n").error.is_some());
        assert_eq!(facts("go.mod", "").error, None);
        assert_eq!(
            facts("go.mod", "\u{0}\u{1}é")
                .error
                .as_deref()
                .map(|e| e.starts_with("go.mod:1: unexpected input character '\\x00'")),
            Some(true)
        );
    }

    #[test]
    fn go_work_files() {
        let f = facts(
            "go.work",
            "go 1.23\n\nuse (\n\t./a\n\t./b\n)\ntoolchain go1.23.1\n",
        );
        assert_eq!(f.error, None);
        assert!(f.module.is_none());
        assert_eq!(f.go.map(|g| g.value), Some("1.23".to_string()));
        assert_eq!(f.toolchain.map(|g| g.line), Some(7));
        let f = facts("go.work", "module x\n");
        assert_eq!(
            f.error.as_deref(),
            Some("go.work:1: unknown directive: module")
        );
    }
}
