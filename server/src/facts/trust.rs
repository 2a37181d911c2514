//! The one gate before a `go` runs — for a probe (`go env -json`, `go version`) as for a fix
//! command (`go env -w/-u`, `go clean -cache`).
//!
//! A `go` is the workspace's choice when settings of the workspace named it, or when it lives
//! inside the folder however it was found: a user-level `go.goroot`, a GOROOT in the editor's
//! own environment or a PATH entry can all point into a repository a stranger wrote, and a
//! relative PATH entry (`./bin`) is resolved against the folder, which is the same thing. Such a
//! `go` is only inspected (its VERSION file and layout) unless the workspace is trusted.

use crate::model::GoBinary;
use std::path::Path;

/// Why `binary` must not run for `folder`, or `None` when it may. Marks the binary as the
/// workspace's choice when it lives inside the folder, so the rules say so too.
pub fn refusal(binary: &mut GoBinary, folder: &Path, trusted: bool) -> Option<String> {
    if trusted {
        return None;
    }
    let inside = binary.path.is_relative() || super::go::is_inside(&binary.path, folder);
    binary.workspace_chosen |= inside;
    binary.workspace_chosen.then(|| {
        format!(
            "{} was chosen by the workspace, which is not trusted, so it is not run",
            binary.path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GoFoundBy;
    use std::path::PathBuf;

    fn go(path: &str, chosen: bool) -> GoBinary {
        GoBinary {
            path: PathBuf::from(path),
            found_by: GoFoundBy::Path,
            own_goroot: None,
            static_version: None,
            executable: true,
            workspace_chosen: chosen,
        }
    }

    #[test]
    fn a_go_inside_the_folder_or_named_by_the_workspace_runs_only_when_trusted() {
        let folder = Path::new("/w");
        let mut inside = go("/w/sdk/bin/go", false);
        let why = refusal(&mut inside, folder, false).expect("refused");
        assert!(
            why.contains("/w/sdk/bin/go") && why.contains("not trusted"),
            "{why}"
        );
        assert!(inside.workspace_chosen, "marked for the rules");
        let mut relative = go("bin/go", false);
        assert!(refusal(&mut relative, folder, false).is_some());
        let mut named = go("/opt/go/bin/go", true);
        assert!(refusal(&mut named, folder, false).is_some());
        let mut outside = go("/usr/local/go/bin/go", false);
        assert_eq!(refusal(&mut outside, folder, false), None);
        assert!(!outside.workspace_chosen);
        for mut g in [inside, relative, named] {
            assert_eq!(refusal(&mut g, folder, true), None, "trusted: runs");
        }
    }
}
