//! Differential test of the tool's Go environment against the real cmd/go.
//!
//! Seeded random configurations — an OS environment with empty and non-empty values, a user go
//! env file with duplicates, blank values, CRLF, a BOM, comments and lines cmd/go ignores, a
//! private GOROOT (a symlink farm of a real toolchain with its own `go` binary and an edited
//! `go.env`), `GOENV=off`, custom and relative `GOENV` paths, relative `XDG_CONFIG_HOME` —
//! over Go 1.21.13, 1.22.10 and 1.25.5. For each one, `go-env-doctor check --no-shell
//! --format json` reports the editor side's environment; the `go` it names is then run for
//! real (`go env -json` with `GOTOOLCHAIN=local`, and `go env GOTOOLCHAIN` with the
//! configuration's own GOTOOLCHAIN) and every key the tool reports must have cmd/go's value.
//! Each origin is checked against the layer that really supplies the value, worked out here
//! from the generated configuration with cmd/go's reading rules (the value that layer holds is
//! checked against cmd/go's too, so this oracle is itself verified).
//!
//! `GO_ENV_DOCTOR_DIFF_CASES=N` runs N configurations (default 90);
//! `GO_ENV_DOCTOR_DIFF_SEED=S` shifts the seeds.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use crate::support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) const VERSIONS: [&str; 3] = ["1.21.13", "1.22.10", "1.25.5"];

/// A small deterministic generator (xorshift64*), so a failing case is reproducible by seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &'a [String]) -> &'a str {
        &items[self.below(items.len())]
    }
}

/// One generated configuration.
pub(crate) struct Case {
    pub(crate) seed: u64,
    pub(crate) version: &'static str,
    base: PathBuf,
    pub(crate) folder: PathBuf,
    /// The OS environment the editor (the tool) and `go` start with.
    pub(crate) env: BTreeMap<String, String>,
    /// The private GOROOT, when the case has one.
    farm: Option<PathBuf>,
    /// Files written: path → bytes (for the failure report).
    files: Vec<(PathBuf, String)>,
}

/// Values each key may take (valid for `go env`, which must not fail), `""` included.
fn pool(key: &str, base: &Path, roots: &[String]) -> Vec<String> {
    let b = base.display();
    let v: Vec<String> = match key {
        "GOPROXY" => vec![
            "https://proxy.golang.org,direct".into(),
            "direct".into(),
            "off".into(),
            "https://a.example,direct".into(),
            "".into(),
        ],
        "GOSUMDB" => vec!["sum.golang.org".into(), "off".into(), "".into()],
        "GOTOOLCHAIN" => vec![
            "local".into(),
            "auto".into(),
            "path".into(),
            "local+auto".into(),
            "".into(),
        ],
        "GOINSECURE" | "GOPRIVATE" | "GONOPROXY" | "GONOSUMDB" => vec![
            "example.com".into(),
            "*.corp.example,git.example".into(),
            "".into(),
        ],
        "GOFLAGS" => vec!["-mod=mod".into(), "-v".into(), "".into()],
        "GOCACHE" => vec![
            format!("{b}/cache"),
            format!("{b}//cache2/"),
            "rel-cache".into(),
            "off".into(),
            "".into(),
        ],
        "GOPATH" => vec![
            format!("{b}/gp"),
            format!("{b}/gp1:{b}/gp2"),
            format!(":{b}/gp3"),
            "".into(),
        ],
        "GOMODCACHE" => vec![format!("{b}/modcache"), "".into()],
        "GO111MODULE" => vec!["on".into(), "off".into(), "auto".into(), "".into()],
        "CGO_ENABLED" => vec!["0".into(), "1".into(), " 1".into(), "yes".into(), "".into()],
        "GOBIN" => vec![format!("{b}/gobin"), "".into()],
        "GOTMPDIR" => vec![b.to_string(), "".into()],
        "GOVCS" => vec!["public:git".into(), "".into()],
        "GOROOT" => {
            let mut v = vec!["".into()];
            for r in roots {
                v.push(r.clone());
                v.push(format!("{r}/"));
            }
            v
        }
        // Keys cmd/go computes or takes from the OS environment only.
        "GOVERSION" => vec!["go9.9.9".into()],
        "GOTOOLDIR" => vec!["/nonexistent/tooldir".into()],
        "GOEXE" => vec![".exe".into()],
        "GOHOSTOS" => vec!["plan9".into()],
        "GOENV" => vec![format!("{b}/other.env")],
        "GOMOD" => vec!["/nonexistent/go.mod".into()],
        _ => vec!["".into()],
    };
    v
}

