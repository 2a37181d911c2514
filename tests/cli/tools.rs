//! The editor's Go tools, read and never run: `goport::buildinfo` against binaries the real
//! provisioned Go toolchains build here (ELF 64 and 32, Mach-O thin and universal, PE), with
//! the real `go version -m` as the oracle; truncated and corrupted binaries and random bytes
//! give an `Err` and never a panic.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use go_env_doctor::goport::buildinfo::{self, BuildInfo, ExeFormat};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const GO121: &str = "1.21.13";
pub const GO122: &str = "1.22.10";
pub const GO125: &str = "1.25.5";

/// A build cache shared by every run of these tests: cross-compiling the standard library for
/// four targets and three Go versions from scratch takes minutes; the cache is safe to share
/// between concurrent `go` processes.
fn gocache() -> PathBuf {
    std::env::temp_dir().join("go-env-doctor-test-gocache")
}

/// A tiny `main` package in module `module` with a `go 1.21` line, in `dir`.
pub fn write_program(dir: &Path, module: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("go.mod"), format!("module {module}\n\ngo 1.21\n")).unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
    )
    .unwrap();
}

/// `go build` the program in `src` with the real Go `version` for `goos`/`goarch` (empty: the
/// host's), into `out`.
pub fn build(version: &str, src: &Path, goos: &str, goarch: &str, out: &Path) {
    let home = src.join(".home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(support::go_binary(version));
    cmd.env_clear()
        .current_dir(src)
        .env("HOME", &home)
        .env("PATH", "/usr/bin:/bin")
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("CGO_ENABLED", "0")
        .env("GOCACHE", gocache())
        .env("GOPATH", home.join("go"))
        .env("GOPROXY", "off")
        .args(["build", "-o"])
        .arg(out)
        .arg(".");
    if !goos.is_empty() {
        cmd.env("GOOS", goos);
    }
    if !goarch.is_empty() {
        cmd.env("GOARCH", goarch);
    }
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "go{version} build {goos}/{goarch}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// What the real `go version -m` prints about `bin`, in the reader's terms.
fn oracle(version: &str, bin: &Path) -> BuildInfo {
    let o = Command::new(support::go_binary(version))
        .env_clear()
        .env("HOME", "/tmp")
        .env("GOTOOLCHAIN", "local")
        .args(["version", "-m"])
        .arg(bin)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "go version -m: {text}");
    let mut info = BuildInfo::default();
    let mut lines = text.lines();
    let first = lines.next().unwrap();
    info.go_version = first.rsplit(": ").next().unwrap().to_string();
    for line in lines {
        let f: Vec<&str> = line.trim_start_matches('\t').split('\t').collect();
        match f.as_slice() {
            ["path", p, ..] => info.path = Some(p.to_string()),
            ["mod", p, v, ..] => {
                info.module_path = Some(p.to_string());
                info.module_version = Some(v.to_string());
            }
            ["build", kv, ..] => match kv.split_once('=') {
                Some(("GOOS", v)) => info.goos = Some(v.to_string()),
                Some(("GOARCH", v)) => info.goarch = Some(v.to_string()),
                _ => {}
            },
            _ => {}
        }
    }
    info
}

fn targets() -> [(&'static str, &'static str, ExeFormat); 4] {
    [
        ("", "", ExeFormat::Elf),
        ("darwin", "arm64", ExeFormat::MachO),
        ("windows", "amd64", ExeFormat::Pe),
        ("linux", "386", ExeFormat::Elf),
    ]
}

/// An ELF's build information from the parts `elf_buildinfo_parts` fetches, set in a zeroed
/// buffer of the file's size: the whole answer, from a small part of the file (64-bit and
/// 32-bit ELFs alike).
fn sparse_parts_are_enough(bytes: &[u8], whole: &BuildInfo, what: &str) {
    let mut fetched = 0usize;
    let parts = buildinfo::elf_buildinfo_parts(|off, n| {
        let start = usize::try_from(off).ok()?;
        fetched += n;
        bytes.get(start..start.checked_add(n)?).map(<[u8]>::to_vec)
    })
    .unwrap_or_else(|| panic!("{what}: no .go.buildinfo section found"));
    assert!(
        fetched * 20 < bytes.len(),
        "{what}: fetched {fetched} of {} bytes",
        bytes.len()
    );
    let mut sparse = vec![0u8; bytes.len()];
    for (off, part) in parts {
        let start = usize::try_from(off).unwrap();
        sparse[start..start + part.len()].copy_from_slice(&part);
    }
    assert_eq!(&buildinfo::read(&sparse).unwrap(), whole, "{what}");
}

fn agrees_with_go_version_m(version: &str) {
    let dir = tempfile::Builder::new()
        .prefix("gedtools-")
        .tempdir_in("/tmp")
        .unwrap();
    let src = dir.path().join("src");
    write_program(&src, "example.com/hello");
    let mut darwin = None;
    for (goos, goarch, format) in targets() {
        let out = dir.path().join(format!("hello-{goos}-{goarch}"));
        build(version, &src, goos, goarch, &out);
        let bytes = std::fs::read(&out).unwrap();
        let got =
            buildinfo::read(&bytes).unwrap_or_else(|e| panic!("go{version} {goos}/{goarch}: {e}"));
        let want = BuildInfo {
            format,
            ..oracle(version, &out)
        };
        assert_eq!(got, want, "go{version} {goos}/{goarch}");
        assert_eq!(got.go_version, format!("go{version}"));
        // What the checks read from disk (an ELF sparsely: header, sections, .go.buildinfo)
        // is what reading the whole file gives.
        let from_disk = go_env_doctor::facts::tools::read(&out)
            .unwrap_or_else(|e| panic!("go{version} {goos}/{goarch} from disk: {e}"));
        assert_eq!(
            (
                from_disk.go_version.as_str(),
                from_disk.module.as_deref(),
                from_disk.package.as_deref(),
                from_disk.goos.as_deref(),
                from_disk.goarch.as_deref()
            ),
            (
                got.go_version.as_str(),
                got.module_path.as_deref(),
                got.path.as_deref(),
                got.goos.as_deref(),
                got.goarch.as_deref()
            ),
            "go{version} {goos}/{goarch}: the sparse read differs"
        );
        assert_eq!(got.module_path.as_deref(), Some("example.com/hello"));
        if format == ExeFormat::Elf {
            sparse_parts_are_enough(&bytes, &got, &format!("go{version} {goos}/{goarch}"));
        }
        if goos.is_empty() {
            truncations_are_errors(&bytes);
        }
        if goos == "darwin" {
            darwin = Some(bytes);
        }
    }
    // A universal Mach-O: a slice that is not Mach-O, then the darwin/arm64 binary.
    let thin = darwin.unwrap();
    let fat = universal(&[b"not a mach-o slice".to_vec(), thin.clone()]);
    let from_fat = buildinfo::read(&fat).unwrap();
    assert_eq!(from_fat, buildinfo::read(&thin).unwrap());
    assert_eq!(from_fat.goarch.as_deref(), Some("arm64"));
}

/// A universal (fat) Mach-O file holding `slices` at 4096-byte boundaries.
fn universal(slices: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xcafe_babe_u32.to_be_bytes());
    out.extend_from_slice(&(slices.len() as u32).to_be_bytes());
    let mut offset = 4096u32;
    let mut body = Vec::new();
    for s in slices {
        // cputype ARM64, subtype, offset, size, align (2^12).
        for v in [0x0100_000c_u32, 0, offset, s.len() as u32, 12] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        body.push((offset, s));
        offset += (s.len() as u32).div_ceil(4096) * 4096;
    }
    for (at, s) in body {
        out.resize(at as usize, 0);
        out.extend_from_slice(s);
    }
    out
}

