//! Go's module path patterns (GOPRIVATE, GONOPROXY, GONOSUMDB): a comma-separated list of
//! `path.Match` globs, each matched against the leading path elements of a module path — as many
//! elements as the pattern has (golang.org/x/mod/module `MatchPrefixPatterns`).

/// Whether any pattern of the comma-separated `patterns` matches a prefix of `target`.
pub fn match_prefix_patterns(patterns: &str, target: &str) -> bool {
    patterns
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .any(|pattern| {
            let elements = pattern.matches('/').count() + 1;
            let parts: Vec<&str> = target.split('/').collect();
            if parts.len() < elements {
                return false;
            }
            path_match(pattern, &parts[..elements].join("/"))
        })
}

/// `path.Match`: `*` is any run of non-`/` characters, `?` one non-`/` character, `[…]` a
/// class (`^` negates, `a-z` ranges), `\` escapes. A malformed pattern matches nothing.
pub fn path_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    matches(&p, &n)
}

fn matches(p: &[char], n: &[char]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some('*') => {
            // Any run of non-separators, shortest first.
            let rest = &p[1..];
            let mut i = 0;
            loop {
                if matches(rest, &n[i..]) {
                    return true;
                }
                if i >= n.len() || n[i] == '/' {
                    return false;
                }
                i += 1;
            }
        }
        Some('?') => n.first().is_some_and(|c| *c != '/') && matches(&p[1..], &n[1..]),
        Some('[') => {
            let Some((hit, used)) = class(&p[1..], n.first().copied()) else {
                return false;
            };
            hit && matches(&p[1 + used..], &n[1..])
        }
        Some('\\') => match (p.get(1), n.first()) {
            (Some(a), Some(b)) if a == b => matches(&p[2..], &n[1..]),
            _ => false,
        },
        Some(c) => n.first() == Some(c) && matches(&p[1..], &n[1..]),
    }
}

/// Match one character against a class body (after `[`): whether it matched, and how many
/// pattern characters the class used including `]`. `None`: malformed, or no character.
fn class(p: &[char], c: Option<char>) -> Option<(bool, usize)> {
    let c = c.filter(|c| *c != '/')?;
    let mut i = 0;
    let negated = p.first() == Some(&'^');
    if negated {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    loop {
        let lo = *p.get(i)?;
        if lo == ']' && !first {
            return Some((hit != negated, i + 1));
        }
        first = false;
        let lo = if lo == '\\' {
            i += 1;
            *p.get(i)?
        } else {
            lo
        };
        i += 1;
        let hi = if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|h| *h != ']') {
            i += 1;
            let h = *p.get(i)?;
            i += 1;
            h
        } else {
            lo
        };
        if lo <= c && c <= hi {
            hit = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_leading_path_elements_like_go() {
        let t = "golang.org/toolchain";
        assert!(match_prefix_patterns("*", t));
        assert!(match_prefix_patterns("golang.org", t));
        assert!(match_prefix_patterns("corp.example.com, golang.org/*", t));
        assert!(match_prefix_patterns("*.org", t));
        assert!(!match_prefix_patterns("golang.org/x", t));
        assert!(!match_prefix_patterns("golang.org/toolchain/more", t));
        assert!(!match_prefix_patterns("github.com", t));
        assert!(!match_prefix_patterns("", t));
        assert!(match_prefix_patterns("g?lang.org", t));
        assert!(match_prefix_patterns("[fg]olang.org", t));
        assert!(!match_prefix_patterns("[^g]olang.org", t));
        assert!(match_prefix_patterns("[a-h]olang.org", t));
        assert!(!match_prefix_patterns("[golang.org", t), "malformed");
    }
}
