//! Every Go installation a user has, found where installers put them — on Linux, macOS and
//! Windows — without running anything: each one's version comes from its `VERSION` file, its
//! canonical path from resolving symlinks (Homebrew's `opt/go` and a `/usr/local/go` link lead
//! to the same SDK as its Cellar directory), and how it was installed from where it lives.
//!
//! The places are data of the platform ([`locations`]), so that the macOS and Windows layouts
//! are tested with fixture trees on any machine.

use crate::settings::paths::Os;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How an SDK got where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Installer {
    /// The go.dev download (tarball, .pkg or .msi) in its default place.
    Official,
    /// `go install golang.org/dl/goX.Y.Z@latest && goX.Y.Z download` (`~/sdk/goX.Y.Z`).
    GolangDl,
    /// A toolchain that GOTOOLCHAIN switching downloaded into the module cache (erased by
    /// `go clean -modcache`).
    ToolchainDownload,
    /// Debian/Ubuntu `golang-1.N-go` (`/usr/lib/go-1.N`), Fedora/RHEL `golang` (`/usr/lib/golang`).
    DistroPackage,
    Homebrew,
    Snap,
    Nix,
    Gvm,
    Goenv,
    Asdf,
    Mise,
    Scoop,
    /// Chocolatey's `golang` package (it runs the official installer).
    Chocolatey,
}

impl Installer {
    pub fn words(self) -> &'static str {
        match self {
            Installer::Official => "official installer",
            Installer::GolangDl => "golang.org/dl",
            Installer::ToolchainDownload => "GOTOOLCHAIN download (module cache)",
            Installer::DistroPackage => "distribution package",
            Installer::Homebrew => "Homebrew",
            Installer::Snap => "snap",
            Installer::Nix => "Nix",
            Installer::Gvm => "gvm",
            Installer::Goenv => "goenv",
            Installer::Asdf => "asdf",
            Installer::Mise => "mise",
            Installer::Scoop => "Scoop",
            Installer::Chocolatey => "Chocolatey",
        }
    }
}

/// The directories installers use, resolved for one machine (or a fixture tree).
#[derive(Debug, Clone)]
pub struct Dirs {
    pub home: Option<PathBuf>,
    /// The filesystem root (`/`, or `C:\` on Windows); a fixture tree's root in tests.
    pub root: PathBuf,
    /// `$GOMODCACHE` as the side resolves it, when known.
    pub gomodcache: Option<PathBuf>,
    /// Variables that move a manager's data (`GOENV_ROOT`, `ASDF_DATA_DIR`, `MISE_DATA_DIR`,
    /// `GVM_ROOT`, `XDG_DATA_HOME`, `SCOOP`, `ProgramFiles`, `ProgramData`, `USERPROFILE`).
    pub env: BTreeMap<String, String>,
}

/// One place to look: `dir` itself (`children: None`) or each entry of `dir` whose name starts
/// with the prefix (`children: Some(prefix)`), then `inside` below it (`libexec` for Homebrew,
/// `go` for asdf).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub dir: PathBuf,
    pub children: Option<&'static str>,
    pub inside: Option<&'static str>,
    pub installer: Installer,
}

fn place(dir: PathBuf, installer: Installer) -> Place {
    Place {
        dir,
        children: None,
        inside: None,
        installer,
    }
}

fn each(
    dir: PathBuf,
    prefix: &'static str,
    inside: Option<&'static str>,
    installer: Installer,
) -> Place {
    Place {
        dir,
        children: Some(prefix),
        inside,
        installer,
    }
}

