//! TinyGo setups: `tinygo-managed`.
//!
//! The TinyGo extension for VS Code (target picker "TinyGo: Select Target") runs
//! `tinygo info <target>` and writes two workspace settings so that gopls and the Go tools
//! see the target's world: `go.toolsEnvVars.GOROOT` = TinyGo's *cached GOROOT* and
//! `go.toolsEnvVars.GOFLAGS` = `-tags=<the target's build tags>` (always including `tinygo`).
//! Picking the target `-` removes both again.
//!
//! The cached GOROOT is a directory TinyGo builds under its own cache directory
//! (`<UserCacheDir>/tinygo/goroot-<hash>`, older releases `goroot-go1.N-<hash>-syscall`): Go's
//! `bin`, `lib` and `pkg` linked from the real installation and a `src` that merges Go's
//! standard library with TinyGo's replacements. It differs from the shell's GOROOT on purpose.
//!
//! Decisions:
//! - Such a GOROOT or such GOFLAGS are deliberate: an info says what they are, and no rule
//!   offers to undo them (the GOROOT comparison with the shell is skipped for it).
//! - Real problems are still reported: a cached GOROOT that no longer exists is
//!   `goroot-missing` (TinyGo recreates it), TinyGo *compiler* flags put into GOFLAGS
//!   (`-no-debug`, `-opt=z`, …), which `go` rejects, are `goflags-invalid`.

use super::resolve::{self, EffectiveSide};
use super::{finding, Ctx};
use crate::model::{Finding, Origin};

/// Whether a GOROOT is a TinyGo cached GOROOT: its last element is `goroot-…` inside a
/// directory named `tinygo` (the cache directory TinyGo uses on every platform). Both path
/// separators count: the settings of a Windows machine are read on any machine.
pub fn managed_goroot(goroot: &str) -> bool {
    let mut parts = goroot.split(['/', '\\']).filter(|p| !p.is_empty()).rev();
    let (Some(last), Some(parent)) = (parts.next(), parts.next()) else {
        return false;
    };
    last.len() > "goroot-".len()
        && last.starts_with("goroot-")
        && parent.eq_ignore_ascii_case("tinygo")
}

/// The build tags of a GOFLAGS value when they are a TinyGo target's (`-tags=` with the
/// `tinygo` tag, as the TinyGo extension writes it).
pub fn target_tags(goflags: &str) -> Option<Vec<&str>> {
    goflags.split_whitespace().find_map(|f| {
        let list = f
            .strip_prefix("--tags=")
            .or_else(|| f.strip_prefix("-tags="))?;
        let tags: Vec<&str> = list.split([',', ' ']).filter(|t| !t.is_empty()).collect();
        tags.contains(&"tinygo").then_some(tags)
    })
}

/// The editor side's GOROOT when it is TinyGo's and set on purpose (not a default).
pub fn editor_managed_goroot<'a>(ctx: &'a Ctx) -> Option<&'a str> {
    let editor = ctx.editor.as_ref()?;
    let v = editor.get("GOROOT")?;
    (!matches!(v.origin, Origin::Default) && managed_goroot(&v.value)).then_some(v.value.as_str())
}

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let Some(editor) = ctx.editor.as_ref() else {
        return Vec::new();
    };
    let goroot = editor
        .get("GOROOT")
        .filter(|v| !matches!(v.origin, Origin::Default) && managed_goroot(&v.value))
        // A missing cached root is goroot-missing (an error saying how to get it back).
        .filter(|v| resolve::path_facts(ctx.snapshot, &v.value).is_none_or(|p| p.exists));
    let flags = editor
        .get("GOFLAGS")
        .filter(|v| !matches!(v.origin, Origin::Default) && target_tags(&v.value).is_some());
    if goroot.is_none() && flags.is_none() {
        return Vec::new();
    }
    let mut parts = Vec::new();
    if let Some(v) = goroot {
        parts.push(format!(
            "GOROOT {} ({}) is TinyGo's cached GOROOT, Go's standard library merged with \
             TinyGo's{}; it differs from your shell's on purpose",
            v.value,
            words(ctx, editor, "GOROOT", &v.origin),
            editor
                .go_version
                .as_deref()
                .map(|g| format!(", used with {g}"))
                .unwrap_or_default()
        ));
    }
    if let Some(v) = flags {
        parts.push(format!(
            "GOFLAGS={} ({}) selects a TinyGo target's build tags",
            v.value,
            words(ctx, editor, "GOFLAGS", &v.origin)
        ));
    }
    let message = format!(
        "{}'s Go environment is set up for TinyGo: {}. go-env-doctor leaves this alone; the \
         TinyGo extension's \"TinyGo: Select Target\" changes it, and its target `-` goes back \
         to plain Go.",
        editor.label,
        parts.join("; ")
    );
    let subject = if goroot.is_some() {
        "GOROOT"
    } else {
        "GOFLAGS"
    };
    let mut f = finding("tinygo-managed", subject, message);
    f.editor = Some(ctx.side_value(editor, subject));
    let origins: Vec<&Origin> = goroot
        .iter()
        .chain(flags.iter())
        .map(|v| &v.origin)
        .collect();
    f.locations = ctx.locations(&origins);
    vec![f]
}

fn words(ctx: &Ctx, side: &EffectiveSide, key: &str, origin: &Origin) -> String {
    resolve::origin_words(ctx.snapshot, &side.label, key, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_tinygo_cached_goroots() {
        assert!(managed_goroot(
            "/home/q/.cache/tinygo/goroot-c5112fd3b5a140b5e412f8816afa5b2456b0d2e1addebe7a6f4d1001f91e4971"
        ));
        assert!(managed_goroot(
            r"C:\Users\t\AppData\Local\tinygo\goroot-go1.14.7-52d18ac690d2-syscall"
        ));
        assert!(managed_goroot("/Users/u/Library/Caches/tinygo/goroot-abc/"));
        assert!(!managed_goroot("/usr/local/go"));
        assert!(!managed_goroot("/opt/tinygo"));
        assert!(!managed_goroot("/home/u/goroot-abc"));
        assert!(!managed_goroot("/home/u/.cache/tinygo/goroot-"));
    }

    #[test]
    fn recognises_tinygo_target_tags() {
        assert_eq!(
            target_tags("-tags=cortexm,baremetal,tinygo,gc.conservative"),
            Some(vec!["cortexm", "baremetal", "tinygo", "gc.conservative"])
        );
        assert_eq!(target_tags("-mod=mod -tags=integration"), None);
        assert_eq!(target_tags("-no-debug -opt=z"), None);
    }
}
