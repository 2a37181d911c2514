//! Where configuration files live: the editors' user `settings.json` and Go's env file.
//! Pure: the caller passes the home directory and the environment of the side it asks about;
//! paths are computed for the given [`Os`] (with its separator), whatever the host is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    /// The OS this binary runs on (any Unix other than macOS counts as Linux).
    pub fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Linux
        }
    }
}

/// VS Code and its forks: display name and product directory name.
const EDITORS: [(&str, &str); 4] = [
    ("VS Code", "Code"),
    ("VS Code Insiders", "Code - Insiders"),
    ("VSCodium", "VSCodium"),
    ("Cursor", "Cursor"),
];

/// A non-empty environment variable (names are case-insensitive on Windows).
fn env_var<'a>(env: &'a BTreeMap<String, String>, name: &str, os: Os) -> Option<&'a str> {
    let value = match os {
        Os::Windows => env
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v),
        _ => env.get(name),
    };
    value.map(String::as_str).filter(|v| !v.is_empty())
}

/// `base` joined with `parts` using the separator of `os`.
fn join(base: &Path, parts: &[&str], os: Os) -> PathBuf {
    match os {
        Os::Windows => {
            let mut s = base.to_string_lossy().into_owned();
            for part in parts {
                if !s.is_empty() && !s.ends_with(['\\', '/']) {
                    s.push('\\');
                }
                s.push_str(part);
            }
            PathBuf::from(s)
        }
        _ => parts
            .iter()
            .fold(base.to_path_buf(), |p, part| p.join(part)),
    }
}

/// `$HOME` as Go and VS Code read it on Unix: the environment's `HOME`, or `home` when the
/// environment has none. An empty `HOME` counts as unset (`None`).
fn unix_home(home: &Path, env: &BTreeMap<String, String>) -> Option<PathBuf> {
    match env.get("HOME") {
        Some(h) if h.is_empty() => None,
        Some(h) => Some(PathBuf::from(h)),
        None => Some(home.to_path_buf()),
    }
}

/// The user `settings.json` of VS Code, VS Code Insiders, VSCodium and Cursor, in that order,
/// as VS Code computes its user data directory (`src/bootstrap-node`/`paths`):
/// `$VSCODE_APPDATA` when set, else Linux `$XDG_CONFIG_HOME` or `~/.config`, macOS
/// `~/Library/Application Support`, Windows `%APPDATA%` (or `%USERPROFILE%\AppData\Roaming`);
/// then `<product>/User/settings.json`. Portable installs (`VSCODE_PORTABLE`) and
/// `--user-data-dir` are not covered. Whether the files exist is for the caller to check.
pub fn user_settings_files(
    home: &Path,
    env: &BTreeMap<String, String>,
    os: Os,
) -> Vec<(String, PathBuf)> {
    let app_data = match (env_var(env, "VSCODE_APPDATA", os), os) {
        (Some(dir), _) => PathBuf::from(dir),
        (None, Os::Linux) => match env_var(env, "XDG_CONFIG_HOME", os) {
            Some(dir) => PathBuf::from(dir),
            None => join(home, &[".config"], os),
        },
        (None, Os::MacOs) => join(home, &["Library", "Application Support"], os),
        (None, Os::Windows) => match (env_var(env, "APPDATA", os), env_var(env, "USERPROFILE", os))
        {
            (Some(dir), _) => PathBuf::from(dir),
            (None, Some(profile)) => join(Path::new(profile), &["AppData", "Roaming"], os),
            (None, None) => join(home, &["AppData", "Roaming"], os),
        },
    };
    EDITORS
        .iter()
        .map(|(name, product)| {
            (
                name.to_string(),
                join(&app_data, &[product, "User", "settings.json"], os),
            )
        })
        .collect()
}

