//! The undo record of the last `go-env-doctor fix` run: the previous bytes of every file it
//! changed (settings files, the go env file that `go env -w/-u` rewrote, go.work), the inverse
//! `go env` commands for the reader, and the directories it created. `fix --undo` restores the
//! files byte for byte — only those nobody changed since, so an undo never loses a later edit.
//!
//! The record is written after every step, so a run that stopped half-way can still be undone.

use super::atomic;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const VERSION: u32 = 1;
const FILE_NAME: &str = "last-fix.json";

/// What one `fix` run changed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub version: u32,
    pub folder: PathBuf,
    /// Seconds since the Unix epoch.
    pub started: u64,
    /// In the order they were changed.
    pub files: Vec<FileUndo>,
    /// The `go env -w/-u` commands that undo the run's own (restoring the go env file's bytes
    /// does the same, exactly).
    pub inverse_commands: Vec<String>,
    /// Directories the run created, parents first.
    pub created_dirs: Vec<PathBuf>,
    /// What cannot be undone (an emptied build cache).
    pub irreversible: Vec<String>,
}

/// One file's bytes before the run, and a digest of what the run left.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileUndo {
    pub path: PathBuf,
    /// Base64 of the bytes before; `None`: the run created the file.
    pub before: Option<String>,
    /// SHA-256 (hex) of the bytes the run left; `None`: the run removed the file.
    pub after: Option<String>,
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Record {
    pub fn new(folder: &Path) -> Record {
        Record {
            version: VERSION,
            folder: folder.to_path_buf(),
            started: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            ..Record::default()
        }
    }

    /// Remember that `path` held `before` and now holds `after`. A file changed twice in one
    /// run keeps its first `before`.
    pub fn file_changed(&mut self, path: &Path, before: Option<&[u8]>, after: Option<&[u8]>) {
        let after = after.map(sha256);
        if let Some(f) = self.files.iter_mut().find(|f| f.path == path) {
            f.after = after;
            return;
        }
        self.files.push(FileUndo {
            path: path.to_path_buf(),
            before: before.map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
            after,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.created_dirs.is_empty() && self.irreversible.is_empty()
    }
}

/// Where the record lives: the user's state directory (`$XDG_STATE_HOME`, else
/// `~/.local/state`; `~/Library/Application Support` on macOS; `%LOCALAPPDATA%` on Windows).
pub fn location(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let abs = |v: Option<String>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    let base = if cfg!(windows) {
        abs(env("LOCALAPPDATA"))?
    } else if cfg!(target_os = "macos") {
        abs(env("HOME"))?.join("Library/Application Support")
    } else {
        abs(env("XDG_STATE_HOME")).or_else(|| Some(abs(env("HOME"))?.join(".local/state")))?
    };
    Some(base.join("go-env-doctor").join(FILE_NAME))
}

/// Write the record (replacing the previous run's).
pub fn save(path: &Path, record: &Record) -> Result<(), String> {
    let text = serde_json::to_vec_pretty(record).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // It holds copies of settings files.
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    let current = std::fs::read(path).ok();
    atomic::replace(path, current.as_deref(), &text).map(|_| ())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

/// The last run's record.
pub fn load(path: &Path) -> Result<Record, String> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!(
                "nothing to undo: no record of a fix run ({} does not exist)",
                path.display()
            )
        }
        _ => format!("cannot read {}: {e}", path.display()),
    })?;
    let record: Record = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{} is not an undo record of this version: {e}",
            path.display()
        )
    })?;
    if record.version != VERSION {
        return Err(format!(
            "{} was written by another version of go-env-doctor (record version {}); not used",
            path.display(),
            record.version
        ));
    }
    Ok(record)
}

/// What undoing one change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restored {
    File(PathBuf),
    Removed(PathBuf),
    Directory(PathBuf),
    Refused { path: PathBuf, why: String },
}