const LAYERED: &[&str] = &[
    "GOPROXY",
    "GOSUMDB",
    "GOTOOLCHAIN",
    "GOINSECURE",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOFLAGS",
    "GOCACHE",
    "GOPATH",
    "GOMODCACHE",
    "CGO_ENABLED",
    "GOBIN",
    "GOTMPDIR",
    "GOVCS",
    "GOROOT",
    "GO111MODULE",
];
const NOT_FROM_FILES: &[&str] = &[
    "GOVERSION",
    "GOTOOLDIR",
    "GOEXE",
    "GOHOSTOS",
    "GOENV",
    "GOMOD",
];

/// A random env-file body: valid lines, duplicates, empty values, lines cmd/go ignores.
fn env_file_text(rng: &mut Rng, base: &Path, roots: &[String], go_env: bool) -> String {
    let mut lines: Vec<(String, bool)> = Vec::new();
    let n = 1 + rng.below(9);
    let keys: &[&str] = if go_env {
        &[
            "GOPROXY",
            "GOSUMDB",
            "GOTOOLCHAIN",
            "GOINSECURE",
            "GOPRIVATE",
            "GOROOT",
            "GOFLAGS",
        ]
    } else {
        LAYERED
    };
    for _ in 0..n {
        let key = keys[rng.below(keys.len())];
        let values = if go_env && key == "GOROOT" {
            vec!["/nonexistent/goroot".to_string(), String::new()]
        } else {
            pool(key, base, roots)
        };
        let value = rng.pick(&values).to_string();
        let line = match rng.below(14) {
            0 => format!("# {key}={value}"),
            1 => String::new(),
            2 => format!(" {key}={value}"),
            3 => format!("{key} = {value}"),
            4 => format!("{}={value}", key.to_lowercase()),
            5 => format!("{}{}={value}", &key[..1], key[1..].to_lowercase()),
            6 => "FOO_UNKNOWN=bar".to_string(),
            7 if !go_env => {
                let k = NOT_FROM_FILES[rng.below(NOT_FROM_FILES.len())];
                format!("{k}={}", rng.pick(&pool(k, base, roots)))
            }
            8 => format!("{key}="),
            9 => key.to_string(),
            _ => format!("{key}={value}"),
        };
        // A `\r` left on these stops every go command (`GOPATH entry is relative`, `cannot
        // find GOROOT directory`,
        // `unknown environment setting GO111MODULE=on\r`): their lines always end in `\n`.
        let plain = matches!(key, "GOPATH" | "GO111MODULE" | "GOMODCACHE" | "GOROOT");
        lines.push((line, plain));
        // Duplicates: the same key again with another value.
        if rng.chance(30) {
            lines.push((
                format!("{key}={}", rng.pick(&pool(key, base, roots))),
                plain,
            ));
        }
    }
    let crlf = rng.chance(20);
    let mut text = String::new();
    if !go_env && rng.chance(8) {
        text.push('\u{feff}');
    }
    for (i, (l, plain)) in lines.iter().enumerate() {
        text.push_str(l);
        let last = i + 1 == lines.len();
        if !last || *plain || rng.chance(70) {
            let cr = !plain && (crlf || rng.chance(5));
            text.push_str(if cr { "\r\n" } else { "\n" });
        }
    }
    text
}