/// The user Go env file, as cmd/go finds it (cmd/go/internal/cfg `EnvFile`): `$GOENV` unless it
/// is `off` (then `None`: no env file is read); else `os.UserConfigDir()/go/env`, where
/// `UserConfigDir` is Linux `$XDG_CONFIG_HOME` or `$HOME/.config`, macOS
/// `$HOME/Library/Application Support`, Windows `%AppData%`.
///
/// `None` also when Go would find no directory: `%AppData%` unset on Windows, or `HOME` empty
/// (and no `XDG_CONFIG_HOME` on Linux). A relative `XDG_CONFIG_HOME` (or `GOENV`) gives a
/// relative path: Go 1.21–1.23 read it relative to the working directory, Go 1.24 rejects a
/// relative `XDG_CONFIG_HOME` (the caller knows the version). `home` stands for `$HOME` when
/// `env` has no `HOME` at all.
pub fn go_env_file(home: &Path, env: &BTreeMap<String, String>, os: Os) -> Option<PathBuf> {
    if let Some(file) = env_var(env, "GOENV", os) {
        return (file != "off").then(|| PathBuf::from(file));
    }
    let config_dir = match os {
        Os::Windows => PathBuf::from(env_var(env, "AppData", os)?),
        Os::MacOs => join(
            &unix_home(home, env)?,
            &["Library", "Application Support"],
            os,
        ),
        Os::Linux => match env_var(env, "XDG_CONFIG_HOME", os) {
            Some(dir) => PathBuf::from(dir),
            None => join(&unix_home(home, env)?, &[".config"], os),
        },
    };
    Some(join(&config_dir, &["go", "env"], os))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::env;

    fn paths(v: Vec<(String, PathBuf)>) -> Vec<(String, String)> {
        v.into_iter()
            .map(|(n, p)| (n, p.to_string_lossy().into_owned()))
            .collect()
    }

    #[test]
    fn linux_settings() {
        let home = Path::new("/home/josé");
        let got = paths(user_settings_files(home, &env(&[]), Os::Linux));
        assert_eq!(
            got,
            vec![
                (
                    "VS Code".to_string(),
                    "/home/josé/.config/Code/User/settings.json".to_string()
                ),
                (
                    "VS Code Insiders".to_string(),
                    "/home/josé/.config/Code - Insiders/User/settings.json".to_string()
                ),
                (
                    "VSCodium".to_string(),
                    "/home/josé/.config/VSCodium/User/settings.json".to_string()
                ),
                (
                    "Cursor".to_string(),
                    "/home/josé/.config/Cursor/User/settings.json".to_string()
                ),
            ]
        );
        let got = paths(user_settings_files(
            home,
            &env(&[("XDG_CONFIG_HOME", "/xdg")]),
            Os::Linux,
        ));
        assert_eq!(got[0].1, "/xdg/Code/User/settings.json");
        let got = paths(user_settings_files(
            home,
            &env(&[("XDG_CONFIG_HOME", "")]),
            Os::Linux,
        ));
        assert_eq!(got[0].1, "/home/josé/.config/Code/User/settings.json");
        let got = paths(user_settings_files(
            home,
            &env(&[("VSCODE_APPDATA", "/appdata")]),
            Os::Linux,
        ));
        assert_eq!(got[3].1, "/appdata/Cursor/User/settings.json");
    }

    #[test]
    fn macos_and_windows_settings() {
        let got = paths(user_settings_files(
            Path::new("/Users/u"),
            &env(&[]),
            Os::MacOs,
        ));
        assert_eq!(
            got[0].1,
            "/Users/u/Library/Application Support/Code/User/settings.json"
        );
        let got = paths(user_settings_files(
            Path::new(r"C:\Users\u"),
            &env(&[("APPDATA", r"C:\Users\u\AppData\Roaming")]),
            Os::Windows,
        ));
        assert_eq!(
            got[1].1,
            r"C:\Users\u\AppData\Roaming\Code - Insiders\User\settings.json"
        );
        let got = paths(user_settings_files(
            Path::new(r"C:\Users\u"),
            &env(&[("AppData", r"D:\Roaming\")]),
            Os::Windows,
        ));
        assert_eq!(got[0].1, r"D:\Roaming\Code\User\settings.json");
        let got = paths(user_settings_files(
            Path::new(r"C:\Users\u"),
            &env(&[]),
            Os::Windows,
        ));
        assert_eq!(
            got[2].1,
            r"C:\Users\u\AppData\Roaming\VSCodium\User\settings.json"
        );
        let got = paths(user_settings_files(
            Path::new(r"C:\Users\u"),
            &env(&[("USERPROFILE", r"E:\p")]),
            Os::Windows,
        ));
        assert_eq!(got[0].1, r"E:\p\AppData\Roaming\Code\User\settings.json");
    }

    #[test]
    fn go_env_file_locations() {
        let home = Path::new("/home/u");
        let s = |p: Option<PathBuf>| p.map(|p| p.to_string_lossy().into_owned());
        assert_eq!(
            s(go_env_file(home, &env(&[]), Os::Linux)).as_deref(),
            Some("/home/u/.config/go/env")
        );
        assert_eq!(
            s(go_env_file(home, &env(&[("HOME", "/h")]), Os::Linux)).as_deref(),
            Some("/h/.config/go/env")
        );
        assert_eq!(s(go_env_file(home, &env(&[("HOME", "")]), Os::Linux)), None);
        assert_eq!(
            s(go_env_file(
                home,
                &env(&[("XDG_CONFIG_HOME", "/x")]),
                Os::Linux
            ))
            .as_deref(),
            Some("/x/go/env")
        );
        assert_eq!(
            s(go_env_file(
                home,
                &env(&[("XDG_CONFIG_HOME", "rel")]),
                Os::Linux
            ))
            .as_deref(),
            Some("rel/go/env")
        );
        assert_eq!(
            s(go_env_file(
                home,
                &env(&[("GOENV", "/etc/goenv")]),
                Os::Linux
            ))
            .as_deref(),
            Some("/etc/goenv")
        );
        assert_eq!(
            s(go_env_file(home, &env(&[("GOENV", "off")]), Os::Linux)),
            None
        );
        assert_eq!(
            s(go_env_file(home, &env(&[("GOENV", "")]), Os::Linux)).as_deref(),
            Some("/home/u/.config/go/env")
        );
        assert_eq!(
            s(go_env_file(Path::new("/Users/u"), &env(&[]), Os::MacOs)).as_deref(),
            Some("/Users/u/Library/Application Support/go/env")
        );
        assert_eq!(
            s(go_env_file(
                Path::new(r"C:\Users\u"),
                &env(&[("APPDATA", r"C:\Users\u\AppData\Roaming")]),
                Os::Windows
            ))
            .as_deref(),
            Some(r"C:\Users\u\AppData\Roaming\go\env")
        );
        assert_eq!(
            s(go_env_file(
                Path::new(r"C:\Users\u"),
                &env(&[]),
                Os::Windows
            )),
            None
        );
        assert_eq!(
            Os::current(),
            if cfg!(windows) {
                Os::Windows
            } else if cfg!(target_os = "macos") {
                Os::MacOs
            } else {
                Os::Linux
            }
        );
    }
}
