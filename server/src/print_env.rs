//! The hidden `__print-env MARK` subcommand: the login shell runs it so that we can read the
//! environment the shell built, without depending on node/python/env(1) being installed.
//!
//! Output format (one line, no trailing newline): `MARK` + a JSON object of every variable of the
//! process environment + `MARK`. Names and values that are not valid UTF-8 are converted lossily
//! (U+FFFD), keys are sorted, and the JSON is compact, so the reader in
//! [`crate::facts::shell`] can find it among whatever banners the shell's rc files print.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Write;
use std::process::ExitCode;

/// Formats `MARK{"NAME":"value",...}MARK` for the given environment.
///
/// When a lossy conversion makes two names equal, the later one wins.
pub fn render<I, K, V>(mark: &str, env: I) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    let map: BTreeMap<String, String> = env
        .into_iter()
        .map(|(k, v)| {
            (
                k.as_ref().to_string_lossy().into_owned(),
                v.as_ref().to_string_lossy().into_owned(),
            )
        })
        .collect();
    // Serializing a map of strings cannot fail; fall back to an empty object rather than panic.
    let json = serde_json::to_string(&map).unwrap_or_else(|_| String::from("{}"));
    let mut out = String::with_capacity(json.len() + 2 * mark.len());
    out.push_str(mark);
    out.push_str(&json);
    out.push_str(mark);
    out
}

/// `__print-env MARK [REQUEST]` in its one exact form, as the probe writes it (`args` from the
/// subcommand on): its exit code, or `None` for any other command line. Both the tool and the
/// `go-env-doctor-helper` binary read their command line with it.
pub fn run_args(args: &[std::ffi::OsString]) -> Option<ExitCode> {
    let [sub, mark, rest @ ..] = args else {
        return None;
    };
    if sub.to_str()? != crate::facts::shell::PRINT_ENV_SUBCOMMAND {
        return None;
    }
    let request = match rest {
        [] => None,
        [request] => Some(request.to_str()?),
        _ => return None,
    };
    Some(run(mark.to_str()?, request))
}

/// Entry point of `__print-env MARK [REQUEST]`: writes [`render`] of the whole process
/// environment to stdout; with a REQUEST, then runs the shell side's `go` and writes its
/// answer ([`crate::facts::early_go`]). Exit code 0 on success, 2 for an unusable mark, 1 when
/// stdout cannot be written. An unusable request only means no `go` runs here.
pub fn run(mark: &str, request: Option<&str>) -> ExitCode {
    if mark.is_empty() || mark.contains(['{', '}']) || mark.chars().any(char::is_whitespace) {
        tracing::error!(
            mark,
            "__print-env: the mark must be non-empty, without braces or spaces"
        );
        return ExitCode::from(2);
    }
    let text = render(mark, std::env::vars_os());
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    if let Err(e) = lock.write_all(text.as_bytes()).and_then(|()| lock.flush()) {
        tracing::error!(error = %e, "__print-env: cannot write to stdout");
        return ExitCode::from(1);
    }
    let Some(request) = request.and_then(crate::facts::early_go::Request::decode) else {
        return ExitCode::SUCCESS;
    };
    // `go` would see bytes the check cannot pass on when a variable is not UTF-8: the check
    // then runs it itself.
    let env = std::env::vars_os()
        .map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect::<Option<BTreeMap<String, String>>>();
    let answer = crate::facts::early_go::Answer {
        early: env.and_then(|env| crate::facts::early_go::run_in_helper(&request, env)),
        last: crate::facts::early_go::replaced_the_shell(),
    };
    if let Some(answer) = crate::facts::early_go::render(&request.mark, &answer) {
        // Nothing to do if this fails: the check then runs `go` itself.
        let _ = lock
            .write_all(answer.as_bytes())
            .and_then(|()| lock.flush());
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn renders_sorted_compact_json_between_marks() {
        let env = vec![
            ("PATH", "/usr/bin:/bin"),
            ("GOPROXY", "https://proxy.golang.org,direct"),
        ];
        assert_eq!(
            render("a1b2c3d4e5f6", env),
            r#"a1b2c3d4e5f6{"GOPROXY":"https://proxy.golang.org,direct","PATH":"/usr/bin:/bin"}a1b2c3d4e5f6"#
        );
    }

    #[test]
    fn empty_environment_is_an_empty_object() {
        let env: Vec<(OsString, OsString)> = Vec::new();
        assert_eq!(render("m", env), "m{}m");
    }

    #[test]
    fn escapes_quotes_newlines_and_control_characters() {
        let env = vec![("X", "a\"b\\c\nd\te\u{1}"), ("PS1", "}mark{")];
        let out = render("mark", env);
        let inner = &out["mark".len()..out.len() - "mark".len()];
        assert!(
            !inner.contains('\n'),
            "the JSON must stay on one line: {inner}"
        );
        let back: BTreeMap<String, String> = serde_json::from_str(inner).expect("valid JSON");
        assert_eq!(back["X"], "a\"b\\c\nd\te\u{1}");
        assert_eq!(back["PS1"], "}mark{");
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_and_values_are_converted_lossily() {
        use std::os::unix::ffi::OsStringExt;
        let env = vec![
            (
                OsString::from("GOPATH"),
                OsString::from_vec(b"/home/\xffbad".to_vec()),
            ),
            (OsString::from_vec(b"N\xfe".to_vec()), OsString::from("v")),
        ];
        let out = render("m", env);
        let back: BTreeMap<String, String> =
            serde_json::from_str(&out[1..out.len() - 1]).expect("valid JSON");
        assert_eq!(back["GOPATH"], "/home/\u{FFFD}bad");
        assert_eq!(back["N\u{FFFD}"], "v");
    }

    #[test]
    fn unicode_is_kept_verbatim() {
        let out = render("m", [("GOPATH", "/home/josé/go")]);
        assert_eq!(out, r#"m{"GOPATH":"/home/josé/go"}m"#);
    }
}
