//! `go clean -cache`: what it would remove (`go clean -cache -n`, measured for a title), and the
//! run itself, cancellable.

use super::Runner;
use crate::facts::process::Cancel;
use crate::model::Snapshot;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long `go clean -cache -n` may take when it only titles a quick fix.
pub const PREVIEW_TIMEOUT: Duration = Duration::from_secs(5);
/// How long `go clean -cache -n` may take before a requested clean.
pub const LIST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long `go clean -cache` may run: a cache of many gigabytes on a slow or network disk
/// takes minutes; the user can cancel sooner.
pub const CLEAN_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Bounds of the walk measuring what `go clean -cache` would remove (a code action's title).
const MEASURE_BUDGET: Duration = Duration::from_millis(200);
const MEASURE_MAX_ENTRIES: u64 = 200_000;

/// [`Runner::for_snapshot`] with GOCACHE = `gocache` when given (the cache the finding is about).
pub fn runner(snapshot: &Snapshot, gocache: Option<&Path>) -> Result<Runner, String> {
    let mut runner = Runner::for_snapshot(snapshot)?;
    if let Some(cache) = gocache {
        super::absolute(cache)?;
        runner
            .env
            .insert("GOCACHE".into(), cache.to_string_lossy().into_owned());
    }
    Ok(runner)
}

/// What `go clean -cache` would remove, measured from `go clean -cache -n`'s list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    /// Paths `-n` listed that exist.
    pub listed: usize,
    pub files: u64,
    pub bytes: u64,
    /// The walk stopped at its budget: the figures are lower bounds.
    pub capped: bool,
}

/// `go clean -cache -n`'s output (the `rm` lines), or why it failed.
pub fn list(runner: &Runner, timeout: Duration, cancel: &Cancel) -> Result<String, String> {
    runner
        .go(&["clean", "-cache", "-n"], timeout, cancel)
        .map_err(|e| e.lines().next().unwrap_or("").trim().to_string())
}

/// Run `go clean -cache -n` and measure the paths it lists (a bounded walk), for a title.
pub fn measure(runner: &Runner, gocache: &Path) -> Result<Measured, String> {
    let started = Instant::now();
    let out = list(runner, PREVIEW_TIMEOUT, &Cancel::default())?;
    let listed = listed_paths(&out, gocache);
    let mut m = measure_paths(&listed, started + MEASURE_BUDGET, MEASURE_MAX_ENTRIES);
    m.listed = listed.len();
    tracing::debug!(gocache = %gocache.display(), ?m, millis = ?started.elapsed(), "go clean -cache preview");
    Ok(m)
}

/// How many entries `go clean -cache -n` listed (inside `gocache` when known).
pub fn count_listed(output: &str, gocache: Option<&Path>) -> usize {
    match gocache {
        Some(c) => listed_paths(output, c).len(),
        None => output
            .split_whitespace()
            .filter(|w| *w != "rm" && !w.starts_with('-'))
            .count(),
    }
}

/// `go clean -modcache -n`'s output, or why it failed.
pub fn list_modcache(runner: &Runner, cancel: &Cancel) -> Result<String, String> {
    runner
        .go(&["clean", "-modcache", "-n"], LIST_TIMEOUT, cancel)
        .map_err(|e| e.lines().next().unwrap_or("").trim().to_string())
}

/// `go clean -modcache`, killed when `cancel` is set.
pub fn clean_modcache(runner: &Runner, cancel: &Cancel) -> Result<Cleaned, String> {
    match runner.go(&["clean", "-modcache"], CLEAN_TIMEOUT, cancel) {
        Ok(_) => Ok(Cleaned::Done),
        Err(_) if cancel.is_cancelled() => Ok(Cleaned::Cancelled),
        Err(e) => Err(e.lines().next().unwrap_or("").trim().to_string()),
    }
}

/// Files and bytes under `dir` (a module cache: read-only files, many of them), bounded.
pub fn measure_dir(dir: &Path) -> Measured {
    let mut m = measure_paths(
        &[dir.to_path_buf()],
        Instant::now() + Duration::from_secs(2),
        2_000_000,
    );
    m.listed = 1;
    m
}

