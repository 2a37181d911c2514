//! Filesystem facts about the paths the rules care about: existence, symlink chains, access as
//! the current user (probed, not read from mode bits), owner and filesystem type.

use crate::model::{FileKind, FsType, GorootLayout, PathFacts, SymlinkHop};
use std::fs;
use std::path::{Path, PathBuf};

/// Settings, go.mod/go.work and env files larger than this are not read: a real one is a few
/// KiB, and every check (and every keystroke in the language server) reads them.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Why [`read_bounded`] refused a file.
#[derive(Debug)]
pub enum ReadError {
    /// Not there (callers treat it as "no such file", not as a problem).
    NotFound,
    /// Anything else, worded for a finding: the OS error, "not a regular file (a FIFO)",
    /// "larger than 16 MiB".
    Refused(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file"),
            ReadError::Refused(why) => f.write_str(why),
        }
    }
}

/// The one way the engine reads a file it did not write: at most `max` bytes of a regular file.
///
/// Anything else a path can name is refused before a byte is read: a FIFO would block the
/// check forever (no writer), `/dev/zero` or `/dev/urandom` never end, `/dev/stdin` is the
/// language server's own protocol stream, a socket or a terminal is someone else's. The file is
/// opened non-blocking (opening a FIFO without a writer would block) and without becoming our
/// controlling terminal, and the *opened* descriptor is checked, so a path swapped between a
/// check and the open cannot slip through.
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Refused(e.to_string()),
    })?;
    let meta = file
        .metadata()
        .map_err(|e| ReadError::Refused(e.to_string()))?;
    if !meta.is_file() {
        return Err(ReadError::Refused(format!(
            "not a regular file ({})",
            kind_words(&meta.file_type())
        )));
    }
    if meta.len() > max {
        return Err(ReadError::Refused(too_large(max)));
    }
    // The size can grow between the fstat and the read (a file being written): read one byte
    // more than allowed to notice.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Refused(e.to_string()))?;
    if bytes.len() as u64 > max {
        return Err(ReadError::Refused(too_large(max)));
    }
    Ok(bytes)
}

/// [`read_bounded`] with [`MAX_INPUT_BYTES`], decoded as UTF-8 with invalid bytes replaced.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    read_bounded(path, MAX_INPUT_BYTES).map(|b| match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// A fingerprint of a file's bytes (64-bit FNV-1a): tells whether a file still holds the text
/// a check read. Not cryptographic; stable within and across runs.
pub fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn too_large(max: u64) -> String {
    if max >= 1 << 20 {
        format!("larger than {} MiB; not read", max >> 20)
    } else {
        format!("larger than {max} bytes; not read")
    }
}

fn kind_words(t: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// Links followed before we call it a loop (Linux's own limit is 40).
const MAX_HOPS: usize = 40;

pub fn stat(path: &Path, want_goroot_layout: bool) -> PathFacts {
    let mut facts = PathFacts {
        path: path.to_path_buf(),
        ..PathFacts::default()
    };
    if !path.is_absolute() {
        // Relative paths are resolved by Go against the cwd of whoever runs it: nothing stable
        // to stat. Rules report them as relative.
        facts.error = Some("relative path".into());
        return facts;
    }
    follow_chain(path, &mut facts);
    match fs::metadata(path) {
        Ok(meta) => {
            facts.exists = true;
            facts.kind = Some(if meta.is_dir() {
                FileKind::Dir
            } else if meta.is_file() {
                FileKind::File
            } else {
                FileKind::Other
            });
            facts.canonical = dunce::canonicalize(path).ok();
            facts.owner_uid = owner(&meta);
            facts.readable = access(path, AccessMode::Read);
            facts.executable = access(path, AccessMode::Execute);
            // Writing a probe file is the only answer NFS with root squashing gives, but it
            // is a write into the user's directory on every check: never into a GOROOT (no
            // rule asks whether one is writable; a changed GOROOT mtime would also invalidate
            // every cached answer that read it), and only where permissions allow it at all.
            facts.writable = if meta.is_dir() && !want_goroot_layout {
                access(path, AccessMode::Write) && probe_dir_writable(path)
            } else {
                access(path, AccessMode::Write)
            };
            facts.fs_type = fs_type(path);
            // Only a directory someone else owns can hold someone else's entries in practice
            // (the rules ask about foreign caches only), and sampling a build cache's 256
            // subdirectories costs a millisecond on every check: skip it for our own.
            let ours = facts.owner_uid.is_some() && facts.owner_uid == current_uid();
            if meta.is_dir() && !ours {
                facts.populated = holds_foreign_entries(path);
            }
        }
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound
                && !facts.dangling_symlink
                && !facts.symlink_loop
            {
                facts.error = Some(e.to_string());
            }
            let (ancestor, not_dir) = existing_ancestor(path);
            facts.ancestor_not_dir = not_dir;
            if let Some(a) = &ancestor {
                facts.fs_type = fs_type(a);
            }
            facts.existing_ancestor = ancestor;
        }
    }
    if want_goroot_layout && facts.exists && facts.kind == Some(FileKind::Dir) {
        facts.goroot_layout = Some(goroot_layout(path));
    }
    facts
}