/// Every prefix in a sample (each 97 bytes up to 4096, around the build-info blob, near the
/// end) is an `Err` or the same answer — never a panic; and flipping bytes never panics.
fn truncations_are_errors(bytes: &[u8]) {
    let full = buildinfo::read(bytes).unwrap();
    let blob = bytes
        .windows(14)
        .position(|w| w == b"\xff Go buildinf:")
        .unwrap();
    let mut sizes: Vec<usize> = (0..4096).step_by(97).collect();
    sizes.extend(blob.saturating_sub(64)..(blob + 400).min(bytes.len()));
    sizes.extend(bytes.len().saturating_sub(300)..bytes.len());
    for n in sizes {
        match buildinfo::read(&bytes[..n]) {
            Ok(info) => assert_eq!(info, full, "prefix of {n} bytes"),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    // Prefixes that end before the blob cannot hold it.
    for n in (0..blob).step_by(blob / 50 + 1) {
        assert!(buildinfo::read(&bytes[..n]).is_err(), "prefix of {n} bytes");
    }
    // Corrupted copies: a few bytes overwritten in the headers and in the blob.
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..300 {
        let mut copy = bytes.to_vec();
        for _ in 0..4 {
            let at = if rng.next() % 2 == 0 {
                (rng.next() % 4096) as usize
            } else {
                blob + (rng.next() % 64) as usize
            };
            if let Some(b) = copy.get_mut(at) {
                *b = rng.next() as u8;
            }
        }
        let _ = buildinfo::read(&copy);
    }
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn buildinfo_matches_go_version_m_go121() {
    agrees_with_go_version_m(GO121);
}

#[test]
fn buildinfo_matches_go_version_m_go122() {
    agrees_with_go_version_m(GO122);
}

#[test]
fn buildinfo_matches_go_version_m_go125() {
    agrees_with_go_version_m(GO125);
}

/// Random bytes, alone and behind each format's magic, are an `Err`.
#[test]
fn random_bytes_are_errors() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    let magics: [&[u8]; 6] = [
        b"",
        b"\x7fELF\x02\x01\x01",
        b"\x7fELF\x01\x02\x01",
        b"MZ",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe\x00\x00\x00\x02",
    ];
    for round in 0..3000 {
        let len = (rng.next() % 8192) as usize;
        let mut data = magics[round % magics.len()].to_vec();
        data.extend((0..len).map(|_| rng.next() as u8));
        assert!(buildinfo::read(&data).is_err(), "round {round}");
    }
}