/// Where each installer puts Go SDKs on `os`.
pub fn locations(os: Os, dirs: &Dirs) -> Vec<Place> {
    let env = |k: &str| {
        dirs.env
            .get(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() || os == Os::Windows)
    };
    let root = |rel: &str| {
        rel.split('/')
            .filter(|c| !c.is_empty())
            .fold(dirs.root.clone(), |p, c| p.join(c))
    };
    let mut out = Vec::new();
    if let Some(gomodcache) = &dirs.gomodcache {
        out.push(each(
            gomodcache.join("golang.org"),
            "toolchain@v0.0.1-go",
            None,
            Installer::ToolchainDownload,
        ));
    }
    let home = dirs.home.clone();
    match os {
        Os::Windows => {
            let program_files = env("ProgramFiles").unwrap_or_else(|| root("Program Files"));
            let program_data = env("ProgramData").unwrap_or_else(|| root("ProgramData"));
            let profile = env("USERPROFILE").or(home);
            let chocolatey = program_data.join("chocolatey").join("lib").join("golang");
            out.push(place(
                program_files.join("Go"),
                if chocolatey.is_dir() {
                    Installer::Chocolatey
                } else {
                    Installer::Official
                },
            ));
            if let Some(profile) = &profile {
                out.push(each(profile.join("sdk"), "go", None, Installer::GolangDl));
                let scoop = env("SCOOP").unwrap_or_else(|| profile.join("scoop"));
                let apps = scoop.join("apps").join("go");
                out.push(each(apps, "", None, Installer::Scoop));
            }
        }
        Os::MacOs | Os::Linux => {
            out.push(place(root("usr/local/go"), Installer::Official));
            if let Some(h) = &home {
                out.push(each(h.join("sdk"), "go", None, Installer::GolangDl));
            }
            if os == Os::Linux {
                out.push(each(root("usr/lib"), "go-", None, Installer::DistroPackage));
                out.push(place(root("usr/lib/golang"), Installer::DistroPackage));
                out.push(each(root("snap/go"), "", None, Installer::Snap));
                let brew = root("home/linuxbrew/.linuxbrew");
                out.push(each(
                    brew.join("Cellar/go"),
                    "",
                    Some("libexec"),
                    Installer::Homebrew,
                ));
                out.push(place(brew.join("opt/go/libexec"), Installer::Homebrew));
            } else {
                for prefix in ["opt/homebrew", "usr/local"] {
                    out.push(each(
                        root(&format!("{prefix}/Cellar/go")),
                        "",
                        Some("libexec"),
                        Installer::Homebrew,
                    ));
                    out.push(place(
                        root(&format!("{prefix}/opt/go/libexec")),
                        Installer::Homebrew,
                    ));
                }
            }
            out.push(place(
                root("nix/var/nix/profiles/default/share/go"),
                Installer::Nix,
            ));
            if let Some(h) = &home {
                out.push(place(h.join(".nix-profile/share/go"), Installer::Nix));
                let gvm = env("GVM_ROOT").unwrap_or_else(|| h.join(".gvm"));
                out.push(each(gvm.join("gos"), "go", None, Installer::Gvm));
                let goenv = env("GOENV_ROOT").unwrap_or_else(|| h.join(".goenv"));
                out.push(each(goenv.join("versions"), "", None, Installer::Goenv));
                let asdf = env("ASDF_DATA_DIR").unwrap_or_else(|| h.join(".asdf"));
                out.push(each(
                    asdf.join("installs/golang"),
                    "",
                    Some("go"),
                    Installer::Asdf,
                ));
                let data = env("XDG_DATA_HOME").unwrap_or_else(|| h.join(".local/share"));
                let mise = env("MISE_DATA_DIR").unwrap_or_else(|| data.join("mise"));
                out.push(each(mise.join("installs/go"), "", None, Installer::Mise));
            }
        }
    }
    out
}

/// One Go installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sdk {
    /// Where it was found (as the installer names it).
    pub path: PathBuf,
    /// Symlinks resolved: two places leading to one SDK are one SDK.
    pub canonical: PathBuf,
    /// From its `VERSION` file (`go1.22.10`); `None` when it has none.
    pub version: Option<String>,
    pub installer: Installer,
}

/// Every SDK in `places`: a directory with `bin/go` (`bin/go.exe` on Windows), once per
/// canonical path (the first place that found it names it).
pub fn inventory(os: Os, places: &[Place]) -> Vec<Sdk> {
    let go = if os == Os::Windows { "go.exe" } else { "go" };
    let mut out: Vec<Sdk> = Vec::new();
    for p in places {
        let candidates: Vec<PathBuf> = match p.children {
            None => vec![p.dir.clone()],
            Some(prefix) => {
                let Ok(entries) = std::fs::read_dir(&p.dir) else {
                    continue;
                };
                let mut found: Vec<PathBuf> = entries
                    .flatten()
                    .filter(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        // Managers keep `current`/`latest` links beside the versions.
                        name.starts_with(prefix) && !matches!(name.as_str(), "current" | "latest")
                    })
                    .map(|e| e.path())
                    .collect();
                found.sort();
                found
            }
        };
        for c in candidates {
            let root = match p.inside {
                Some(inside) => c.join(inside),
                None => c,
            };
            if !root.join("bin").join(go).is_file() {
                continue;
            }
            let canonical = dunce::canonicalize(&root).unwrap_or_else(|_| root.clone());
            if out.iter().any(|s| s.canonical == canonical) {
                continue;
            }
            out.push(Sdk {
                version: super::fs::read_version(&root),
                path: root,
                canonical,
                installer: p.installer,
            });
        }
    }
    out
}