/// Files Go keeps at the top of a build cache (cmd/go/internal/cache): `go clean -cache`
/// leaves README, trim.txt and testexpire.txt behind (log.txt only before Go 1.22).
const CACHE_BOOKKEEPING: [&str; 4] = ["README", "trim.txt", "testexpire.txt", "log.txt"];

/// Top-level entries of a directory looked at by [`holds_foreign_entries`].
const MAX_SCANNED: usize = 512;

/// `PathFacts::populated` of a directory: whether it holds entries that are not ours, i.e.
/// anything besides an empty build cache's skeleton (Go's bookkeeping files and the `00`…`ff`
/// subdirectories every `go` command opening the cache recreates) owned by another uid than
/// the one we run as. Entries we wrote we can replace, so a cache someone else created but
/// that holds only our entries (after `go clean -cache`, once our own `go` ran) is not
/// "populated" by another user. Bounded: the first entry of each subdirectory is sampled, at
/// most [`MAX_SCANNED`] top-level entries are looked at. Without owners (non-Unix) any entry
/// counts.
fn holds_foreign_entries(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    let me = current_uid();
    let not_ours = |meta: &fs::Metadata| match (owner(meta), me) {
        (Some(o), Some(m)) => o != m,
        _ => true,
    };
    for entry in entries.flatten().take(MAX_SCANNED) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let hex_subdir = name.len() == 2
            && name
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && entry.file_type().is_ok_and(|t| t.is_dir());
        if hex_subdir {
            let first = fs::read_dir(entry.path())
                .ok()
                .and_then(|mut d| d.next())
                .and_then(Result::ok);
            if first.is_some_and(|e| e.metadata().is_ok_and(|m| not_ours(&m))) {
                return true;
            }
        } else if !CACHE_BOOKKEEPING.contains(&name.as_ref())
            && entry.metadata().is_ok_and(|m| not_ours(&m))
        {
            return true;
        }
    }
    false
}

fn follow_chain(path: &Path, facts: &mut PathFacts) {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_HOPS {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let Ok(target) = fs::read_link(&current) else {
                    return;
                };
                let next = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(&target),
                    _ => target.clone(),
                };
                facts.symlink_chain.push(SymlinkHop {
                    link: current.clone(),
                    target,
                });
                current = next;
            }
            Ok(_) => return,
            Err(_) => {
                // The chain ends at something that is not there (when we followed at least one hop).
                facts.dangling_symlink = !facts.symlink_chain.is_empty();
                return;
            }
        }
    }
    facts.symlink_loop = true;
}

