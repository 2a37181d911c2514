//! `go install <package>@<version>` of a tool the editor runs, into the directory where that
//! editor looks for it (GOBIN set on the command), with the Go of the side the tool is for and
//! that side's environment (for VS Code with `go.toolsEnvVars` on top, as vscode-go installs
//! tools). Unlike the other fixes it does not pin GOTOOLCHAIN=local: a tool whose module needs a
//! newer Go must be built by one, so the command's own GOTOOLCHAIN (`go1.X.Y+auto`) decides
//! when the fix sets it, else the side's.

use super::Runner;
use crate::facts::process::Cancel;
use crate::model::{FixAction, SideKind, Snapshot};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long `go install` may take: a first build of gopls downloads and compiles a few hundred
/// packages (and maybe a toolchain); the user can cancel sooner.
pub const INSTALL_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// What an install fix runs, taken from its action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    pub side: SideKind,
    pub tool: String,
    pub package: String,
    pub version: String,
    pub gobin: PathBuf,
    pub gotoolchain: Option<String>,
}

impl Install {
    pub fn from_action(action: &FixAction) -> Option<Install> {
        match action {
            FixAction::InstallTool {
                side,
                tool,
                package,
                version,
                gobin,
                gotoolchain,
            } => Some(Install {
                side: *side,
                tool: tool.clone(),
                package: package.clone(),
                version: version.clone(),
                gobin: gobin.clone(),
                gotoolchain: gotoolchain.clone(),
            }),
            _ => None,
        }
    }

    /// `package@version`, checked: a module path and a version, nothing a shell or `go` would
    /// read as a flag.
    pub fn target(&self) -> Result<String, String> {
        let ok_path = !self.package.is_empty()
            && !self.package.starts_with('-')
            && self
                .package
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~/".contains(c));
        let ok_version = !self.version.is_empty()
            && !self.version.starts_with('-')
            && self
                .version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._+".contains(c));
        if !ok_path || !ok_version {
            return Err(format!(
                "not a package and version go install takes: {}@{}",
                self.package, self.version
            ));
        }
        Ok(format!("{}@{}", self.package, self.version))
    }

    /// The command line as a user would type it.
    pub fn shown(&self) -> String {
        crate::model::install_command_line(
            &self.package,
            &self.version,
            &self.gobin,
            self.gotoolchain.as_deref(),
        )
    }
}

/// The side's `go` (through the trust gate) with the side's environment, GOBIN and GOTOOLCHAIN
/// set for this install.
pub fn runner(snapshot: &Snapshot, install: &Install) -> Result<Runner, String> {
    super::absolute(&install.gobin)?;
    let facts = match install.side {
        SideKind::Editor => &snapshot.editor,
        SideKind::Shell => snapshot
            .shell
            .as_ref()
            .ok_or_else(|| "there is no shell side".to_string())?,
    };
    let mut go = facts
        .go
        .clone()
        .ok_or_else(|| format!("{} has no go to run", facts.label))?;
    if let Some(why) = crate::facts::trust::refusal(&mut go, &snapshot.folder, snapshot.trusted) {
        return Err(why);
    }
    let mut env = crate::goenv::resolve::effective(snapshot, install.side)
        .map(|e| e.process_env)
        .unwrap_or_else(|| facts.os_env.clone());
    env.insert("GOBIN".into(), install.gobin.to_string_lossy().into_owned());
    if let Some(t) = &install.gotoolchain {
        env.insert("GOTOOLCHAIN".into(), t.clone());
    }
    Ok(Runner {
        go: go.path,
        env,
        folder: snapshot.folder.clone(),
        env_file: facts.env_file.as_ref().map(|f| f.path.clone()),
    })
}

/// The snapshot whose own check offers `action`: the main one, or the editor view it came from
/// (the command line's VS Code view of the folder), whose `go` and environment then run it —
/// the ones the fix was simulated with.
pub fn snapshot_offering<'a>(snapshot: &'a Snapshot, action: &FixAction) -> &'a Snapshot {
    std::iter::once(snapshot)
        .chain(snapshot.editor_views.iter())
        .find(|s| {
            crate::rules::check(s)
                .iter()
                .any(|f| f.fixes.iter().any(|x| x.action == *action))
        })
        .unwrap_or(snapshot)
}

/// How a requested install ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// The binary now at this path.
    Done(PathBuf),
    Cancelled,
}

/// Create GOBIN if needed and run `go install`, killed when `cancel` is set.
pub fn install(runner: &Runner, install: &Install, cancel: &Cancel) -> Result<Installed, String> {
    let target = install.target()?;
    std::fs::create_dir_all(&install.gobin)
        .map_err(|e| format!("cannot create {}: {e}", install.gobin.display()))?;
    match runner.go(&["install", &target], INSTALL_TIMEOUT, cancel) {
        Ok(_) => {
            let bin = install.gobin.join(&install.tool);
            if Path::new(&bin).is_file() {
                Ok(Installed::Done(bin))
            } else {
                Err(format!(
                    "go install {target} succeeded but wrote no {}",
                    bin.display()
                ))
            }
        }
        Err(_) if cancel.is_cancelled() => Ok(Installed::Cancelled),
        Err(e) => Err(e.trim().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GoBinary, GoFoundBy};

    fn gopls() -> Install {
        Install {
            side: SideKind::Editor,
            tool: "gopls".into(),
            package: "golang.org/x/tools/gopls".into(),
            version: "latest".into(),
            gobin: PathBuf::from("/home/u/go/bin"),
            gotoolchain: Some("go1.25.0+auto".into()),
        }
    }

    #[test]
    fn the_command_as_shown_and_arguments_that_are_refused() {
        assert_eq!(
            gopls().shown(),
            "GOBIN=/home/u/go/bin GOTOOLCHAIN=go1.25.0+auto go install golang.org/x/tools/gopls@latest"
        );
        let mut bad = gopls();
        bad.package = "-toolexec=sh".into();
        assert!(bad.target().is_err());
        let mut bad = gopls();
        bad.version = "latest;rm".into();
        assert!(bad.target().is_err());
    }

    #[test]
    fn a_workspace_chosen_go_never_installs_untrusted() {
        let mut s = Snapshot {
            folder: PathBuf::from("/w"),
            ..Snapshot::default()
        };
        s.editor.go = Some(GoBinary {
            path: PathBuf::from("/w/sdk/bin/go"),
            found_by: GoFoundBy::AlternateTools,
            own_goroot: None,
            static_version: None,
            executable: true,
            workspace_chosen: true,
        });
        let why = runner(&s, &gopls()).expect_err("must not run");
        assert!(why.contains("not trusted"), "{why}");
        s.trusted = true;
        let r = runner(&s, &gopls()).expect("trusted");
        assert_eq!(
            r.env.get("GOBIN").map(String::as_str),
            Some("/home/u/go/bin")
        );
        assert_eq!(
            r.env.get("GOTOOLCHAIN").map(String::as_str),
            Some("go1.25.0+auto")
        );
    }
}