/// A GOROOT of its own: the real tree's entries as symlinks, a real `bin/` holding a copy
/// (hard link when possible) of `go`, so that `go` finds this directory as its own root, and
/// the given `go.env`.
fn make_farm(real: &Path, dir: &Path, go_env: &str) {
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    for entry in std::fs::read_dir(real).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "bin" || name == "go.env" {
            continue;
        }
        std::os::unix::fs::symlink(entry.path(), dir.join(&name)).unwrap();
    }
    let go = dir.join("bin/go");
    if std::fs::hard_link(real.join("bin/go"), &go).is_err() {
        std::fs::copy(real.join("bin/go"), &go).unwrap();
    }
    std::fs::write(dir.join("go.env"), go_env).unwrap();
}

fn write(case: &mut Case, path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
    case.files.push((path.to_path_buf(), text.to_string()));
}

pub(crate) fn generate(seed: u64, root: &Path) -> Case {
    let mut rng = Rng::new(seed);
    let version = VERSIONS[(seed % 3) as usize];
    let real = support::goroot(version);
    let base = root.join(format!("case-{seed}"));
    let folder = base.join("proj");
    let home = base.join("home");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let farm_dir = base.join("goroot");
    let with_farm = rng.chance(45);
    let mut roots = vec![real.display().to_string()];
    if with_farm {
        roots.push(farm_dir.display().to_string());
    }
    let mut case = Case {
        seed,
        version,
        base: base.clone(),
        folder: folder.clone(),
        env: BTreeMap::new(),
        farm: None,
        files: Vec::new(),
    };
    if with_farm {
        let text = env_file_text(&mut rng, &base, &roots, true);
        make_farm(&real, &farm_dir, &text);
        case.files.push((farm_dir.join("go.env"), text));
        case.farm = Some(farm_dir.clone());
    }

    // PATH: the farm's go or the real one.
    let bin = if with_farm && rng.chance(60) {
        farm_dir.join("bin")
    } else {
        real.join("bin")
    };
    let env = &mut case.env;
    env.insert("PATH".into(), format!("{}:/usr/bin:/bin", bin.display()));
    match rng.below(10) {
        0 => {}
        1 => {
            env.insert("HOME".into(), String::new());
        }
        _ => {
            env.insert("HOME".into(), home.display().to_string());
        }
    }
    let xdg = match rng.below(8) {
        0 => Some(base.join("xdg").display().to_string()),
        1 => Some("relxdg".to_string()),
        2 => Some(String::new()),
        _ => None,
    };
    if let Some(x) = &xdg {
        env.insert("XDG_CONFIG_HOME".into(), x.clone());
    }
    let goenv = match rng.below(10) {
        0 => Some("off".to_string()),
        1 => Some(base.join("custom.env").display().to_string()),
        2 => Some("rel.env".to_string()),
        3 => Some(String::new()),
        _ => None,
    };
    if let Some(g) = &goenv {
        env.insert("GOENV".into(), g.clone());
    }
    // Go variables in the OS environment, empty values included.
    for key in LAYERED {
        if rng.chance(12) {
            let v = rng.pick(&pool(key, &base, &roots)).to_string();
            env.insert(key.to_string(), v);
        }
    }
    if rng.chance(5) {
        let k = NOT_FROM_FILES[rng.below(NOT_FROM_FILES.len() - 1)];
        let v = rng.pick(&pool(k, &base, &roots)).to_string();
        env.insert(k.to_string(), v);
    }

    // The user env file, where this configuration's cmd/go looks — and sometimes a decoy where
    // it does not (the default place, with GOENV=off or a custom GOENV).
    let text = env_file_text(&mut rng, &base, &roots, false);
    let target = match goenv.as_deref().filter(|g| !g.is_empty()) {
        Some("off") => home.join(".config/go/env"),
        Some(g) => folder.join(g),
        None => match xdg.as_deref().filter(|x| !x.is_empty()) {
            Some(x) => folder.join(x).join("go/env"),
            None => home.join(".config/go/env"),
        },
    };
    if rng.chance(85) {
        write(&mut case, &target, &text);
    }
    if rng.chance(15) {
        let decoy = home.join(".config/go/env");
        if decoy != target {
            write(&mut case, &decoy, "GOPROXY=decoy.example\nGOFLAGS=-decoy\n");
        }
    }
    case
}

