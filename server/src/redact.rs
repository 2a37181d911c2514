//! Credentials in proxy URLs (`https://user:token@host`) must never reach any output.
//! Go prints them as `user:***@`; so do we, everywhere.

/// Replace the password of every `scheme://user:password@` in `s` by `***` (a bare
/// `scheme://token@` becomes `***@`), and the same in scheme-less `user:password@host` entries,
/// which cmd/go completes with `https://`.
///
/// Passwords are not always percent-encoded: one holding `/`, `?`, `#`, `,`, a space or even
/// `@` is still a secret. So the userinfo is taken to run from `://` to the *last* `@` before
/// the next URL, the end of the line, or a break in the surrounding prose (`, `, `; `, ` (`,
/// a backquote or a double quote). That can hide a little more than the userinfo of an odd
/// URL; it never shows a password.
pub fn redact(s: &str) -> String {
    let mut hidden = Vec::new();
    redact_schemeless(&redact_schemeful(s, &mut hidden), &mut hidden)
}

/// Where the text a URL's userinfo may span ends: the next `://`, a line break, or prose.
fn region_end(tail: &str) -> usize {
    const STOPS: [&str; 7] = ["://", "\n", ", ", "; ", " (", "`", "\""];
    STOPS
        .iter()
        .filter_map(|stop| tail.find(stop))
        .min()
        .unwrap_or(tail.len())
}

/// Pushes each hidden password (or token) to `hidden`.
fn redact_schemeful(s: &str, hidden: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(idx) = rest.find("://") {
        let (head, tail) = rest.split_at(idx + 3);
        out.push_str(head);
        let region = &tail[..region_end(tail)];
        match region.rfind('@') {
            Some(at) => {
                let userinfo = &region[..at];
                match userinfo.split_once(':') {
                    Some((user, password)) if !user.is_empty() => {
                        out.push_str(user);
                        out.push_str(":***");
                        hidden.push(password.to_string());
                    }
                    _ => {
                        out.push_str("***");
                        hidden.push(userinfo.to_string());
                    }
                }
                rest = &tail[at..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// `user:password@host` entries without a scheme (split on list separators and blanks).
/// Pushes each hidden password to `hidden`.
fn redact_schemeless(s: &str, hidden: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut token_start = 0;
    let mut flush = |token: &str, out: &mut String| {
        let redacted = (!token.contains("://"))
            .then(|| {
                let at = token.rfind('@')?;
                let colon = token[..at].find(':')?;
                // `user:pass@host`, not `***@` we wrote ourselves or a `key:@` oddity.
                let password = &token[colon + 1..at];
                (colon > 0 && !password.is_empty() && password != "***").then(|| {
                    hidden.push(password.to_string());
                    format!("{}:***{}", &token[..colon], &token[at..])
                })
            })
            .flatten();
        out.push_str(redacted.as_deref().unwrap_or(token));
    };
    for (i, c) in s.char_indices() {
        if matches!(c, ',' | '|' | '`' | '"' | '(' | ')') || c.is_whitespace() {
            flush(&s[token_start..i], &mut out);
            out.push(c);
            token_start = i + c.len_utf8();
        }
    }
    flush(&s[token_start..], &mut out);
    out
}

/// The secrets [`redact`] hides in `value`, whole and cut at URL delimiters: an error message
/// about a malformed URL (cmd/go's "invalid port" names what follows the last `:`) can quote
/// any one of these pieces.
fn secret_pieces(value: &str) -> Vec<String> {
    let mut hidden = Vec::new();
    redact_schemeless(&redact_schemeful(value, &mut hidden), &mut hidden);
    let pieces = hidden
        .iter()
        .flat_map(|p| p.split(['/', '?', '#', '@', ',', ' ', ':', '|']))
        .map(str::to_string);
    hidden
        .iter()
        .cloned()
        .chain(pieces)
        .filter(|p| p.len() >= 2)
        .collect()
}

/// `text` (a message that may quote parts of `value`) with every secret of `value` redacted,
/// whole or in pieces.
pub fn scrub(text: &str, value: &str) -> String {
    let mut out = redact(text);
    let mut pieces = secret_pieces(value);
    // Longest first, so a piece is never half-replaced by a shorter one inside it.
    pieces.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for piece in pieces {
        out = out.replace(&piece, "***");
    }
    out
}

/// Whether `s` holds credentials in a URL's userinfo.
pub fn has_credentials(s: &str) -> bool {
    redact(s) != s
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_password_keeps_user() {
        assert_eq!(
            redact("https://alice:s3cret@proxy.corp.example/go,direct"),
            "https://alice:***@proxy.corp.example/go,direct"
        );
    }

    #[test]
    fn redacts_bare_token() {
        assert_eq!(
            redact("https://ghp_abc@goproxy.io"),
            "https://***@goproxy.io"
        );
    }

    #[test]
    fn leaves_plain_urls_and_lists_alone() {
        let s = "https://proxy.golang.org,direct|off file:///srv/mods";
        assert_eq!(redact(s), s);
    }

    #[test]
    fn passwords_with_url_delimiters_are_hidden_whole() {
        for password in [
            "p/ss",
            "p#ss",
            "p?ss",
            "p ss",
            "p,ss",
            "p@ss",
            "p|ss",
            "a/b?c#d e,f",
        ] {
            let value = format!("https://alice:{password}@proxy.corp.example/go,direct");
            let shown = redact(&value);
            assert_eq!(
                shown, "https://alice:***@proxy.corp.example/go,direct",
                "{value}"
            );
            let prose = format!("GOPROXY={value} (set in your shell's environment), and more");
            assert!(!redact(&prose).contains(password), "{prose}");
        }
    }

    #[test]
    fn scrub_hides_pieces_of_the_password_that_an_error_quotes() {
        let value = "https://alice:tr4ce-s/cret@goproxy.corp.example";
        let err = "parse \"https://alice:tr4ce-s/cret@goproxy.corp.example\": invalid port \":tr4ce-s\" after host";
        let shown = super::scrub(err, value);
        assert!(!shown.contains("tr4ce"), "{shown}");
        assert!(!shown.contains("cret"), "{shown}");
        assert!(shown.contains("invalid port"), "{shown}");
        assert_eq!(
            super::scrub("no secret here", "https://proxy.golang.org"),
            "no secret here"
        );
    }

    #[test]
    fn schemeless_user_password_is_hidden() {
        assert_eq!(
            redact("alice:s3cret@goproxy.corp.example,direct"),
            "alice:***@goproxy.corp.example,direct"
        );
        assert_eq!(
            redact("GOPROXY=`bob:tok/en@h.example`"),
            "GOPROXY=`bob:***@h.example`"
        );
    }

    #[test]
    fn module_paths_and_emails_without_passwords_stay() {
        for s in [
            "/home/u/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.5.linux-amd64",
            "GOPROXY=https://proxy.golang.org,direct (from $GOROOT/go.env); toolchain@v0.0.1-go1.23.0",
            "GOFLAGS=-mod=mod",
        ] {
            assert_eq!(redact(s), s);
        }
    }

    #[test]
    fn redacts_every_entry_of_a_list() {
        assert_eq!(
            redact("https://a:b@x.example|http://c:d@y.example"),
            "https://a:***@x.example|http://c:***@y.example"
        );
    }
}