/// Undo `record`, last change first.
pub fn restore(record: &Record) -> Vec<Restored> {
    let mut out = Vec::new();
    for f in record.files.iter().rev() {
        let now = match crate::facts::fs::read_bounded(&f.path, crate::facts::fs::MAX_INPUT_BYTES) {
            Ok(b) => Some(b),
            Err(crate::facts::fs::ReadError::NotFound) => None,
            Err(crate::facts::fs::ReadError::Refused(why)) => {
                out.push(Restored::Refused {
                    path: f.path.clone(),
                    why,
                });
                continue;
            }
        };
        if now.as_deref().map(sha256) != f.after {
            out.push(Restored::Refused {
                path: f.path.clone(),
                why: "changed since the fix run; left as it is".to_string(),
            });
            continue;
        }
        let before = match f
            .before
            .as_deref()
            .map(|b| base64::engine::general_purpose::STANDARD.decode(b))
            .transpose()
        {
            Ok(b) => b,
            Err(e) => {
                out.push(Restored::Refused {
                    path: f.path.clone(),
                    why: format!("the undo record is damaged: {e}"),
                });
                continue;
            }
        };
        let done = match (&before, &now) {
            (Some(before), now) => atomic::replace(&f.path, now.as_deref(), before)
                .map(|_| Restored::File(f.path.clone())),
            (None, Some(now)) => {
                atomic::remove(&f.path, now).map(|()| Restored::Removed(f.path.clone()))
            }
            (None, None) => Ok(Restored::Removed(f.path.clone())),
        };
        out.push(done.unwrap_or_else(|why| Restored::Refused {
            path: f.path.clone(),
            why,
        }));
    }
    for d in record.created_dirs.iter().rev() {
        // Only while empty: anything put there since is someone's.
        out.push(match std::fs::remove_dir(d) {
            Ok(()) => Restored::Directory(d.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Restored::Directory(d.clone()),
            Err(e) => Restored::Refused {
                path: d.clone(),
                why: format!("not removed: {e}"),
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_lives_in_the_state_directory() {
        let env = |k: &str| match k {
            "HOME" => Some("/home/u".to_string()),
            "XDG_STATE_HOME" => Some("relative/ignored".to_string()),
            _ => None,
        };
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(
                location(&env),
                Some(PathBuf::from(
                    "/home/u/.local/state/go-env-doctor/last-fix.json"
                ))
            );
            let xdg = |k: &str| (k == "XDG_STATE_HOME").then(|| "/s".to_string());
            assert_eq!(
                location(&xdg),
                Some(PathBuf::from("/s/go-env-doctor/last-fix.json"))
            );
        }
    }

    #[test]
    fn undo_restores_bytes_and_refuses_files_changed_since() {
        let d = std::env::temp_dir().join(format!("ged-undo-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("mkdir");
        let a = d.join("a");
        let b = d.join("b");
        let created = d.join("new.json");
        std::fs::write(&a, b"A after").expect("write");
        std::fs::write(&b, b"B edited by someone").expect("write");
        std::fs::write(&created, b"{}").expect("write");
        let mut r = Record::new(&d);
        r.file_changed(&a, Some(b"A before\r\n\xef\xbb\xbf"), Some(b"A after"));
        r.file_changed(&b, Some(b"B before"), Some(b"B after"));
        r.file_changed(&created, None, Some(b"{}"));
        let rec = d.join("state/last-fix.json");
        save(&rec, &r).expect("saved");
        let loaded = load(&rec).expect("loaded");
        assert_eq!(loaded, r);
        let out = restore(&loaded);
        assert!(out.contains(&Restored::File(a.clone())), "{out:?}");
        assert!(out.contains(&Restored::Removed(created.clone())), "{out:?}");
        assert!(out
            .iter()
            .any(|o| matches!(o, Restored::Refused { path, .. } if *path == b)));
        assert_eq!(
            std::fs::read(&a).expect("read"),
            b"A before\r\n\xef\xbb\xbf"
        );
        assert_eq!(std::fs::read(&b).expect("read"), b"B edited by someone");
        assert!(!created.exists());
        let _ = std::fs::remove_dir_all(&d);
    }
}