/// The lines cmd/go reads from an env file: `(key, value, line)`.
type Entries = Vec<(String, String, u64)>;

fn read_entries(path: &Path) -> Option<Entries> {
    let bytes = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut out = Vec::new();
    let mut number = 0;
    let mut rest = text.as_str();
    while !rest.is_empty() {
        number += 1;
        let (line, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        rest = next;
        if let (Some(first), Some((k, v))) = (line.bytes().next(), line.split_once('=')) {
            if first.is_ascii_uppercase() {
                out.push((k.to_string(), v.to_string(), number));
            }
        }
    }
    Some(out)
}

/// Go's filepath.Clean for the absolute Unix paths this test generates.
fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

#[derive(Debug, Clone, PartialEq)]
enum Layer {
    Os,
    File(PathBuf, u64),
    GoEnv(PathBuf, u64),
    Default,
}

/// The origin of `key`, reasoned from the configuration with cmd/go's rules (cfg.go
/// `EnvFile`, `initEnvCache`, `readEnvFile`, `Getenv`, `findGOROOT`; envcmd `MkEnv`), and the
/// value that layer holds (for non-default origins). `real` is cmd/go's own value, used only
/// to tell an empty default from a non-empty one.
struct Oracle {
    os: BTreeMap<String, String>,
    user: Option<(PathBuf, Entries)>,
    goroot_env: Option<(PathBuf, Entries)>,
}

impl Oracle {
    fn new(case: &Case, go: &Path) -> Oracle {
        let os: BTreeMap<String, String> = case
            .env
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let minor: u32 = case.version.split('.').nth(1).unwrap().parse().unwrap();
        let user_path = match os.get("GOENV").map(String::as_str) {
            Some("off") => None,
            Some(g) => Some(case.folder.join(g)),
            None => match os.get("XDG_CONFIG_HOME") {
                Some(x) if !x.starts_with('/') && minor >= 24 => None,
                Some(x) => Some(case.folder.join(x).join("go/env")),
                None => os.get("HOME").map(|h| Path::new(h).join(".config/go/env")),
            },
        };
        let user = user_path.and_then(|p| read_entries(&p).map(|e| (p, e)));
        let file_goroot = user.as_ref().and_then(|(_, es)| {
            es.iter()
                .rev()
                .find(|(k, _, _)| k == "GOROOT")
                .map(|(_, v, _)| v.clone())
        });
        let root = match file_goroot.filter(|v| !v.is_empty()) {
            Some(r) => clean(&r),
            None => match os.get("GOROOT") {
                Some(r) => clean(r),
                None => go.parent().unwrap().parent().unwrap().display().to_string(),
            },
        };
        let go_env_path = Path::new(&root).join("go.env");
        let goroot_env = read_entries(&go_env_path).map(|e| (go_env_path, e));
        Oracle {
            os,
            user,
            goroot_env,
        }
    }

    /// What cmd/go's Getenv finds for `key`, and where.
    fn getenv(&self, key: &str) -> Option<(String, Layer)> {
        if let Some(v) = self.os.get(key) {
            return Some((v.clone(), Layer::Os));
        }
        if let Some((p, es)) = &self.user {
            if let Some((_, v, l)) = es.iter().rev().find(|(k, _, _)| k == key) {
                let v = if key == "GOROOT" && !v.is_empty() {
                    clean(v)
                } else {
                    v.clone()
                };
                return Some((v, Layer::File(p.clone(), *l)));
            }
        }
        if key == "GOROOT" {
            return None;
        }
        let (p, es) = self.goroot_env.as_ref()?;
        es.iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, l)| (v.clone(), Layer::GoEnv(p.clone(), *l)))
    }

    fn origin(&self, key: &str, real: &BTreeMap<String, String>) -> (Layer, Option<String>) {
        match key {
            "GOVERSION" | "GOTOOLDIR" | "GOEXE" | "GOHOSTOS" | "GOHOSTARCH" | "GOGCCFLAGS"
            | "GOMOD" | "GOTELEMETRY" | "GOTELEMETRYDIR" => return (Layer::Default, None),
            "GOENV" | "GODEBUG" => {
                return match self.os.get(key) {
                    Some(v) if key == "GOENV" && v == "off" => (Layer::Os, Some(String::new())),
                    Some(v) => (Layer::Os, Some(v.clone())),
                    None => (Layer::Default, None),
                }
            }
            _ => {}
        }
        let found = self.getenv(key);
        if let Some((v, layer)) = &found {
            let usable = if key == "CGO_ENABLED" {
                v == "0" || v == "1"
            } else {
                !v.is_empty()
            };
            if usable {
                return (layer.clone(), Some(v.clone()));
            }
        }
        if matches!(key, "GONOPROXY" | "GONOSUMDB") {
            let private = self.origin("GOPRIVATE", real);
            if private.1.as_deref().is_some_and(|v| !v.is_empty()) {
                return private;
            }
        }
        match found {
            // An empty line hides the lower layers; with no non-empty default it is the origin.
            Some((v, layer @ (Layer::File(..) | Layer::GoEnv(..))))
                if v.is_empty() && real.get(key).is_some_and(|r| r.is_empty()) =>
            {
                (layer, Some(v))
            }
            _ => (Layer::Default, None),
        }
    }
}

