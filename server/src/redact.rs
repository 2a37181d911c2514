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
    redact_schemeless(&redact_schemeful(s))
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

fn redact_schemeful(s: &str) -> String {
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
                    Some((user, _password)) if !user.is_empty() => {
                        out.push_str(user);
                        out.push_str(":***");
                    }
                    _ => out.push_str("***"),
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
fn redact_schemeless(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut token_start = 0;
    let flush = |token: &str, out: &mut String| {
        let redacted = (!token.contains("://"))
            .then(|| {
                let at = token.rfind('@')?;
                let colon = token[..at].find(':')?;
                // `user:pass@host`, not `***@` we wrote ourselves or a `key:@` oddity.
                let password = &token[colon + 1..at];
                (colon > 0 && !password.is_empty() && password != "***")
                    .then(|| format!("{}:***{}", &token[..colon], &token[at..]))
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
