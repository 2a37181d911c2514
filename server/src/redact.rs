//! Credentials in proxy URLs (`https://user:token@host`) must never reach any output.
//! Go prints them as `user:***@`; so do we, everywhere.

/// Replace the password part of every `scheme://user:password@` in `s` by `***`.
/// A bare `user@` (no password) is a token too (`https://token@host`): it becomes `***@`.
pub fn redact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(idx) = rest.find("://") {
        let (head, tail) = rest.split_at(idx + 3);
        out.push_str(head);
        // The authority ends at the first '/', ',', '|', '?', '#' or whitespace.
        let end = tail
            .find(|c: char| matches!(c, '/' | ',' | '|' | '?' | '#') || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.split_once(':') {
                    Some((user, _password)) => {
                        out.push_str(user);
                        out.push_str(":***");
                    }
                    None => out.push_str("***"),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
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
    fn redacts_every_entry_of_a_list() {
        assert_eq!(
            redact("https://a:b@x.example|http://c:d@y.example"),
            "https://a:***@x.example|http://c:***@y.example"
        );
    }
}
