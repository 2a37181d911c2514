//! The build information the Go linker embeds in every binary it writes (what `go version -m`
//! prints): the Go version, the main package and module, and the build settings. A port of the
//! format Go's `debug/buildinfo` reads, written from its description, because the checks need to
//! know which Go built an editor's tools (`gopls`, `golangci-lint`, …) and for which platform
//! *without running them* — a binary of unknown origin must never be executed to be inspected.
//!
//! Pure: the caller reads the file (bounded) and hands over its bytes. Every offset and length
//! read from the input is checked, so truncated or hostile input yields an `Err`, never a panic.
//!
//! The executable headers (ELF, Mach-O thin and universal, PE) are parsed by hand: only a few
//! fixed-offset fields are needed (machine type, segments or sections with their addresses and
//! file offsets), which is less code than adapting a general object-file crate's API and keeps
//! the dependency list short.
//!
//! The format, as the linker writes it (cmd/link's `buildinfo` symbol):
//! * a 32-byte header, aligned to 16 bytes, in the `.go.buildinfo` section (ELF), the
//!   `__go_buildinfo` section (Mach-O), or near the start of the first writable data section:
//!   14 bytes of magic `\xff Go buildinf:`, the pointer size, a flags byte (bit 0: big-endian
//!   pointers, bit 1: strings inline);
//! * inline (Go ≥ 1.18): right after the header, the version and then the module information,
//!   each as an unsigned varint length followed by the bytes;
//! * pointers (older Go): at header offset 16 and 16+ptrsize, the addresses of two Go string
//!   headers (data pointer, length), which are resolved through the file's segments.
//!
//! The module information is framed by two 16-byte sentinels, recognised by the newline that
//! ends the text just before the closing one; its lines are tab-separated (`path`, `mod`, `dep`,
//! `=>`, `build`).

use std::fmt;

/// What a Go binary says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildInfo {
    /// The Go toolchain that built it, e.g. `go1.22.10`.
    pub go_version: String,
    /// The main package's import path (`path` line), e.g. `golang.org/x/tools/gopls`.
    pub path: Option<String>,
    /// The main module's path and version (`mod` line), e.g. `golang.org/x/tools/gopls`,
    /// `v0.16.2` (`(devel)` for a build from a checkout).
    pub module_path: Option<String>,
    pub module_version: Option<String>,
    /// Target platform: from the `build GOOS=`/`GOARCH=` settings when present, else from the
    /// executable header (`goos` stays `None` for an ELF file without settings: ELF does not
    /// say which Unix it is for).
    pub goos: Option<String>,
    pub goarch: Option<String>,
    /// The executable format the bytes were read as.
    pub format: ExeFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExeFormat {
    #[default]
    Elf,
    MachO,
    Pe,
}

/// Why no build information could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Not an ELF, Mach-O or PE file.
    UnknownFormat,
    /// A header or table points outside the file, or is inconsistent.
    Malformed(&'static str),
    /// A well-formed executable without Go build information.
    NotGo,
    /// A pointer-format blob with a pointer size other than 4 or 8.
    UnsupportedFormat(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownFormat => write!(f, "not an executable (ELF, Mach-O or PE)"),
            Error::Malformed(why) => write!(f, "malformed executable: {why}"),
            Error::NotGo => write!(f, "not a Go executable (no build information)"),
            Error::UnsupportedFormat(why) => write!(f, "unsupported build info format: {why}"),
        }
    }
}

impl std::error::Error for Error {}

const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
const HEADER_SIZE: usize = 32;
const ALIGN: usize = 16;
/// Sanity bound for counts read from headers (sections, load commands, fat slices), so that a
/// hostile count cannot make us loop for long; real Go binaries have a few dozen.
const MAX_ENTRIES: usize = 4096;

/// Read the build information of the executable `data`.
pub fn read(data: &[u8]) -> Result<BuildInfo, Error> {
    if data.starts_with(b"\x7fELF") {
        from_exe(data, elf(data)?)
    } else if data.starts_with(b"MZ") {
        from_exe(data, pe(data)?)
    } else if let Some(slices) = fat(data)? {
        // A universal binary: the first slice that reads (lipo puts each architecture's thin
        // file at its offset; all of them are built from the same source).
        let mut last = Error::NotGo;
        for (off, size) in slices {
            let end = off.checked_add(size).ok_or(Error::Malformed("fat slice"))?;
            let Some(slice) = data.get(off..end) else {
                last = Error::Malformed("fat slice outside the file");
                continue;
            };
            match macho(slice).and_then(|exe| from_exe(slice, exe)) {
                Ok(info) => return Ok(info),
                Err(e) => last = e,
            }
        }
        Err(last)
    } else if is_macho(data) {
        from_exe(data, macho(data)?)
    } else {
        Err(Error::UnknownFormat)
    }
}

