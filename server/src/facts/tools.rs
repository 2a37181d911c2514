//! The Go tools each side's editor runs, found the way that editor finds them and read — never
//! run — for their build information (`goport::buildinfo`). A tool binary is whatever the user
//! (or a workspace) put on disk: reading its bytes is safe, executing it to ask `-version` is
//! not, and would cost a process per tool per check.
//!
//! VS Code tries the candidates `goenv::tools::vscode_candidates` lists (vscode-go's order) and
//! runs the first executable file. Every other client, and the login shell, run the first one on
//! PATH.

use super::fs;
use crate::goenv::resolve::{self, EffectiveSide};
use crate::goport::buildinfo;
use crate::model::{EditorKind, SideKind, Snapshot, ToolBuild, ToolFacts, ToolFoundBy, TOOLS};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Larger binaries are not read (gopls is about 40 MB; a tool ten times that is not one).
const MAX_TOOL_BYTES: u64 = 256 << 20;

/// Fill `tools` of each side of `snap` (and of its editor views).
pub fn discover(snap: &mut Snapshot) {
    let mut cache = BTreeMap::new();
    discover_one(snap, &mut cache);
    let mut views = std::mem::take(&mut snap.editor_views);
    for view in &mut views {
        discover_one(view, &mut cache);
    }
    snap.editor_views = views;
}

type Cache = BTreeMap<PathBuf, Result<ToolBuild, String>>;

fn discover_one(snap: &mut Snapshot, cache: &mut Cache) {
    for kind in [SideKind::Editor, SideKind::Shell] {
        let Some(side) = resolve::effective(snap, kind) else {
            continue;
        };
        let vscode = kind == SideKind::Editor && snap.editor_kind == EditorKind::VsCode;
        let tools: Vec<ToolFacts> = TOOLS
            .iter()
            .filter_map(|tool| {
                let (path, found_by) = if vscode {
                    vscode_lookup(snap, &side, tool)?
                } else {
                    (on_path(&side.path_entries, tool)?, ToolFoundBy::Path)
                };
                let build = cache.entry(path.clone()).or_insert_with(|| read(&path));
                Some(ToolFacts {
                    name: tool.to_string(),
                    path,
                    found_by,
                    build: build.clone(),
                })
            })
            .collect();
        match kind {
            SideKind::Editor => {
                snap.editor.tools = tools;
                snap.editor.tools_looked_up = true;
            }
            SideKind::Shell => {
                if let Some(shell) = &mut snap.shell {
                    shell.tools = tools;
                    shell.tools_looked_up = true;
                }
            }
        }
    }
}

/// The build information of the tool at `path`. A 64-bit little-endian ELF (Linux on amd64 and
/// arm64: nearly every tool a Linux user has) is read sparsely — its header, section table,
/// section names and `.go.buildinfo`, into a buffer whose other pages stay untouched zeros — so
/// that six 40 MB tools cost a few page reads, not 240 MB of copying on every check; anything the
/// sparse read cannot answer is read whole.
pub fn read(path: &Path) -> Result<ToolBuild, String> {
    let info = match read_elf_sparse(path) {
        Some(Ok(info)) => info,
        _ => {
            let bytes = fs::read_bounded(path, MAX_TOOL_BYTES).map_err(|e| e.to_string())?;
            buildinfo::read(&bytes).map_err(|e| e.to_string())?
        }
    };
    Ok(ToolBuild {
        go_version: info.go_version,
        package: info.path,
        module: info.module_path,
        module_version: info.module_version,
        goos: info.goos,
        goarch: info.goarch,
    })
}

/// [`read`]'s sparse path; `None` when the file is not an ELF with a `.go.buildinfo` section
/// inside the file ([`buildinfo::elf_buildinfo_parts`]), or holds the older pointer format.
fn read_elf_sparse(path: &Path) -> Option<Result<buildinfo::BuildInfo, buildinfo::Error>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_TOOL_BYTES {
        return None;
    }
    let len = usize::try_from(meta.len()).ok()?;
    let parts = buildinfo::elf_buildinfo_parts(|off, n| {
        let end = off.checked_add(u64::try_from(n).ok()?)?;
        if end > meta.len() {
            return None;
        }
        f.seek(SeekFrom::Start(off)).ok()?;
        let mut b = vec![0u8; n];
        f.read_exact(&mut b).ok()?;
        Some(b)
    })?;
    let mut sparse = ZeroPages::new(len)?;
    for (off, bytes) in parts {
        let start = usize::try_from(off).ok()?;
        sparse
            .bytes_mut()
            .get_mut(start..start.checked_add(bytes.len())?)?
            .copy_from_slice(&bytes);
    }
    match buildinfo::read(sparse.bytes_mut()) {
        // Pointer-format build info (Go before 1.18) points into the data segment, which the
        // sparse buffer does not hold: read the whole file then.
        Ok(info) if !info.go_version.is_empty() => Some(Ok(info)),
        _ => None,
    }
}

/// A zero-filled buffer the size of a file whose untouched pages are never materialised: an
/// anonymous private mapping. (A `vec![0; len]` would do on a fresh heap, but once the allocator
/// has raised its mmap threshold it takes the memory from the heap and clears all of it — the
/// very copying the sparse read avoids.)
struct ZeroPages {
    ptr: *mut u8,
    len: usize,
}

impl ZeroPages {
    fn new(len: usize) -> Option<ZeroPages> {
        if len == 0 {
            return None;
        }
        // SAFETY: a fresh anonymous private mapping, owned by this value alone and unmapped in
        // `drop`; the kernel zero-fills it.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        (ptr != libc::MAP_FAILED).then(|| ZeroPages {
            ptr: ptr.cast(),
            len,
        })
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` is a live read-write mapping of `len` bytes owned by `self`.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for ZeroPages {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, unmapped once.
        unsafe {
            libc::munmap(self.ptr.cast(), self.len);
        }
    }
}

fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn in_dirs<'a>(dirs: impl IntoIterator<Item = &'a Path>, name: &str) -> Option<PathBuf> {
    dirs.into_iter()
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join(name))
        .find(|p| executable(p))
}

fn on_path(entries: &[PathBuf], name: &str) -> Option<PathBuf> {
    in_dirs(entries.iter().map(PathBuf::as_path), name)
}

fn vscode_lookup(
    snap: &Snapshot,
    side: &EffectiveSide,
    tool: &str,
) -> Option<(PathBuf, ToolFoundBy)> {
    crate::goenv::tools::vscode_candidates(snap, side, tool)
        .into_iter()
        .find(|(p, _)| executable(p))
}
