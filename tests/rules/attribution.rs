//! Root-cause attribution on hand-built snapshots (`Snapshot::attribution` as
//! `facts::attribution` leaves it): the sentence and the related places it adds to the findings
//! it explains, what it says when the shell could not tell, and `envrc-not-loaded`.

use crate::support::rules::*;
use go_env_doctor::model::*;
use std::path::{Path, PathBuf};

const SDK: &str = "/home/u/sdk/go1.25.5";

/// The editor runs /usr/local/go from its PATH; the login shell runs ~/sdk/go1.25.5 from its.
fn mismatch(method: TraceMethod, note: Option<&str>, line: Option<u32>) -> Snapshot {
    let mut s = healthy();
    install(&mut s, SDK, "go1.25.5");
    use_go(&mut s, SideKind::Shell, SDK, "go1.25.5", GoFoundBy::Path);
    s.attribution = Some(Attribution {
        shell: Some(ShellAttribution {
            method,
            note: note.map(str::to_string),
            exports: Vec::new(),
            path_adds: line
                .map(|l| ShellLine {
                    var: "PATH".into(),
                    value: format!("{SDK}/bin"),
                    file: PathBuf::from("/home/u/.bashrc"),
                    line: l,
                })
                .into_iter()
                .collect(),
        }),
        ..Attribution::default()
    });
    s
}

fn version_mismatch(s: &Snapshot) -> Finding {
    go_env_doctor::rules::check_all(s)
        .into_iter()
        .find(|f| f.code == "go-version-mismatch")
        .expect("go-version-mismatch")
}

#[test]
fn the_startup_line_of_the_shells_go_is_named_and_related() {
    let f = version_mismatch(&mismatch(TraceMethod::Traced, None, Some(12)));
    assert!(
        f.message.ends_with(
            "VS Code's PATH lacks ~/sdk/go1.25.5/bin, which ~/.bashrc:12 adds in your login shell."
        ),
        "{}",
        f.message
    );
    assert_eq!(f.related.len(), 1, "{f:#?}");
    assert_eq!(f.related[0].path, Path::new("/home/u/.bashrc"));
    assert_eq!(f.related[0].line, 12);
}

#[test]
fn a_read_line_says_so_and_an_unknown_one_says_why() {
    let f = version_mismatch(&mismatch(
        TraceMethod::Read,
        Some("fish cannot report"),
        Some(2),
    ));
    assert!(
        f.message.contains("(read from the file, not traced)"),
        "{}",
        f.message
    );
    let f = version_mismatch(&mismatch(
        TraceMethod::Unknown,
        Some("dash cannot report which file and line ran each command"),
        None,
    ));
    assert!(
        f.message.contains(
            "Which startup line adds ~/sdk/go1.25.5/bin is unknown: dash cannot report which file and line ran each command."
        ),
        "{}",
        f.message
    );
    assert!(f.related.is_empty(), "{f:#?}");
}

#[test]
fn without_attribution_the_finding_is_unchanged() {
    let mut s = mismatch(TraceMethod::Traced, None, Some(12));
    let with = version_mismatch(&s);
    s.attribution = None;
    let without = version_mismatch(&s);
    assert!(without.related.is_empty());
    assert!(
        with.message.starts_with(&without.message),
        "{}",
        with.message
    );
}

#[test]
fn envrc_not_loaded_only_when_the_editor_lacks_the_value() {
    let envrc = |value: &str| Attribution {
        envrc: vec![ShellLine {
            var: "GOFLAGS".into(),
            value: value.into(),
            file: PathBuf::from("/home/u/proj/.envrc"),
            line: 3,
        }],
        ..Attribution::default()
    };
    let mut s = healthy();
    s.attribution = Some(envrc("-mod=mod"));
    let found = go_env_doctor::rules::check_all(&s);
    let f = found
        .iter()
        .find(|f| f.code == "envrc-not-loaded")
        .expect("envrc-not-loaded");
    assert_eq!(f.locations[0].path, Path::new("/home/u/proj/.envrc"));
    assert_eq!(f.locations[0].line, 3);
    // The editor was started from a shell that loaded it: nothing to say.
    os_env(&mut s, SideKind::Editor, "GOFLAGS", "-mod=mod");
    let found = go_env_doctor::rules::check_all(&s);
    assert!(found.iter().all(|f| f.code != "envrc-not-loaded"));
    // A value direnv expands is not compared.
    let mut s = healthy();
    s.attribution = Some(envrc("$(cat flags)"));
    let found = go_env_doctor::rules::check_all(&s);
    assert!(found.iter().all(|f| f.code != "envrc-not-loaded"));
}