// ---------------------------------------------------------------------------------------------
// Reading fixed-size fields
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Reader<'a> {
    data: &'a [u8],
    big: bool,
}

impl Reader<'_> {
    fn bytes<const N: usize>(&self, at: usize) -> Result<[u8; N], Error> {
        let end = at
            .checked_add(N)
            .ok_or(Error::Malformed("offset overflow"))?;
        self.data
            .get(at..end)
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .ok_or(Error::Malformed("header truncated"))
    }

    fn u16(&self, at: usize) -> Result<u16, Error> {
        let b = self.bytes::<2>(at)?;
        Ok(if self.big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32(&self, at: usize) -> Result<u32, Error> {
        let b = self.bytes::<4>(at)?;
        Ok(if self.big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn u64(&self, at: usize) -> Result<u64, Error> {
        let b = self.bytes::<8>(at)?;
        Ok(if self.big {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }

    /// A 4- or 8-byte word.
    fn word(&self, at: usize, wide: bool) -> Result<u64, Error> {
        if wide {
            self.u64(at)
        } else {
            self.u32(at).map(u64::from)
        }
    }
}

fn to_usize(v: u64) -> Result<usize, Error> {
    usize::try_from(v).map_err(|_| Error::Malformed("value too large"))
}

fn add(a: usize, b: usize) -> Result<usize, Error> {
    a.checked_add(b).ok_or(Error::Malformed("offset overflow"))
}

fn mul(a: usize, b: usize) -> Result<usize, Error> {
    a.checked_mul(b).ok_or(Error::Malformed("offset overflow"))
}

fn count(v: u64) -> Result<usize, Error> {
    let n = to_usize(v)?;
    if n > MAX_ENTRIES {
        return Err(Error::Malformed("implausible table size"));
    }
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Executable formats: where the data lives, and the header's platform
// ---------------------------------------------------------------------------------------------

/// A part of the file loaded at `addr`: its bytes are `file_off..file_off + file_size`.
#[derive(Debug, Clone, Copy)]
struct Region {
    addr: u64,
    file_off: u64,
    file_size: u64,
}

/// What the build-info search needs from one executable.
struct Exe {
    format: ExeFormat,
    /// Where to search for the header: a dedicated section, else the first writable data.
    search: Option<Region>,
    /// Every loaded region, to resolve the pointers of the older format.
    regions: Vec<Region>,
    goos: Option<&'static str>,
    goarch: Option<&'static str>,
}

/// The ELF header fields the reader uses.
struct ElfHeader {
    /// 64-bit (ELFCLASS64) rather than 32-bit.
    wide: bool,
    /// Big-endian (ELFDATA2MSB).
    big: bool,
    machine: u16,
    osabi: u8,
    phoff: u64,
    phentsize: u16,
    phnum: u16,
    shoff: u64,
    shentsize: u16,
    shnum: u16,
    shstrndx: u16,
}

fn elf_header(data: &[u8]) -> Result<ElfHeader, Error> {
    let class = *data
        .get(4)
        .ok_or(Error::Malformed("ELF header truncated"))?;
    let encoding = *data
        .get(5)
        .ok_or(Error::Malformed("ELF header truncated"))?;
    let wide = match class {
        1 => false,
        2 => true,
        _ => return Err(Error::Malformed("unknown ELF class")),
    };
    let big = match encoding {
        1 => false,
        2 => true,
        _ => return Err(Error::Malformed("unknown ELF data encoding")),
    };
    let r = Reader { data, big };
    // Field offsets of the ELF header (32-bit / 64-bit).
    let (phoff, phentsize, phnum, shoff, shentsize, shnum, shstrndx) = if wide {
        (
            r.u64(0x20)?,
            r.u16(0x36)?,
            r.u16(0x38)?,
            r.u64(0x28)?,
            r.u16(0x3A)?,
            r.u16(0x3C)?,
            r.u16(0x3E)?,
        )
    } else {
        (
            u64::from(r.u32(0x1C)?),
            r.u16(0x2A)?,
            r.u16(0x2C)?,
            u64::from(r.u32(0x20)?),
            r.u16(0x2E)?,
            r.u16(0x30)?,
            r.u16(0x32)?,
        )
    };
    Ok(ElfHeader {
        wide,
        big,
        machine: r.u16(18)?,
        osabi: data.get(7).copied().unwrap_or(0),
        phoff,
        phentsize,
        phnum,
        shoff,
        shentsize,
        shnum,
        shstrndx,
    })
}

/// ELF section type of a section that takes no room in the file (`.bss`).
const SHT_NOBITS: u32 = 8;

/// One section header at `at` of `r`: (name's offset in the section names, type, address, file
/// offset, size).
fn elf_section(r: Reader, at: usize, wide: bool) -> Result<(u32, u32, u64, u64, u64), Error> {
    Ok(if wide {
        (
            r.u32(at)?,
            r.u32(at + 4)?,
            r.u64(at + 0x10)?,
            r.u64(at + 0x18)?,
            r.u64(at + 0x20)?,
        )
    } else {
        (
            r.u32(at)?,
            r.u32(at + 4)?,
            u64::from(r.u32(at + 0xC)?),
            u64::from(r.u32(at + 0x10)?),
            u64::from(r.u32(at + 0x14)?),
        )
    })
}

/// Most bytes of section names, and of a `.go.buildinfo` section, [`elf_buildinfo_parts`]
/// fetches (real ones are a few hundred bytes and 32 KiB at most).
const MAX_PART: usize = 1 << 20;

/// The parts of an ELF file that [`read`] looks at when the build information is in a
/// `.go.buildinfo` section — the header, the section table, the section names and that section
/// — as `(offset, bytes)`, each fetched with `fetch(offset, len)`. Put at their offsets in an
/// otherwise zeroed buffer the size of the file, they are all [`read`] needs: a caller can skip
/// the rest of a 40 MB binary. `None` when a fetch fails, the file is no ELF, or it has no such
/// section.
pub fn elf_buildinfo_parts(
    mut fetch: impl FnMut(u64, usize) -> Option<Vec<u8>>,
) -> Option<Vec<(u64, Vec<u8>)>> {
    // The 64-bit header's size; a 32-bit one (52 bytes) is followed by more of the file.
    let header = fetch(0, 64)?;
    if !header.starts_with(b"\x7fELF") {
        return None;
    }
    let h = elf_header(&header).ok()?;
    let entry = usize::from(h.shentsize);
    let table = fetch(h.shoff, entry.checked_mul(usize::from(h.shnum))?)?;
    let r = Reader {
        data: &table,
        big: h.big,
    };
    let section = |i: usize| elf_section(r, i.checked_mul(entry)?, h.wide).ok();
    let (_, _, _, names_off, names_size) = section(usize::from(h.shstrndx))?;
    let names = fetch(names_off, usize::try_from(names_size).ok()?.min(MAX_PART))?;
    let (blob_off, blob_size) =
        (0..usize::from(h.shnum))
            .filter_map(section)
            .find_map(|(name, typ, _, off, size)| {
                let named = c_string(&names, usize::try_from(name).ok()?)? == b".go.buildinfo";
                (named && typ != SHT_NOBITS).then_some((off, size))
            })?;
    let blob = fetch(blob_off, usize::try_from(blob_size).ok()?.min(MAX_PART))?;
    Some(vec![
        (0, header),
        (h.shoff, table),
        (names_off, names),
        (blob_off, blob),
    ])
}

fn elf(data: &[u8]) -> Result<Exe, Error> {
    let h = elf_header(data)?;
    let (wide, big, machine, osabi) = (h.wide, h.big, h.machine, h.osabi);
    let (phoff, phentsize, phnum) = (h.phoff, h.phentsize, h.phnum);
    let (shoff, shentsize, shnum, shstrndx) = (h.shoff, h.shentsize, h.shnum, h.shstrndx);
    let r = Reader { data, big };
    // Program headers: PT_LOAD segments are the loaded regions; the first writable,
    // non-executable one is where the data starts.
    const PT_LOAD: u32 = 1;
    const PF_X: u32 = 1;
    const PF_W: u32 = 2;
    let mut regions = Vec::new();
    let mut data_segment = None;
    let phoff = to_usize(phoff)?;
    for i in 0..count(u64::from(phnum))? {
        let at = add(phoff, mul(i, usize::from(phentsize))?)?;
        let (typ, flags, off, vaddr, filesz) = if wide {
            (
                r.u32(at)?,
                r.u32(at + 4)?,
                r.u64(at + 8)?,
                r.u64(at + 0x10)?,
                r.u64(at + 0x20)?,
            )
        } else {
            (
                r.u32(at)?,
                r.u32(at + 0x18)?,
                u64::from(r.u32(at + 4)?),
                u64::from(r.u32(at + 8)?),
                u64::from(r.u32(at + 0x10)?),
            )
        };
        if typ != PT_LOAD {
            continue;
        }
        let region = Region {
            addr: vaddr,
            file_off: off,
            file_size: filesz,
        };
        regions.push(region);
        if data_segment.is_none() && flags & (PF_X | PF_W) == PF_W {
            data_segment = Some(region);
        }
    }

    // Section headers: `.go.buildinfo` holds exactly the blob when present.
    let mut sections = Vec::new();
    let shoff = to_usize(shoff)?;
    for i in 0..count(u64::from(shnum))? {
        let at = add(shoff, mul(i, usize::from(shentsize))?)?;
        sections.push(elf_section(r, at, wide)?);
    }
    let mut search = None;
    if let Some(&(_, _, _, strtab_off, strtab_size)) = sections.get(usize::from(shstrndx)) {
        let strtab = to_usize(strtab_off)
            .and_then(|o| Ok((o, add(o, to_usize(strtab_size)?)?)))
            .ok()
            .and_then(|(o, e)| data.get(o..e));
        for &(name, typ, addr, off, size) in &sections {
            let Some(name) = strtab.and_then(|t| c_string(t, name as usize)) else {
                continue;
            };
            if name == b".go.buildinfo" && typ != SHT_NOBITS {
                search = Some(Region {
                    addr,
                    file_off: off,
                    file_size: size,
                });
            }
        }
    }
    if regions.is_empty() {
        // No program headers (an object file, or a stripped header table): sections are all
        // there is to resolve addresses with.
        regions.extend(
            sections
                .iter()
                .filter(|s| s.1 != SHT_NOBITS && s.2 != 0)
                .map(|&(_, _, addr, off, size)| Region {
                    addr,
                    file_off: off,
                    file_size: size,
                }),
        );
    }

    let goarch = match (machine, wide, big) {
        (3, _, _) => Some("386"),
        (62, _, _) => Some("amd64"),
        (40, _, _) => Some("arm"),
        (183, _, _) => Some("arm64"),
        (8, false, true) => Some("mips"),
        (8, false, false) => Some("mipsle"),
        (8, true, true) => Some("mips64"),
        (8, true, false) => Some("mips64le"),
        (21, _, true) => Some("ppc64"),
        (21, _, false) => Some("ppc64le"),
        (243, _, _) => Some("riscv64"),
        (22, _, _) => Some("s390x"),
        (258, _, _) => Some("loong64"),
        _ => None,
    };
    // ELF_OSABI: only FreeBSD's is set by Go's linker; Linux binaries say "none" (0), like
    // those of other systems, so the header alone cannot name the OS.
    let goos = match osabi {
        9 => Some("freebsd"),
        _ => None,
    };
    Ok(Exe {
        format: ExeFormat::Elf,
        search: search.or(data_segment),
        regions,
        goos,
        goarch,
    })
}

fn c_string(table: &[u8], at: usize) -> Option<&[u8]> {
    let rest = table.get(at..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    rest.get(..end)
}

const MH_MAGIC: u32 = 0xfeed_face;
const MH_MAGIC_64: u32 = 0xfeed_facf;

fn is_macho(data: &[u8]) -> bool {
    let Some(b) = data.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok()) else {
        return false;
    };
    [u32::from_le_bytes(b), u32::from_be_bytes(b)]
        .iter()
        .any(|&m| m == MH_MAGIC || m == MH_MAGIC_64)
}

/// The slices of a universal (fat) Mach-O file, `None` when `data` is not one. The fat header is
/// always big-endian; its magic is shared with Java class files, which are told apart by their
/// version number standing where the slice count would be (≥ 43), far more slices than any
/// universal binary has.
fn fat(data: &[u8]) -> Result<Option<Vec<(usize, usize)>>, Error> {
    let r = Reader { data, big: true };
    let Ok(magic) = r.u32(0) else {
        return Ok(None);
    };
    let wide = match magic {
        0xcafe_babe => false,
        0xcafe_babf => true,
        _ => return Ok(None),
    };
    let n = r.u32(4)? as usize;
    if n == 0 || n >= 43 {
        return Ok(None);
    }
    let entry = if wide { 32 } else { 20 };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let at = 8 + i * entry;
        let (off, size) = if wide {
            (r.u64(at + 8)?, r.u64(at + 16)?)
        } else {
            (u64::from(r.u32(at + 8)?), u64::from(r.u32(at + 12)?))
        };
        out.push((to_usize(off)?, to_usize(size)?));
    }
    Ok(Some(out))
}

fn macho(data: &[u8]) -> Result<Exe, Error> {
    let head = Reader { data, big: false }.u32(0)?;
    let (big, wide) = match head {
        MH_MAGIC => (false, false),
        MH_MAGIC_64 => (false, true),
        _ => match u32::from_be_bytes(head.to_le_bytes()) {
            MH_MAGIC => (true, false),
            MH_MAGIC_64 => (true, true),
            _ => return Err(Error::UnknownFormat),
        },
    };
    let r = Reader { data, big };
    let cputype = r.u32(4)?;
    let ncmds = count(u64::from(r.u32(16)?))?;
    const LC_SEGMENT: u32 = 0x1;
    const LC_SEGMENT_64: u32 = 0x19;
    const RW: u32 = 3;
    let mut at = if wide { 32 } else { 28 };
    let mut regions = Vec::new();
    let mut section = None;
    let mut writable = None;
    for _ in 0..ncmds {
        let cmd = r.u32(at)?;
        let size = r.u32(at + 4)? as usize;
        if size < 8 {
            return Err(Error::Malformed("Mach-O load command too small"));
        }
        if cmd == LC_SEGMENT || cmd == LC_SEGMENT_64 {
            let w = cmd == LC_SEGMENT_64;
            // segment_command(_64): vmaddr, vmsize, fileoff, filesize, maxprot, initprot, nsects.
            let word = if w { 8 } else { 4 };
            let vmaddr = r.word(at + 24, w)?;
            let fileoff = r.word(at + 24 + 2 * word, w)?;
            let filesize = r.word(at + 24 + 3 * word, w)?;
            let maxprot = r.u32(at + 24 + 4 * word)?;
            let initprot = r.u32(at + 28 + 4 * word)?;
            let nsects = count(u64::from(r.u32(at + 32 + 4 * word)?))?;
            let region = Region {
                addr: vmaddr,
                file_off: fileoff,
                file_size: filesize,
            };
            regions.push(region);
            if writable.is_none() && vmaddr != 0 && filesize != 0 && initprot == RW && maxprot == RW
            {
                writable = Some(region);
            }
            // section(_64): sectname[16], segname[16], addr, size, offset (u32).
            let first = at + if w { 72 } else { 56 };
            let sect_size = if w { 80 } else { 68 };
            for s in 0..nsects {
                let sat = add(first, mul(s, sect_size)?)?;
                let name = r.bytes::<16>(sat)?;
                let name = name.split(|&b| b == 0).next().unwrap_or(&[]);
                if name == b"__go_buildinfo" && section.is_none() {
                    let addr = r.word(sat + 32, w)?;
                    let size = r.word(sat + 32 + word, w)?;
                    let offset = r.u32(sat + 32 + 2 * word)?;
                    section = Some(Region {
                        addr,
                        file_off: u64::from(offset),
                        file_size: size,
                    });
                }
            }
        }
        at = add(at, size)?;
    }
    // cputype: CPU_ARCH_ABI64 (0x0100_0000) marks the 64-bit variant of a family.
    let goarch = match cputype {
        7 => Some("386"),
        0x0100_0007 => Some("amd64"),
        12 => Some("arm"),
        0x0100_000c => Some("arm64"),
        0x0100_0012 => Some("ppc64"),
        _ => None,
    };
    Ok(Exe {
        format: ExeFormat::MachO,
        search: section.or(writable),
        regions,
        goos: Some("darwin"),
        goarch,
    })
}

fn pe(data: &[u8]) -> Result<Exe, Error> {
    let r = Reader { data, big: false };
    let pe_at = r.u32(0x3C)? as usize;
    if r.bytes::<4>(pe_at)? != *b"PE\0\0" {
        return Err(Error::Malformed("no PE signature"));
    }
    let coff = add(pe_at, 4)?;
    let machine = r.u16(coff)?;
    let nsections = count(u64::from(r.u16(coff + 2)?))?;
    let opt_size = usize::from(r.u16(coff + 16)?);
    let opt = add(coff, 20)?;
    let image_base = match r.u16(opt)? {
        0x10b => u64::from(r.u32(opt + 28)?),
        0x20b => r.u64(opt + 24)?,
        _ => return Err(Error::Malformed("unknown PE optional header")),
    };
    // Initialized data, readable, writable; any alignment bits (0x00F0_0000) aside.
    const DATA_RW: u32 = 0x40 | 0x4000_0000 | 0x8000_0000;
    const ALIGN_MASK: u32 = 0x00F0_0000;
    let table = add(opt, opt_size)?;
    let mut regions = Vec::new();
    let mut search = None;
    for i in 0..nsections {
        let at = add(table, mul(i, 40)?)?;
        let vsize = r.u32(at + 8)?;
        let va = r.u32(at + 12)?;
        let raw_size = r.u32(at + 16)?;
        let raw_ptr = r.u32(at + 20)?;
        let flags = r.u32(at + 36)?;
        let region = Region {
            addr: image_base.saturating_add(u64::from(va)),
            file_off: u64::from(raw_ptr),
            // The file holds SizeOfRawData bytes (rounded up to the file alignment); the
            // section itself is VirtualSize long.
            file_size: u64::from(if vsize == 0 {
                raw_size
            } else {
                raw_size.min(vsize)
            }),
        };
        regions.push(region);
        if search.is_none() && va != 0 && vsize != 0 && flags & !ALIGN_MASK == DATA_RW {
            search = Some(region);
        }
    }
    let goarch = match machine {
        0x14c => Some("386"),
        0x8664 => Some("amd64"),
        0x1c0 | 0x1c4 => Some("arm"),
        0xaa64 => Some("arm64"),
        _ => None,
    };
    Ok(Exe {
        format: ExeFormat::Pe,
        search,
        regions,
        goos: Some("windows"),
        goarch,
    })
}

// ---------------------------------------------------------------------------------------------
// The build-info blob
// ---------------------------------------------------------------------------------------------

/// The file bytes of `region`, clipped to the file.
fn region_bytes(data: &[u8], region: Region) -> &[u8] {
    let Ok(start) = usize::try_from(region.file_off) else {
        return &[];
    };
    let len = usize::try_from(region.file_size).unwrap_or(usize::MAX);
    let end = start.saturating_add(len).min(data.len());
    data.get(start..end).unwrap_or(&[])
}

/// `len` bytes at virtual address `addr`, if one region holds them all in the file.
fn at_address<'a>(data: &'a [u8], regions: &[Region], addr: u64, len: u64) -> Option<&'a [u8]> {
    regions.iter().find_map(|r| {
        let rel = addr.checked_sub(r.addr)?;
        let end = rel.checked_add(len)?;
        if end > r.file_size {
            return None;
        }
        let start = usize::try_from(r.file_off.checked_add(rel)?).ok()?;
        let stop = start.checked_add(usize::try_from(len).ok()?)?;
        data.get(start..stop)
    })
}

fn from_exe(data: &[u8], exe: Exe) -> Result<BuildInfo, Error> {
    let region = exe.search.ok_or(Error::NotGo)?;
    let blob = find_header(region_bytes(data, region)).ok_or(Error::NotGo)?;
    let (version, modinfo) = blob_strings(data, &exe, blob)?;
    if version.is_empty() {
        return Err(Error::NotGo);
    }
    let mut info = BuildInfo {
        go_version: version,
        format: exe.format,
        ..BuildInfo::default()
    };
    parse_modinfo(&strip_sentinels(&modinfo), &mut info);
    if info.goos.is_none() {
        info.goos = exe.goos.map(str::to_string);
    }
    if info.goarch.is_none() {
        info.goarch = exe.goarch.map(str::to_string);
    }
    Ok(info)
}

/// The blob starting at the first 16-byte-aligned magic with a whole header after it.
fn find_header(mut data: &[u8]) -> Option<&[u8]> {
    let mut base = 0usize;
    loop {
        let i = data.windows(MAGIC.len()).position(|w| w == MAGIC)?;
        let abs = base.checked_add(i)?;
        if abs % ALIGN == 0 && data.len() - i >= HEADER_SIZE {
            return data.get(i..);
        }
        // Skip to the next aligned offset after this (misaligned or cut) match.
        let next = (abs / ALIGN + 1) * ALIGN;
        let skip = next - base;
        data = data.get(skip..)?;
        base = next;
    }
}

/// The version and the raw module information (its sentinels are not UTF-8: they are stripped
/// as bytes, before any conversion).
fn blob_strings(data: &[u8], exe: &Exe, blob: &[u8]) -> Result<(String, Vec<u8>), Error> {
    let ptr_size = usize::from(*blob.get(14).ok_or(Error::NotGo)?);
    let flags = *blob.get(15).ok_or(Error::NotGo)?;
    if flags & 0x2 != 0 {
        let rest = blob.get(HEADER_SIZE..).ok_or(Error::NotGo)?;
        let (version, rest) = varint_string(rest)?;
        let (modinfo, _) = varint_string(rest)?;
        return Ok((lossy(version), modinfo.to_vec()));
    }
    let wide = match ptr_size {
        4 => false,
        8 => true,
        n => {
            return Err(Error::UnsupportedFormat(format!(
                "pointer size {n} in the build info header"
            )))
        }
    };
    let r = Reader {
        data: blob,
        big: flags & 0x1 != 0,
    };
    let read_string = |header_addr: u64| -> Result<&[u8], Error> {
        // A Go string header: data pointer, then length, each a pointer-sized word.
        let header = at_address(data, &exe.regions, header_addr, 2 * ptr_size as u64).ok_or(
            Error::Malformed("build info string header outside the file"),
        )?;
        let h = Reader {
            data: header,
            big: r.big,
        };
        let ptr = h.word(0, wide)?;
        let len = h.word(ptr_size, wide)?;
        if len > data.len() as u64 {
            return Err(Error::Malformed("build info string longer than the file"));
        }
        at_address(data, &exe.regions, ptr, len)
            .ok_or(Error::Malformed("build info string outside the file"))
    };
    let version = read_string(r.word(16, wide)?)?;
    let modinfo = read_string(r.word(16 + ptr_size, wide)?)?;
    Ok((lossy(version), modinfo.to_vec()))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An unsigned LEB128 length (at most 10 bytes) and that many bytes after it.
fn varint_string(data: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let mut len: u64 = 0;
    let mut shift = 0u32;
    let mut used = 0usize;
    loop {
        let b = *data
            .get(used)
            .ok_or(Error::Malformed("build info truncated"))?;
        used += 1;
        if shift == 63 && b > 1 {
            return Err(Error::Malformed("build info length overflows"));
        }
        len |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return Err(Error::Malformed("build info length overflows"));
        }
    }
    let len = usize::try_from(len).map_err(|_| Error::Malformed("build info length too large"))?;
    let end = used
        .checked_add(len)
        .ok_or(Error::Malformed("build info length too large"))?;
    let s = data
        .get(used..end)
        .ok_or(Error::Malformed("build info string runs past the data"))?;
    Ok((s, data.get(end..).unwrap_or(&[])))
}

/// The module text between its two 16-byte sentinels; empty when the framing is not there
/// (a binary built outside module mode).
fn strip_sentinels(b: &[u8]) -> String {
    if b.len() >= 33 && b[b.len() - 17] == b'\n' {
        String::from_utf8_lossy(&b[16..b.len() - 16]).into_owned()
    } else {
        String::new()
    }
}

fn parse_modinfo(text: &str, info: &mut BuildInfo) {
    for line in text.lines() {
        let mut fields = line.split('\t');
        match fields.next() {
            Some("path") => info.path = fields.next().map(str::to_string),
            Some("mod") => {
                info.module_path = fields.next().map(str::to_string);
                info.module_version = fields.next().map(str::to_string);
            }
            Some("build") => {
                let Some((key, value)) = fields.next().and_then(|s| s.split_once('=')) else {
                    continue;
                };
                match key {
                    "GOOS" => info.goos = Some(value.to_string()),
                    "GOARCH" => info.goarch = Some(value.to_string()),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn inline_blob(version: &str, modinfo: &str) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.push(8);
        b.push(2);
        b.resize(HEADER_SIZE, 0);
        for s in [version, modinfo] {
            let mut n = s.len();
            loop {
                let byte = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    b.push(byte);
                    break;
                }
                b.push(byte | 0x80);
            }
            b.extend_from_slice(s.as_bytes());
        }
        b
    }

    /// `text` between two 16-byte sentinels that are not UTF-8, like the linker's.
    fn framed(text: &str) -> Vec<u8> {
        let mut b = vec![0xaf; 16];
        b.extend_from_slice(text.as_bytes());
        b.extend_from_slice(&[0xf9; 16]);
        b
    }

    #[test]
    fn modinfo_lines_and_sentinels() {
        let text = "path\texample.com/x/cmd\nmod\texample.com/x\tv1.2.3\th1:abc=\nbuild\tGOOS=linux\nbuild\tGOARCH=arm64\n";
        let mut info = BuildInfo::default();
        parse_modinfo(&strip_sentinels(&framed(text)), &mut info);
        assert_eq!(info.path.as_deref(), Some("example.com/x/cmd"));
        assert_eq!(info.module_path.as_deref(), Some("example.com/x"));
        assert_eq!(info.module_version.as_deref(), Some("v1.2.3"));
        assert_eq!(info.goos.as_deref(), Some("linux"));
        assert_eq!(info.goarch.as_deref(), Some("arm64"));
        // Without framing nothing is taken.
        assert_eq!(strip_sentinels(text.as_bytes()), "");
    }

    #[test]
    fn header_search_needs_alignment() {
        let blob = inline_blob("go1.22.10", "");
        let mut data = vec![0u8; 3];
        data.extend_from_slice(&blob); // misaligned copy
        data.resize(64, 0);
        data.extend_from_slice(&blob); // aligned copy at 64
        let found = find_header(&data).map(|b| b.as_ptr() as usize - data.as_ptr() as usize);
        assert_eq!(found, Some(64));
        assert!(find_header(&blob[..20]).is_none());
    }

    #[test]
    fn huge_and_overflowing_lengths_are_errors() {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&[8, 2]);
        b.resize(HEADER_SIZE, 0);
        b.extend_from_slice(&[0xff; 11]);
        let exe = Exe {
            format: ExeFormat::Elf,
            search: None,
            regions: vec![],
            goos: None,
            goarch: None,
        };
        assert!(blob_strings(&b, &exe, &b).is_err());
        let mut b2 = b[..HEADER_SIZE].to_vec();
        b2.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f, b'g']);
        assert!(blob_strings(&b2, &exe, &b2).is_err());
    }

    /// The pointer format (Go < 1.18), 32-bit big-endian and 64-bit little-endian, resolved
    /// through a region that maps address 0x1000 to file offset 0.
    #[test]
    fn pointer_format() {
        for (wide, big) in [(true, false), (false, true)] {
            let ps: usize = if wide { 8 } else { 4 };
            let put = |v: u64, out: &mut Vec<u8>| {
                let bytes = if wide {
                    if big {
                        v.to_be_bytes().to_vec()
                    } else {
                        v.to_le_bytes().to_vec()
                    }
                } else if big {
                    (v as u32).to_be_bytes().to_vec()
                } else {
                    (v as u32).to_le_bytes().to_vec()
                };
                out.extend(bytes);
            };
            let version = b"go1.16.15";
            let modinfo = framed("mod\texample.com/old\tv0.1.0\t\n");
            let mut d = MAGIC.to_vec();
            d.push(ps as u8);
            d.push(u8::from(big));
            // Header words: addresses of the two string headers (at 0x1000 + 64, + 64 + 2ps).
            put(0x1000 + 64, &mut d);
            put(0x1000 + 64 + 2 * ps as u64, &mut d);
            d.resize(64, 0);
            let strings_at = 64 + 4 * ps;
            put(0x1000 + strings_at as u64, &mut d);
            put(version.len() as u64, &mut d);
            put(0x1000 + (strings_at + version.len()) as u64, &mut d);
            put(modinfo.len() as u64, &mut d);
            d.extend_from_slice(version);
            d.extend_from_slice(&modinfo);
            let exe = Exe {
                format: ExeFormat::Elf,
                search: Some(Region {
                    addr: 0x1000,
                    file_off: 0,
                    file_size: d.len() as u64,
                }),
                regions: vec![Region {
                    addr: 0x1000,
                    file_off: 0,
                    file_size: d.len() as u64,
                }],
                goos: None,
                goarch: Some("386"),
            };
            let info = from_exe(&d, exe).expect("pointer format");
            assert_eq!(info.go_version, "go1.16.15");
            assert_eq!(info.module_path.as_deref(), Some("example.com/old"));
            assert_eq!(info.goarch.as_deref(), Some("386"));
        }
    }

    #[test]
    fn odd_pointer_size_is_unsupported() {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&[2, 0]);
        b.resize(HEADER_SIZE, 0);
        let exe = Exe {
            format: ExeFormat::Elf,
            search: None,
            regions: vec![],
            goos: None,
            goarch: None,
        };
        let err = blob_strings(&b, &exe, &b).unwrap_err();
        assert!(
            err.to_string().contains("unsupported build info format"),
            "{err}"
        );
    }

    #[test]
    fn garbage_is_an_error() {
        for data in [
            &b""[..],
            b"\x7fELF",
            b"MZ",
            b"\xca\xfe\xba\xbe\x00\x00\x00\x01",
            b"\xcf\xfa\xed\xfe",
            b"#!/bin/sh\n",
        ] {
            assert!(read(data).is_err(), "{data:?}");
        }
    }
}