/// How a requested clean ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cleaned {
    Done,
    Cancelled,
}

/// `go clean -cache`, killed (its whole process group) when `cancel` is set.
pub fn clean(runner: &Runner, cancel: &Cancel) -> Result<Cleaned, String> {
    match runner.go(&["clean", "-cache"], CLEAN_TIMEOUT, cancel) {
        Ok(_) => Ok(Cleaned::Done),
        Err(_) if cancel.is_cancelled() => Ok(Cleaned::Cancelled),
        Err(e) => Err(e.lines().next().unwrap_or("").trim().to_string()),
    }
}

/// The existing paths inside `gocache` that `go clean -cache -n` lists: Go 1.22+ prints one
/// `rm -rf <GOCACHE>/00 … <GOCACHE>/ff` line (the subdirectories that exist), Go 1.21
/// `rm -r …` and `rm -f <GOCACHE>/log.txt`. Paths may hold spaces: the line is split where
/// the next `<GOCACHE>/` starts.
pub fn listed_paths(output: &str, gocache: &Path) -> Vec<PathBuf> {
    let dir: PathBuf = gocache.components().collect();
    let dir_text = dir.to_string_lossy().into_owned();
    let prefix = format!(
        "{}{}",
        dir_text.trim_end_matches('/'),
        std::path::MAIN_SEPARATOR
    );
    let mut out = Vec::new();
    for line in output.lines() {
        let line = line.trim_end();
        let Some(rest) = ["rm -rf ", "rm -r ", "rm -f "]
            .iter()
            .find_map(|p| line.strip_prefix(p))
        else {
            continue;
        };
        let parts: Vec<String> = match rest.strip_prefix(prefix.as_str()) {
            Some(tail) => tail
                .split(&format!(" {prefix}"))
                .map(|name| format!("{prefix}{name}"))
                .collect(),
            None => rest.split_whitespace().map(str::to_string).collect(),
        };
        for p in parts.into_iter().map(PathBuf::from) {
            if p.starts_with(&dir) && p != dir && p.symlink_metadata().is_ok() && !out.contains(&p)
            {
                out.push(p);
            }
        }
    }
    out
}

/// Files and bytes under `paths` (symlinks not followed), stopping at `deadline` or after
/// `max_entries` entries.
pub fn measure_paths(
    paths: &[PathBuf],
    deadline: std::time::Instant,
    max_entries: u64,
) -> Measured {
    let mut m = Measured {
        listed: paths.len(),
        files: 0,
        bytes: 0,
        capped: false,
    };
    let mut stack: Vec<PathBuf> = paths.to_vec();
    let mut seen: u64 = 0;
    while let Some(p) = stack.pop() {
        seen += 1;
        if seen > max_entries || (seen % 256 == 0 && std::time::Instant::now() > deadline) {
            m.capped = true;
            break;
        }
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else {
            m.files += 1;
            m.bytes += meta.len();
        }
    }
    m
}

