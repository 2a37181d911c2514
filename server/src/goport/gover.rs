//! Go versions as cmd/go's `internal/gover` orders and prints them: a port, because version
//! ordering decides whether a toolchain satisfies a `go` line and must match Go exactly
//! (`1.21 < 1.21rc1 < 1.21.0`, `1.9 < 1.10`), which no general semver crate does.

use std::cmp::Ordering;
use std::fmt;

/// A Go version, ordered like cmd/go's `gover.Compare`:
/// `1.20 == 1.20.0`, `1.20rc1 < 1.20`, but from 1.21 on `1.21 < 1.21rc1 < 1.21.0` (`1.21` is the
/// language version, `1.21.0` the first release). `pre` is the prerelease suffix (`rc1`,
/// `beta2`); the kinds order `alpha < beta < rc`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GoVersion {
    pub major: u32,
    pub minor: u32,
    /// `None` for a language version (`1.21`, `1.22rc1`); before 1.21 a missing patch means 0
    /// and is stored as `Some(0)`.
    pub patch: Option<u32>,
    pub pre: Option<String>,
}

impl GoVersion {
    /// The kind and number of the prerelease (`("rc", Some(1))`).
    fn pre_parts(&self) -> (Option<&str>, Option<u64>) {
        match &self.pre {
            None => (None, None),
            Some(p) => {
                let letters = p.bytes().take_while(u8::is_ascii_lowercase).count();
                let (kind, num) = p.split_at(letters);
                (Some(kind), num.parse().ok())
            }
        }
    }

    /// Whether this is a language version (`1.21`, `1.22`): Go 1.21 or later without a patch or
    /// prerelease.
    pub fn is_lang(&self) -> bool {
        self.patch.is_none() && self.pre.is_none()
    }

    /// The toolchain name, `go` + the version (`go1.22.3`).
    pub fn toolchain_name(&self) -> String {
        format!("go{self}")
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| self.pre_parts().cmp(&other.pre_parts()))
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if let Some(p) = self.patch {
            write!(f, ".{p}")?;
        }
        if let Some(pre) = &self.pre {
            f.write_str(pre)?;
        }
        Ok(())
    }
}

/// Parses `1.22`, `1.22.3`, `1.23rc2`, with or without a `go` prefix (`go1.22.3`; with the
/// prefix, a custom suffix after `-`, a space or a tab is dropped, like `gover.FromToolchain`:
/// `go1.22.3-bigcorp`). `1` alone is `1.0.0`. Returns `None` for anything `gover.Parse` rejects
/// (leading zeros, a prerelease on a patch release, `1.21.`), and for numbers beyond `u32`.
pub fn parse_version(s: &str) -> Option<GoVersion> {
    let s = s.trim();
    let s = match s.strip_prefix("go") {
        Some(rest) => {
            if rest.contains(['/', '\\']) {
                return None;
            }
            rest.split([' ', '\t', '-']).next().unwrap_or(rest)
        }
        None => s,
    };
    let (major, rest) = cut_int(s)?;
    if rest.is_empty() {
        return Some(GoVersion {
            major,
            minor: 0,
            patch: Some(0),
            pre: None,
        });
    }
    let (minor, rest) = cut_int(rest.strip_prefix('.')?)?;
    if rest.is_empty() {
        // gover: "patch missing is same as 0" when the minor number is below 21.
        let patch = if minor < 21 { Some(0) } else { None };
        return Some(GoVersion {
            major,
            minor,
            patch,
            pre: None,
        });
    }
    if let Some(p) = rest.strip_prefix('.') {
        let (patch, rest) = cut_int(p)?;
        return rest.is_empty().then_some(GoVersion {
            major,
            minor,
            patch: Some(patch),
            pre: None,
        });
    }
    let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    if letters == 0 {
        return None;
    }
    let num = &rest[letters..];
    if !num.is_empty() {
        let (_, after) = cut_int(num)?;
        if !after.is_empty() {
            return None;
        }
    }
    Some(GoVersion {
        major,
        minor,
        patch: None,
        pre: Some(rest.to_string()),
    })
}

/// `gover.cutInt`: a decimal without an unnecessary leading zero.
fn cut_int(s: &str) -> Option<(u32, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && s.starts_with('0')) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// The toolchain a `go` line asks for when cmd/go switches toolchains
/// (cmd/go/internal/toolchain `select.go`): `go` + the version, plus `.0` for a language version
/// of Go 1.21 or later (`1.22` → `go1.22.0`; `1.20` → `go1.20.0`; `1.21rc1` → `go1.21rc1`).
/// `None` when the line is not a valid version.
pub fn toolchain_version_of_go_line(go_line: &str) -> Option<GoVersion> {
    let mut v = parse_version(go_line)?;
    if v.is_lang() {
        v.patch = Some(0);
    }
    Some(v)
}