fn run_go(go: &Path, case: &Case, args: &[&str], local: bool) -> Result<String, String> {
    let mut cmd = Command::new(go);
    cmd.args(args)
        .env_clear()
        .envs(&case.env)
        .current_dir(&case.folder);
    if local {
        cmd.env("GOTOOLCHAIN", "local");
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "{} {args:?} failed: {}",
            go.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

/// cmd/go's values for `keys`, asked by name (a plain `go env -json` also computes the cgo
/// flags, which needs a usable build cache and so fails with `GOCACHE=off`).
fn real_env(
    go: &Path,
    case: &Case,
    keys: &BTreeSet<String>,
) -> Result<BTreeMap<String, String>, String> {
    let mut args = vec!["env", "-json"];
    args.extend(keys.iter().map(String::as_str));
    let mut m: BTreeMap<String, String> =
        serde_json::from_str(&run_go(go, case, &args, true)?).map_err(|e| e.to_string())?;
    let toolchain = run_go(go, case, &["env", "GOTOOLCHAIN"], false)?;
    m.insert(
        "GOTOOLCHAIN".into(),
        toolchain.trim_end_matches('\n').into(),
    );
    Ok(m)
}

/// The tool's GOCACHE is the raw setting (its cache checks need it); `go env GOCACHE` prints
/// `off` for a relative or unlocatable one (cmd/go/internal/cache `DefaultDir`).
fn gocache_as_go_prints(value: &str, origin: &Layer, minor: u32) -> String {
    let relative = !value.starts_with('/');
    match origin {
        Layer::Default if value.is_empty() || (relative && minor >= 24) => "off".into(),
        Layer::Default => value.into(),
        _ if relative && value != "off" => "off".into(),
        _ => value.into(),
    }
}

fn layer_of(v: &Value) -> Layer {
    let path = || PathBuf::from(v["path"].as_str().unwrap_or_default());
    let line = v["line"].as_u64().unwrap_or_default();
    match v["origin"].as_str() {
        Some("os-env") => Layer::Os,
        Some("env-file") => Layer::File(path(), line),
        Some("goroot-go.env") => Layer::GoEnv(path(), line),
        Some("default") => Layer::Default,
        other => panic!("unexpected origin {other:?} in {v}"),
    }
}

/// Runs one configuration; returns the disagreements.
fn check(case: &Case) -> Vec<String> {
    let out = Command::new(support::bin())
        .args(["check", "--no-shell", "--format", "json"])
        .arg(&case.folder)
        .env_clear()
        .envs(&case.env)
        .current_dir(&case.folder)
        .output()
        .unwrap();
    let report: Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => {
            return vec![format!(
                "no JSON report ({e}), exit {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            )]
        }
    };
    let side = &report["sides"]["editor"];
    let Some(go) = side["go"].as_str().map(PathBuf::from) else {
        return vec![format!("the tool found no go: {side}")];
    };
    let tool: BTreeMap<String, Value> = side["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let keys: BTreeSet<String> = tool.keys().cloned().collect();
    let real = match real_env(&go, case, &keys) {
        Ok(m) => m,
        Err(e) => return vec![format!("cmd/go cannot run this configuration: {e}")],
    };
    let oracle = Oracle::new(case, &go);
    let minor: u32 = case.version.split('.').nth(1).unwrap().parse().unwrap();
    let mut bad = Vec::new();
    for (key, v) in &tool {
        let value = v["value"].as_str().unwrap_or_default();
        let got = layer_of(v);
        let Some(want_value) = real.get(key) else {
            bad.push(format!(
                "{key}: the tool reports {v}, cmd/go has no such key"
            ));
            continue;
        };
        let shown = if key == "GOCACHE" {
            gocache_as_go_prints(value, &got, minor)
        } else {
            value.to_string()
        };
        if &shown != want_value {
            bad.push(format!(
                "{key}: tool {value:?} ({}), cmd/go {want_value:?}",
                v["origin"]
            ));
        }
        let (want_layer, layer_value) = oracle.origin(key, &real);
        if got != want_layer {
            bad.push(format!(
                "{key}: tool origin {got:?}, expected {want_layer:?}"
            ));
        }
        // The oracle's own reading must match cmd/go (GOCACHE: see gocache_as_go_prints).
        if let Some(lv) = layer_value.filter(|_| key != "GOCACHE") {
            if &lv != want_value {
                bad.push(format!(
                    "{key}: oracle reads {lv:?} from {want_layer:?}, cmd/go has {want_value:?}"
                ));
            }
        }
    }
    bad
}

#[test]
fn tool_agrees_with_cmd_go() {
    let cases: u64 = std::env::var("GO_ENV_DOCTOR_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(90);
    let first: u64 = std::env::var("GO_ENV_DOCTOR_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let tmp = tempfile::tempdir().unwrap();
    let mut agree = 0;
    let mut failures = Vec::new();
    for seed in first..first + cases {
        let case = generate(seed, tmp.path());
        let bad = check(&case);
        if bad.is_empty() {
            agree += 1;
        } else {
            let files: Vec<String> = case
                .files
                .iter()
                .map(|(p, t)| format!("    {} = {t:?}", p.display()))
                .collect();
            failures.push(format!(
                "seed {} (go{}, farm {:?}):\n  env {:?}\n{}\n  - {}",
                case.seed,
                case.version,
                case.farm.as_ref().map(|f| f.display().to_string()),
                case.env,
                files.join("\n"),
                bad.join("\n  - ")
            ));
        }
        let _ = std::fs::remove_dir_all(&case.base);
    }
    println!("diff_cmdgo: {agree}/{cases} configurations agree on every key");
    assert!(
        failures.is_empty(),
        "diff_cmdgo: {agree}/{cases} configurations agree on every key; disagreements:\n{}",
        failures.join("\n")
    );
}