/// Nearest existing ancestor, and whether it (or the first blocking component) is not a directory.
fn existing_ancestor(path: &Path) -> (Option<PathBuf>, bool) {
    let mut p = path.parent();
    while let Some(dir) = p {
        if let Ok(meta) = fs::metadata(dir) {
            return (Some(dir.to_path_buf()), !meta.is_dir());
        }
        p = dir.parent();
    }
    (None, false)
}

pub fn goroot_layout(root: &Path) -> GorootLayout {
    let bin_go = root
        .join("bin")
        .join(if cfg!(windows) { "go.exe" } else { "go" });
    GorootLayout {
        version: read_version(root),
        has_bin_go: bin_go.is_file(),
        bin_go_executable: access(&bin_go, AccessMode::Execute),
        has_src: root.join("src").is_dir(),
        has_pkg_tool: root.join("pkg").join("tool").is_dir(),
    }
}

/// First line of `$GOROOT/VERSION` (`go1.22.10`), if present.
pub fn read_version(root: &Path) -> Option<String> {
    let bytes = read_bounded(&root.join("VERSION"), 64 * 1024).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let first = text.lines().next()?.trim();
    (!first.is_empty()).then(|| first.to_string())
}

/// Writability of a directory as this user, by really creating and removing a file: mode bits
/// lie for root, ACLs and read-only mounts.
fn probe_dir_writable(dir: &Path) -> bool {
    let name = format!(".go-env-doctor-probe-{}", std::process::id());
    let probe = dir.join(name);
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            true
        }
        Err(e) => e.kind() == std::io::ErrorKind::AlreadyExists,
    }
}

enum AccessMode {
    Read,
    Write,
    Execute,
}

#[cfg(unix)]
fn access(path: &Path, mode: AccessMode) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let m = match mode {
        AccessMode::Read => libc::R_OK,
        AccessMode::Write => libc::W_OK,
        AccessMode::Execute => libc::X_OK,
    };
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c.as_ptr(), m) == 0 }
}

#[cfg(not(unix))]
fn access(path: &Path, mode: AccessMode) -> bool {
    match mode {
        AccessMode::Write => fs::metadata(path)
            .map(|m| !m.permissions().readonly())
            .unwrap_or(false),
        _ => path.exists(),
    }
}

#[cfg(unix)]
fn owner(meta: &fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.uid())
}

#[cfg(not(unix))]
fn owner(_meta: &fs::Metadata) -> Option<u32> {
    None
}

/// The current user's uid.
#[cfg(unix)]
pub fn current_uid() -> Option<u32> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    Some(unsafe { libc::geteuid() })
}

#[cfg(not(unix))]
pub fn current_uid() -> Option<u32> {
    None
}

#[cfg(target_os = "linux")]
fn fs_type(path: &Path) -> Option<FsType> {
    use std::os::unix::ffi::OsStrExt;
    const NFS_SUPER_MAGIC: i64 = 0x6969;
    const SMB_SUPER_MAGIC: i64 = 0x517B;
    const CIFS_MAGIC_NUMBER: i64 = 0xFF53_4D42;
    const SMB2_MAGIC_NUMBER: i64 = 0xFE53_4D42;
    const FUSE_SUPER_MAGIC: i64 = 0x6573_5546;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statfs writes into the zeroed struct we own; `c` is NUL-terminated.
    let mut buf: libc::statfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statfs(c.as_ptr(), &mut buf) };
    if rc != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)]
    let magic = buf.f_type as i64 & 0xFFFF_FFFF;
    Some(match magic {
        NFS_SUPER_MAGIC => FsType::Nfs,
        SMB_SUPER_MAGIC | CIFS_MAGIC_NUMBER | SMB2_MAGIC_NUMBER => FsType::Smb,
        FUSE_SUPER_MAGIC => FsType::Fuse,
        _ => FsType::Local,
    })
}

