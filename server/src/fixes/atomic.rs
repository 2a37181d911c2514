//! Writing a user's file so that nothing is lost: the new text goes to a temporary file in the
//! same directory, is flushed to disk, gets the old file's permissions (and owner, where we may
//! set it) and replaces the old file by a rename — a crash leaves the old file or the new one,
//! never half of either. A symlink keeps being a symlink: its target is written. A file that
//! changed since the fix read it is not overwritten: that would lose someone's edit.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// What a write replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file written: the symlink's target when the path was a symlink.
    pub path: PathBuf,
}

/// Replace the file at `path`, which held `expected` when the caller read it (`None`: it did
/// not exist), by `new`. Refused, with the file untouched, when its bytes are no longer
/// `expected` (or it appeared meanwhile).
pub fn replace(path: &Path, expected: Option<&[u8]>, new: &[u8]) -> Result<Written, String> {
    let target = resolve(path)?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .ok_or_else(|| format!("{} has no parent directory", target.display()))?;
    if expected.is_none() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let old_meta = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", target.display())),
    };
    let tmp = temp_path(dir, &target);
    let result = write_temp(&tmp, new, old_meta.as_ref()).and_then(|()| {
        unchanged(&target, expected)?;
        fs::rename(&tmp, &target).map_err(|e| {
            format!(
                "cannot replace {} with {}: {e}",
                target.display(),
                tmp.display()
            )
        })
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    // The rename itself is durable only once the directory is.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(Written { path: target })
}

/// Remove the file at `path` (undoing a fix that created it), if it still holds `expected`.
pub fn remove(path: &Path, expected: &[u8]) -> Result<(), String> {
    let target = resolve(path)?;
    unchanged(&target, Some(expected))?;
    fs::remove_file(&target).map_err(|e| format!("cannot remove {}: {e}", target.display()))
}

/// The file a write to `path` must change: the final target of a symlink chain (relative
/// links resolve against their own directory), else `path` itself.
fn resolve(path: &Path) -> Result<PathBuf, String> {
    match fs::canonicalize(path) {
        Ok(p) => Ok(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if fs::symlink_metadata(path).is_ok() {
                // A dangling symlink: writing through it would create a file somewhere the user
                // did not look.
                return Err(format!(
                    "{} is a symlink to a missing file; not written",
                    path.display()
                ));
            }
            Ok(path.to_path_buf())
        }
        Err(e) => Err(format!("cannot resolve {}: {e}", path.display())),
    }
}

fn temp_path(dir: &Path, target: &Path) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(
        ".{name}.go-env-doctor-{}-{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ))
}

fn write_temp(tmp: &Path, bytes: &[u8], like: Option<&fs::Metadata>) -> Result<(), String> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // No wider than the old file, and private until its permissions are copied.
        opts.mode(0o600);
    }
    let mut f = opts
        .open(tmp)
        .map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    match like {
        Some(meta) => {
            f.set_permissions(meta.permissions())
                .map_err(|e| format!("cannot set the permissions of {}: {e}", tmp.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                // Only root may give a file away; for anyone else the owner is already theirs.
                if let Err(e) = std::os::unix::fs::fchown(&f, Some(meta.uid()), Some(meta.gid())) {
                    tracing::debug!("keeping the owner of {}: {e}", tmp.display());
                }
            }
        }
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                // A new settings file: as a text editor would create it (umask-like 0644).
                let _ = f.set_permissions(fs::Permissions::from_mode(0o644));
            }
        }
    }
    Ok(())
}

/// Whether `target` still holds `expected` (`None`: still absent).
fn unchanged(target: &Path, expected: Option<&[u8]>) -> Result<(), String> {
    let now = match crate::facts::fs::read_bounded(target, crate::facts::fs::MAX_INPUT_BYTES) {
        Ok(b) => Some(b),
        Err(crate::facts::fs::ReadError::NotFound) => None,
        Err(crate::facts::fs::ReadError::Refused(why)) => {
            return Err(format!("cannot read {}: {why}", target.display()))
        }
    };
    if now.as_deref() != expected {
        return Err(format!(
            "{} changed since go-env-doctor read it; not overwritten (run again to fix it as it is now)",
            target.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn tmpdir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "ged-atomic-{}-{}",
            std::process::id(),
            NEXT_DIR.fetch_add(1, Ordering::SeqCst)
        ));
        fs::create_dir_all(&d).expect("mkdir");
        d
    }
    static NEXT_DIR: AtomicU32 = AtomicU32::new(0);

    #[test]
    fn replaces_keeping_permissions_and_writes_through_a_symlink() {
        let d = tmpdir();
        let real = d.join("real.json");
        fs::write(&real, b"old").expect("write");
        fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).expect("chmod");
        let link = d.join("settings.json");
        std::os::unix::fs::symlink("real.json", &link).expect("symlink");
        let w = replace(&link, Some(b"old"), b"new").expect("replaced");
        assert_eq!(w.path, real.canonicalize().expect("canon"));
        assert!(fs::symlink_metadata(&link).expect("meta").is_symlink());
        assert_eq!(fs::read(&real).expect("read"), b"new");
        let mode = fs::metadata(&real).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let leftovers: Vec<_> = fs::read_dir(&d)
            .expect("ls")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "no temp file left behind");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_overwritten() {
        let d = tmpdir();
        let f = d.join("env");
        fs::write(&f, b"GOPROXY=off\nmine\n").expect("write");
        let err = replace(&f, Some(b"GOPROXY=off\n"), b"").expect_err("refused");
        assert!(err.contains("changed since"), "{err}");
        assert_eq!(fs::read(&f).expect("read"), b"GOPROXY=off\nmine\n");
        // A file that appeared meanwhile is not replaced either.
        let err = replace(&f, None, b"x").expect_err("refused");
        assert!(err.contains("changed since"), "{err}");
        // A new file is created with its directory.
        let new = d.join(".vscode/settings.json");
        replace(&new, None, b"{}\n").expect("created");
        assert_eq!(fs::read(&new).expect("read"), b"{}\n");
        remove(&new, b"{}\n").expect("removed");
        assert!(!new.exists());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_dangling_symlink_is_refused() {
        let d = tmpdir();
        let link = d.join("settings.json");
        std::os::unix::fs::symlink("missing.json", &link).expect("symlink");
        let err = replace(&link, None, b"{}").expect_err("refused");
        assert!(err.contains("symlink to a missing file"), "{err}");
        assert!(!d.join("missing.json").exists());
        let _ = fs::remove_dir_all(&d);
    }
}