/// `1 234 567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// `512 bytes`, `6.8 KiB`, `1.2 GiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return if bytes == 1 {
            "1 byte".to_string()
        } else {
            format!("{bytes} bytes")
        };
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = UNITS[0];
    for u in &UNITS[1..] {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

/// The clean-cache action's title: what `go clean -cache -n` lists, measured, or why the size
/// is unknown.
pub fn clean_title(gocache: &Path, preview: &Result<Measured, String>) -> String {
    let dir = gocache.display();
    match preview {
        Ok(m) if m.listed == 0 => {
            format!("Empty the build cache {dir}: nothing to remove (go clean -cache)")
        }
        Ok(m) if m.files == 0 && !m.capped => {
            format!("Empty the build cache {dir}: no cached files (go clean -cache)")
        }
        Ok(m) => {
            let files = if m.files == 1 { "file" } else { "files" };
            let more = if m.capped { "more than " } else { "" };
            format!(
                "Empty the build cache {dir}: {more}{} in {more}{} {files} (go clean -cache)",
                human_size(m.bytes),
                grouped(m.files)
            )
        }
        Err(why) => {
            format!("Empty the build cache {dir} (go clean -cache; size unknown: {why})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GoBinary, GoFoundBy};

    #[test]
    fn listed_paths_of_go_1_22_and_1_21_output_with_spaces_in_the_cache_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = dir.path().join("my cache");
        for sub in ["00", "5d"] {
            std::fs::create_dir_all(cache.join(sub)).expect("mkdir");
        }
        std::fs::write(cache.join("log.txt"), "x").expect("write");
        let c = cache.display();
        let go122 = format!("rm -rf {c}/00 {c}/5d\n");
        assert_eq!(
            listed_paths(&go122, &cache),
            [cache.join("00"), cache.join("5d")]
        );
        // Go 1.21; a trailing separator in GOCACHE; a listed path that is gone is skipped.
        let go121 = format!("rm -r {c}/00 {c}/5d {c}/ff\nrm -f {c}/log.txt\n");
        let with_slash = PathBuf::from(format!("{c}/"));
        assert_eq!(
            listed_paths(&go121, &with_slash),
            [cache.join("00"), cache.join("5d"), cache.join("log.txt")]
        );
        // Nothing outside the cache counts.
        assert!(listed_paths("rm -rf /etc\n", &cache).is_empty());
    }

    #[test]
    fn measured_sizes_and_the_title() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("ab");
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(sub.join("a"), vec![0u8; 3000]).expect("write");
        std::fs::write(sub.join("b"), vec![0u8; 4000]).expect("write");
        let far = std::time::Instant::now() + Duration::from_secs(60);
        let m = measure_paths(std::slice::from_ref(&sub), far, 1000);
        assert_eq!((m.files, m.bytes, m.capped), (2, 7000, false));
        assert_eq!(
            clean_title(Path::new("/c"), &Ok(m)),
            "Empty the build cache /c: 6.8 KiB in 2 files (go clean -cache)"
        );
        let capped = measure_paths(&[sub], far, 2);
        assert!(capped.capped);
        assert!(clean_title(Path::new("/c"), &Ok(capped)).contains(": more than "));
        assert_eq!(human_size(512), "512 bytes");
        assert_eq!(human_size(1_288_490_189), "1.2 GiB");
        assert_eq!(grouped(3456), "3 456");
        assert_eq!(grouped(1_234_567), "1 234 567");
        assert_eq!(
            clean_title(Path::new("/c"), &Err("go clean -cache -n timed out".into())),
            "Empty the build cache /c (go clean -cache; size unknown: go clean -cache -n timed out)"
        );
    }

    #[test]
    fn the_runner_cleans_the_findings_cache_with_a_local_toolchain_and_only_when_trusted() {
        let mut s = Snapshot {
            folder: PathBuf::from("/w"),
            ..Snapshot::default()
        };
        s.editor.go = Some(GoBinary {
            path: PathBuf::from("/w/sdk/bin/go"),
            found_by: GoFoundBy::AlternateTools,
            own_goroot: None,
            static_version: None,
            executable: true,
            workspace_chosen: true,
        });
        let why = runner(&s, Some(Path::new("/c"))).expect_err("must not run");
        assert!(why.contains("not trusted"), "{why}");
        // `go env -w` / `-u` too: /w/sdk/bin/go does not exist, so a run would say so.
        let unset = super::super::Command::GoEnvUnset {
            key: "GOPROXY".into(),
        };
        let why = super::super::run(&s, &unset, &Cancel::default()).expect_err("must not run");
        assert!(why.contains("not trusted"), "{why}");
        s.trusted = true;
        let r = runner(&s, Some(Path::new("/c"))).expect("trusted");
        assert_eq!(r.env.get("GOCACHE").map(String::as_str), Some("/c"));
        assert_eq!(r.env.get("GOTOOLCHAIN").map(String::as_str), Some("local"));
        assert!(
            runner(&s, Some(Path::new("c"))).is_err(),
            "relative GOCACHE refused"
        );
    }
}
