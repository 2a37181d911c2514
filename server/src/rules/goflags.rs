//! GOFLAGS as cmd/go reads it (`cmd/go/internal/base/goflags.go`): the value is split like a
//! shell would quote it, every word must look like `-name`, `--name`, `-name=value`, and every
//! name must be a flag of *some* go command — otherwise every command but `go env` and `go bug`
//! stops with `go: parsing $GOFLAGS: unknown flag -name`. Commands then ignore the flags they
//! do not have, so GOFLAGS=-ldflags=-w does not break `go mod tidy`.
//!
//! cmd/go checks the words in order and stops at the first bad one, so `go version` only ever
//! names one of them. A fix that drops that one while another bad word follows still leaves
//! every command failing: the rules check every word against the table here, which is why a
//! simulated fix is judged on all of them rather than on the one `go` happened to name.
//!
//! The table is the set of names cmd/go accepts, observed with the real toolchains: every name
//! that `go help` for a command or the flag definitions in `src/cmd/go` mention was tried as
//! `GOFLAGS=-name go version` with Go 1.21.13, 1.22.10 and 1.25.5. 1.21 and 1.22 accept the
//! same 106 names; the later additions are listed with the release that brought them. For a Go
//! outside 1.21–1.25 the table may be incomplete (an older Go lacks some names, a newer one may
//! have more), so there a name missing from it counts as unknown only when `go` itself said so.

/// Every name cmd/go 1.21 and 1.22 accept in GOFLAGS.
const KNOWN_1_21: &[&str] = &[
    "a",
    "asan",
    "asmflags",
    "bench",
    "benchmem",
    "benchtime",
    "blockprofile",
    "blockprofilerate",
    "buildmode",
    "buildvcs",
    "c",
    "cache",
    "compat",
    "compiled",
    "compiler",
    "count",
    "cover",
    "covermode",
    "coverpkg",
    "coverprofile",
    "cpu",
    "cpuprofile",
    "d",
    "debug-actiongraph",
    "debug-runtime-trace",
    "debug-trace",
    "deps",
    "dropexclude",
    "dropreplace",
    "droprequire",
    "dropretract",
    "dropuse",
    "e",
    "exclude",
    "exec",
    "export",
    "f",
    "failfast",
    "find",
    "fix",
    "fmt",
    "fullpath",
    "fuzz",
    "fuzzcache",
    "fuzzminimizetime",
    "fuzztime",
    "gccgoflags",
    "gcflags",
    "go",
    "i",
    "insecure",
    "installsuffix",
    "json",
    "ldflags",
    "linkshared",
    "list",
    "m",
    "memprofile",
    "memprofilerate",
    "mod",
    "modcache",
    "modcacherw",
    "modfile",
    "module",
    "msan",
    "mutexprofile",
    "mutexprofilefraction",
    "n",
    "o",
    "outputdir",
    "overlay",
    "p",
    "parallel",
    "pgo",
    "pkgdir",
    "print",
    "r",
    "race",
    "replace",
    "require",
    "retract",
    "retracted",
    "reuse",
    "run",
    "short",
    "shuffle",
    "skip",
    "t",
    "tags",
    "test",
    "testcache",
    "timeout",
    "toolchain",
    "toolexec",
    "trace",
    "trimpath",
    "u",
    "use",
    "v",
    "vendor",
    "versions",
    "vet",
    "vettool",
    "w",
    "work",
    "x",
];

/// Names added later: (name, first Go 1.N minor that accepts it).
const ADDED: &[(&str, u32)] = &[
    // go env -changed, go mod tidy -diff, go mod edit -godebug / -dropgodebug.
    ("changed", 23),
    ("diff", 23),
    ("godebug", 23),
    ("dropgodebug", 23),
    // go get -tool, go mod edit -tool / -droptool.
    ("tool", 24),
    ("droptool", 24),
    // go mod edit -ignore / -dropignore.
    ("ignore", 25),
    ("dropignore", 25),
];

/// The Go minors whose accepted names the table holds exactly.
const EXACT: std::ops::RangeInclusive<u32> = 21..=25;

/// Whether cmd/go of Go 1.`minor` accepts the flag `name` in GOFLAGS: `Some(answer)` when the
/// table knows that release, `None` when it cannot tell (unknown or untabulated version).
pub fn known(name: &str, minor: Option<u32>) -> Option<bool> {
    let minor = minor.filter(|m| EXACT.contains(m))?;
    Some(KNOWN_1_21.contains(&name) || ADDED.iter().any(|(n, since)| *n == name && minor >= *since))
}

/// TinyGo compiler flags that `go` does not have: people put `tinygo build` options into
/// GOFLAGS hoping the editor's tools pass them on, and then every go command fails.
const TINYGO_ONLY: &[&str] = &[
    "no-debug",
    "panic",
    "scheduler",
    "gc",
    "opt",
    "target",
    "serial",
    "size",
    "print-allocs",
    "print-stacks",
    "stack-size",
    "llvm-features",
    "ocd-output",
    "programmer",
    "port",
    "monitor",
    "baudrate",
    "wasm-abi",
    "nobounds",
    "interp-timeout",
];

/// Whether `name` is a TinyGo compiler flag that `go` does not know.
pub fn tinygo_only(name: &str) -> bool {
    TINYGO_ONLY.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_by_release() {
        assert_eq!(known("mod", Some(22)), Some(true));
        assert_eq!(known("no-debug", Some(22)), Some(false));
        assert_eq!(known("changed", Some(22)), Some(false));
        assert_eq!(known("changed", Some(23)), Some(true));
        assert_eq!(known("tool", Some(23)), Some(false));
        assert_eq!(known("ignore", Some(25)), Some(true));
        assert_eq!(known("mod", Some(26)), None);
        assert_eq!(known("mod", None), None);
        assert!(TINYGO_ONLY.iter().all(|f| !KNOWN_1_21.contains(f)));
    }
}