/// The machine's own [`Dirs`] from an environment.
pub fn dirs_of(env: &BTreeMap<String, String>, gomodcache: Option<PathBuf>) -> Dirs {
    let home = env
        .get(if cfg!(windows) { "USERPROFILE" } else { "HOME" })
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let root = if cfg!(windows) {
        env.get("SystemDrive")
            .map(|d| PathBuf::from(format!("{d}\\")))
            .unwrap_or_else(|| PathBuf::from("C:\\"))
    } else {
        PathBuf::from("/")
    };
    Dirs {
        home,
        root,
        gomodcache,
        env: env.clone(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A fake SDK at `root/rel`: `bin/go` (or `go.exe`) and a VERSION file.
    fn sdk(root: &Path, rel: &str, version: &str, exe: &str) -> PathBuf {
        let dir = rel.split('/').fold(root.to_path_buf(), |p, c| p.join(c));
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::fs::write(dir.join("bin").join(exe), "").unwrap();
        std::fs::write(
            dir.join("VERSION"),
            format!("{version}\ntime 2025-01-01T00:00:00Z\n"),
        )
        .unwrap();
        dir
    }

    fn found(os: Os, dirs: &Dirs) -> Vec<(String, Installer, String)> {
        inventory(os, &locations(os, dirs))
            .into_iter()
            .map(|s| {
                let rel = s
                    .path
                    .strip_prefix(&dirs.root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                (s.version.unwrap_or_default(), s.installer, rel)
            })
            .collect()
    }

    #[test]
    fn linux_installers_each_in_their_place() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        sdk(r, "usr/local/go", "go1.25.5", "go");
        sdk(r, "home/u/sdk/go1.24.11", "go1.24.11", "go");
        sdk(r, "usr/lib/go-1.22", "go1.22.2", "go");
        sdk(r, "usr/lib/golang", "go1.21.13", "go");
        sdk(r, "snap/go/10866", "go1.23.4", "go");
        sdk(
            r,
            "home/linuxbrew/.linuxbrew/Cellar/go/1.23.9/libexec",
            "go1.23.9",
            "go",
        );
        std::fs::create_dir_all(r.join("home/linuxbrew/.linuxbrew/opt/go")).unwrap();
        std::os::unix::fs::symlink(
            "../../Cellar/go/1.23.9/libexec",
            r.join("home/linuxbrew/.linuxbrew/opt/go/libexec"),
        )
        .unwrap();
        sdk(r, "home/u/.gvm/gos/go1.20.14", "go1.20.14", "go");
        sdk(r, "home/u/.goenv/versions/1.22.10", "go1.22.10", "go");
        sdk(
            r,
            "home/u/.asdf/installs/golang/1.23.2/go",
            "go1.23.2",
            "go",
        );
        sdk(
            r,
            "home/u/.local/share/mise/installs/go/1.25.0",
            "go1.25.0",
            "go",
        );
        std::os::unix::fs::symlink(
            "1.25.0",
            r.join("home/u/.local/share/mise/installs/go/latest"),
        )
        .unwrap();
        sdk(r, "home/u/.nix-profile/share/go", "go1.24.3", "go");
        sdk(
            r,
            "home/u/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.26.0.linux-amd64",
            "go1.26.0",
            "go",
        );
        // Not SDKs: no bin/go.
        std::fs::create_dir_all(r.join("home/u/sdk/go1.19/bin")).unwrap();
        let dirs = Dirs {
            home: Some(r.join("home/u")),
            root: r.to_path_buf(),
            gomodcache: Some(r.join("home/u/go/pkg/mod")),
            env: BTreeMap::new(),
        };
        let got = found(Os::Linux, &dirs);
        let want: Vec<(String, Installer, String)> = [
            (
                "go1.26.0",
                Installer::ToolchainDownload,
                "home/u/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.26.0.linux-amd64",
            ),
            ("go1.25.5", Installer::Official, "usr/local/go"),
            ("go1.24.11", Installer::GolangDl, "home/u/sdk/go1.24.11"),
            ("go1.22.2", Installer::DistroPackage, "usr/lib/go-1.22"),
            ("go1.21.13", Installer::DistroPackage, "usr/lib/golang"),
            ("go1.23.4", Installer::Snap, "snap/go/10866"),
            (
                "go1.23.9",
                Installer::Homebrew,
                "home/linuxbrew/.linuxbrew/Cellar/go/1.23.9/libexec",
            ),
            ("go1.24.3", Installer::Nix, "home/u/.nix-profile/share/go"),
            ("go1.20.14", Installer::Gvm, "home/u/.gvm/gos/go1.20.14"),
            (
                "go1.22.10",
                Installer::Goenv,
                "home/u/.goenv/versions/1.22.10",
            ),
            (
                "go1.23.2",
                Installer::Asdf,
                "home/u/.asdf/installs/golang/1.23.2/go",
            ),
            (
                "go1.25.0",
                Installer::Mise,
                "home/u/.local/share/mise/installs/go/1.25.0",
            ),
        ]
        .into_iter()
        .map(|(v, i, p)| (v.to_string(), i, p.to_string()))
        .collect();
        assert_eq!(
            got, want,
            "the opt/go link and mise's `latest` are the same SDKs, once"
        );
    }

    #[test]
    fn macos_homebrew_on_both_architectures_and_managers_moved_by_their_variables() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        sdk(r, "opt/homebrew/Cellar/go/1.25.5/libexec", "go1.25.5", "go");
        sdk(r, "usr/local/Cellar/go/1.22.10/libexec", "go1.22.10", "go");
        sdk(r, "usr/local/go", "go1.24.11", "go");
        sdk(r, "data/goenv/versions/1.21.13", "go1.21.13", "go");
        let mut env = BTreeMap::new();
        env.insert(
            "GOENV_ROOT".to_string(),
            r.join("data/goenv").display().to_string(),
        );
        let dirs = Dirs {
            home: Some(r.join("Users/u")),
            root: r.to_path_buf(),
            gomodcache: None,
            env,
        };
        let got = found(Os::MacOs, &dirs);
        assert_eq!(
            got.iter()
                .map(|(v, i, _)| (v.as_str(), *i))
                .collect::<Vec<_>>(),
            [
                ("go1.24.11", Installer::Official),
                ("go1.25.5", Installer::Homebrew),
                ("go1.22.10", Installer::Homebrew),
                ("go1.21.13", Installer::Goenv),
            ]
        );
        // Linux's places are not macOS's.
        sdk(r, "usr/lib/go-1.22", "go1.22.2", "go");
        assert_eq!(found(Os::MacOs, &dirs).len(), 4);
    }

    #[test]
    fn windows_program_files_scoop_chocolatey_and_sdk_with_go_exe() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        sdk(r, "Program Files/Go", "go1.25.5", "go.exe");
        sdk(r, "Users/u/sdk/go1.24.11", "go1.24.11", "go.exe");
        sdk(r, "Users/u/scoop/apps/go/1.23.4", "go1.23.4", "go.exe");
        // A Unix `go` is not a Windows SDK.
        sdk(r, "Users/u/sdk/go1.22.10", "go1.22.10", "go");
        let mut env = BTreeMap::new();
        env.insert(
            "USERPROFILE".to_string(),
            r.join("Users/u").display().to_string(),
        );
        let dirs = Dirs {
            home: None,
            root: r.to_path_buf(),
            gomodcache: None,
            env,
        };
        let got = found(Os::Windows, &dirs);
        assert_eq!(
            got.iter()
                .map(|(v, i, _)| (v.as_str(), *i))
                .collect::<Vec<_>>(),
            [
                ("go1.25.5", Installer::Official),
                ("go1.24.11", Installer::GolangDl),
                ("go1.23.4", Installer::Scoop),
            ]
        );
        std::fs::create_dir_all(r.join("ProgramData/chocolatey/lib/golang")).unwrap();
        assert_eq!(found(Os::Windows, &dirs)[0].1, Installer::Chocolatey);
    }
}