#[cfg(all(unix, not(target_os = "linux")))]
fn fs_type(path: &Path) -> Option<FsType> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statfs writes into the zeroed struct we own; `c` is NUL-terminated.
    let mut buf: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c.as_ptr(), &mut buf) } != 0 {
        return None;
    }
    let name: String = buf
        .f_fstypename
        .iter()
        .take_while(|&&ch| ch != 0)
        .map(|&ch| ch as u8 as char)
        .collect();
    Some(match name.as_str() {
        "nfs" => FsType::Nfs,
        "smbfs" | "cifs" => FsType::Smb,
        n if n.starts_with("fuse") || n.starts_with("osxfuse") || n == "macfuse" => FsType::Fuse,
        _ => FsType::Local,
    })
}

#[cfg(not(unix))]
fn fs_type(_path: &Path) -> Option<FsType> {
    None
}

/// Whether names on the filesystem holding `dir` compare case-insensitively (macOS, Windows).
pub fn case_insensitive(dir: &Path) -> bool {
    let Some(name) = dir.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let flipped: String = name
        .chars()
        .map(|c| {
            if c.is_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if flipped == name {
        return false;
    }
    let other = dir.with_file_name(flipped);
    match (fs::metadata(dir), fs::metadata(&other)) {
        (Ok(a), Ok(b)) => same_file(&a, &b),
        _ => false,
    }
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_a: &fs::Metadata, _b: &fs::Metadata) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GOROOT candidate is statted on every check: nothing may be written into it (a probe
    /// file changed its mtime — which invalidated every cached answer that read it — and was
    /// left behind when the server was killed mid-check). Other directories (a build cache)
    /// still get the real write probe.
    #[test]
    fn a_goroot_is_never_written_to_while_a_cache_directory_is_probed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("goroot");
        fs::create_dir_all(root.join("bin")).expect("mkdir");
        let before = fs::metadata(&root)
            .and_then(|m| m.modified())
            .expect("mtime");
        std::thread::sleep(std::time::Duration::from_millis(20));
        let f = stat(&root, true);
        assert!(f.writable, "{f:?}");
        let after = fs::metadata(&root)
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(before, after, "stat wrote into the GOROOT");

        let cache = dir.path().join("cache");
        fs::create_dir_all(&cache).expect("mkdir");
        let before = fs::metadata(&cache)
            .and_then(|m| m.modified())
            .expect("mtime");
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(stat(&cache, false).writable);
        let after = fs::metadata(&cache)
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_ne!(before, after, "a cache directory is probed by a real write");
        let left: Vec<_> = fs::read_dir(&cache).expect("read_dir").collect();
        assert!(left.is_empty(), "the probe file was left behind: {left:?}");
    }

    #[test]
    fn follows_every_hop_and_spots_a_dangling_end() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::os::unix::fs::symlink(&b, &a).expect("symlink");
        std::os::unix::fs::symlink("missing", &b).expect("symlink");
        let f = stat(&a, true);
        assert!(!f.exists);
        assert!(f.dangling_symlink);
        assert_eq!(f.symlink_chain.len(), 2);
        assert_eq!(f.symlink_chain[1].target, PathBuf::from("missing"));
    }

    #[test]
    fn a_symlink_loop_is_reported_not_followed_forever() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::os::unix::fs::symlink(&b, &a).expect("symlink");
        std::os::unix::fs::symlink(&a, &b).expect("symlink");
        let f = stat(&a, true);
        assert!(f.symlink_loop);
        assert!(!f.exists);
    }

    #[test]
    fn a_file_in_the_parent_chain_is_seen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("file");
        fs::write(&file, "x").expect("write");
        let f = stat(&file.join("sub/deeper"), false);
        assert!(!f.exists);
        assert!(f.ancestor_not_dir);
        assert_eq!(f.existing_ancestor.as_deref(), Some(file.as_path()));
    }

    #[test]
    fn writable_directory_is_probed_and_left_clean() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = stat(dir.path(), false);
        assert!(f.writable);
        assert_eq!(fs::read_dir(dir.path()).expect("read").count(), 0);
        assert_eq!(f.fs_type, Some(FsType::Local));
    }
}
