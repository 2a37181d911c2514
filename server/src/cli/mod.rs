//! The command-line front end (the README's *Usage*): `check`, `serve`, `explain`, and the hidden
//! `__print-env` helper the shell probe runs. Renderers are pure functions of a [`Report`]:
//! [`human::render_human`], [`json::render_json`], [`sarif::render_sarif`],
//! [`github::render_github`].
//!
//! Exit codes: 0 no error-severity finding, 1 an error was found, 2 could not run.

pub mod explain;
pub mod fix;
pub mod github;
pub mod sarif;

pub use crate::report::{self, human, json, Report, ShellState, SideView};

use crate::catalogue;
use crate::facts::{self, CheckOptions};
use crate::rules;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Environment variable equivalent to `--user-settings`.
pub use crate::facts::USER_SETTINGS_ENV;

const EXIT_ERRORS_FOUND: u8 = 1;
const EXIT_COULD_NOT_RUN: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "go-env-doctor",
    version,
    about = "Finds where your editor's Go environment and your shell's disagree.",
    long_about = "Finds where your editor's Go environment and your shell's disagree \
                  (GOROOT, Go version, GOPROXY, GOSUMDB, GOCACHE, GOTOOLCHAIN, …), shows where \
                  each value is configured, and explains how to fix it.",
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a folder: compare the editor's Go environment with your login shell's.
    Check(CheckArgs),
    /// Run the language server on stdio (beside gopls).
    Serve {
        /// Accepted for compatibility with LSP clients; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Apply the working fix of every finding (asks first; --dry-run shows diffs; --undo).
    Fix(fix::FixArgs),
    /// List every Go installation found where installers put them (nothing is run).
    Sdks {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Explain a finding code: what it means, why it breaks builds, how to fix it.
    Explain(ExplainArgs),
    /// Internal: print the environment between markers (run by the login shell probe).
    #[command(name = "__print-env", hide = true)]
    PrintEnv {
        mark: String,
        /// What the check asks the helper to run besides (hex; see facts::early_go).
        request: Option<String>,
    },
    /// Internal: what a login shell's guard becomes when the tool died (see facts::guard).
    #[command(name = "__probe-guard-end", hide = true)]
    ProbeGuardEnd { token: String },
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The workspace folder to check [default: the current directory].
    dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    #[command(flatten)]
    probe: ProbeArgs,
    /// Turn a check off (repeatable, or comma-separated). See `explain --list` for codes.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    disable: Vec<String>,
    /// Reuse the login shell's and `go`'s answers from the persistent probe cache when none of
    /// their inputs changed (and store fresh ones); see the README's "The probe cache".
    #[arg(long, overrides_with = "no_cache")]
    cache: bool,
    /// Probe afresh and leave the probe cache alone (the default).
    #[arg(long, overrides_with = "cache")]
    no_cache: bool,
    /// Also prove each side works: build and run a small program with its go and environment
    /// (`--deep=cgo`: a cgo program too). Takes seconds, more with a cold build cache.
    #[arg(
        long,
        value_enum,
        value_name = "PROGRAM",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "go"
    )]
    deep: Option<Deep>,
}

/// What `check --deep` builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deep {
    /// A plain Go program (`--deep` alone).
    Go,
    /// A plain Go program and one calling C through cgo (needs a C compiler).
    Cgo,
}

/// How the environments are probed (shared by `check` and `fix`).
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Do not start your login shell; check the editor side only.
    #[arg(long)]
    no_shell: bool,
    /// The login shell to probe [default: $SHELL, then your account's shell].
    #[arg(long, value_name = "PATH", conflicts_with = "no_shell")]
    shell: Option<PathBuf>,
    /// Give up on the login shell after this many seconds (1–120).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=120)
    )]
    shell_timeout: u64,
    /// Trust the folder: run a `go` chosen by workspace settings instead of only inspecting it.
    #[arg(long)]
    trust: bool,
    /// The VS Code user settings.json to read [env: GO_ENV_DOCTOR_USER_SETTINGS]
    /// [default: the standard location of VS Code, Insiders, VSCodium, Cursor].
    #[arg(long, value_name = "FILE")]
    user_settings: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ExplainArgs {
    /// A finding code, e.g. goroot-mismatch.
    #[arg(required_unless_present = "list", conflicts_with = "list")]
    code: Option<String>,
    /// List every code with its severity and title.
    #[arg(long)]
    list: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Grouped report for people, like `flutter doctor`.
    Human,
    /// Machine-readable report (version 1).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
}

/// The binary's entry point.
pub fn main() -> ExitCode {
    // The login-shell probe starts us twice per shell (the guard, then the helper inside the
    // shell), both on the path to the first diagnostics: they skip building the whole CLI.
    if let Some(code) = run_internal(std::env::args_os().skip(1).collect()) {
        return code;
    }
    let code = run_command(Cli::parse());
    crate::facts::children::finish_sweeps();
    // A signal is ending us: its handler exits with 128 + the signal once the probes are dead;
    // finishing normally first would report success for an interrupted check.
    while crate::facts::children::stopping() {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    code
}

/// Whether `first` (the first argument) names one of the login shell's helpers, which run
/// inside the probe ([`run_internal`]).
pub fn is_helper(first: &[u8]) -> bool {
    first == crate::facts::shell::PRINT_ENV_SUBCOMMAND.as_bytes()
        || first == crate::facts::guard::END_SUBCOMMAND.as_bytes()
}

/// The hidden subcommands in their one exact form (what the probe itself writes:
/// `__print-env MARK [REQUEST]`, `__probe-guard-end TOKEN`); anything else is
/// left to clap, which also parses them, with its usual messages.
fn run_internal(args: Vec<std::ffi::OsString>) -> Option<ExitCode> {
    if let Some(code) = crate::print_env::run_args(&args) {
        return Some(code);
    }
    let first = args.first()?.to_str()?;
    match (first, args.len()) {
        (crate::facts::guard::END_SUBCOMMAND, 2) => {
            Some(crate::facts::guard::end(args[1].to_str()?))
        }
        _ => None,
    }
}

fn run_command(cli: Cli) -> ExitCode {
    match cli.command {
        // No logging: the login shell reads stdout; nothing else may reach it.
        Command::PrintEnv { mark, request } => crate::print_env::run(&mark, request.as_deref()),
        Command::ProbeGuardEnd { token } => crate::facts::guard::end(&token),
        Command::Check(args) => {
            init_logging();
            crate::facts::children::end_with_signals();
            run_check(args)
        }
        Command::Serve { stdio: _ } => {
            let reload = init_logging();
            crate::facts::children::end_with_signals();
            crate::lsp::run(reload)
        }
        Command::Fix(args) => {
            init_logging();
            crate::facts::children::end_with_signals();
            fix::run(args)
        }
        Command::Sdks { format } => run_sdks(format),
        Command::Explain(args) => run_explain(args),
    }
}

/// Replaces the log filter at run time (an `EnvFilter` directive, e.g. `go_env_doctor=debug`).
pub use crate::lsp::LogReload;

/// The protocol library logs every raw message at trace level: file texts and settings
/// values, proxy credentials included. Capped whatever level the user asks for.
const NO_RAW_MESSAGES: &str = "tower_lsp_server=debug";

/// `tracing` to stderr (stdout is for reports and, later, the protocol); `RUST_LOG`, default warn.
/// Returns the handle that changes the filter later (the language server's `logLevel`).
fn init_logging() -> Option<LogReload> {
    use tracing_subscriber::{layer::SubscriberExt, reload, util::SubscriberInitExt, EnvFilter};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn"))
        .add_directive(NO_RAW_MESSAGES.parse().expect("a valid directive"));
    let ansi = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let (filter, handle) = reload::Layer::new(filter);
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init()
        .ok()?;
    Some(Box::new(move |directive: &str| {
        let filter = EnvFilter::try_new(format!("{directive},{NO_RAW_MESSAGES}"))
            .map_err(|e| e.to_string())?;
        handle.reload(filter).map_err(|e| e.to_string())
    }))
}

fn could_not_run(msg: &str) -> ExitCode {
    eprintln!("go-env-doctor: {msg}");
    ExitCode::from(EXIT_COULD_NOT_RUN)
}

/// `--disable`/`--only CODE`: a known code, or a message with close matches.
fn known_code(flag: &str, code: &str) -> Result<(), String> {
    if catalogue::lookup(code).is_some() {
        return Ok(());
    }
    let close = explain::close_matches(&code.trim().to_ascii_lowercase());
    let hint = if close.is_empty() {
        "see `go-env-doctor explain --list`".to_string()
    } else {
        format!("did you mean {}?", close.join(", "))
    };
    Err(format!("{flag} {code}: unknown code; {hint}"))
}

/// The check of `dir` as the command line runs it.
fn check_options(
    dir: Option<&Path>,
    probe: &ProbeArgs,
    disable: Vec<String>,
) -> Result<CheckOptions, String> {
    let folder = check_folder(dir)?;
    let helper_exe =
        std::env::current_exe().map_err(|e| format!("cannot locate my own executable: {e}"))?;
    let user_settings = probe.user_settings.clone().or_else(|| {
        std::env::var_os(USER_SETTINGS_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    let user_settings = match user_settings.map(|p| std::path::absolute(&p).map_err(|e| (p, e))) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err((p, e))) => return Err(format!("--user-settings {}: {e}", p.display())),
    };
    let mut opts = CheckOptions::new(folder, helper_exe);
    opts.probe_shell = !probe.no_shell;
    opts.shell = probe.shell.clone();
    opts.shell_timeout = Duration::from_secs(probe.shell_timeout);
    opts.trusted = probe.trust;
    opts.user_settings = user_settings;
    opts.disabled_checks = disable;
    // The command line runs in a terminal or a CI job, not inside an editor: its own environment
    // is that of a command line (`go` from PATH, no editor settings applied). VS Code's settings
    // still tell what VS Code users of this folder get: they become a view of their own.
    opts.editor_kind = crate::model::EditorKind::Other;
    opts.editor_name = process_side_name(&std::env::vars().collect()).to_string();
    opts.compare_vscode = true;
    tracing::debug!(?opts, "check");
    Ok(opts)
}

fn run_check(args: CheckArgs) -> ExitCode {
    if let Err(msg) = check_folder(args.dir.as_deref()) {
        return could_not_run(&msg);
    }
    for code in &args.disable {
        if let Err(msg) = known_code("--disable", code) {
            return could_not_run(&msg);
        }
    }
    let mut opts = match check_options(args.dir.as_deref(), &args.probe, args.disable.clone()) {
        Ok(o) => o,
        Err(msg) => return could_not_run(&msg),
    };
    opts.deep = args.deep.map(|d| match d {
        Deep::Go => crate::model::DeepProgram::Plain,
        Deep::Cgo => crate::model::DeepProgram::Cgo,
    });
    // Off by default: a one-shot check has no background re-probe to correct a cached answer
    // that went stale through something outside its key (see the README).
    // Attribution's traced shell runs below, only when a finding wants it.
    opts.attribution = false;
    let store = (args.cache && !args.no_cache && opts.probe_shell)
        .then(facts::probe_cache::Store::user)
        .flatten();
    let snapshot = match &store {
        None => facts::collect(&opts),
        Some(store) => {
            opts.probe_cache = true;
            opts.trace_startup = true;
            match store.load(&opts) {
                Some(hit) => {
                    tracing::info!("using the cached probe (--cache)");
                    opts.shell_probe = Some(hit.shell_probe);
                    opts.go_runs = hit.go_runs;
                    facts::collect(&opts)
                }
                None => {
                    let (snapshot, runs) = facts::collect_recorded(&opts);
                    store.save(&opts, &snapshot, runs);
                    snapshot
                }
            }
        }
    };
    let mut snapshot = snapshot;
    // Every editor view (VS Code; GoLand when the folder has .idea/workspace.xml).
    let mut findings = rules::check_all(&snapshot);
    if facts::attribution::needed(&snapshot) {
        let wanted = rules::attribution::wanted(&findings);
        tracing::debug!(wanted, "the sides differ: attribution");
        let found = if wanted {
            facts::attribution::collect(&snapshot, &opts)
        } else {
            facts::attribution::collect_cheap(&snapshot, &opts).0
        };
        facts::attribution::attach(&mut snapshot, found);
        findings = rules::check_all(&snapshot);
    }
    let report = Report::from_snapshot(&snapshot, findings);

    let stdout = std::io::stdout();
    let text = match args.format {
        Format::Human => {
            let style = human::Style::detect(stdout.is_terminal());
            human::render_human_styled(&report, style)
        }
        Format::Json => json::render_json(&report),
        Format::Sarif => sarif::render_sarif(&report),
        Format::Github => github::render_github(&report),
    };
    if let Err(e) = write_stdout(&text) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return could_not_run(&format!("cannot write the report: {e}"));
        }
    }
    if report.has_errors() {
        ExitCode::from(EXIT_ERRORS_FOUND)
    } else {
        ExitCode::SUCCESS
    }
}

/// Variables CI services set in every job (GitHub Actions, GitLab, Azure Pipelines, Jenkins,
/// Buildkite, CircleCI, Travis, TeamCity, Bitbucket; most also set `CI`).
const CI_MARKERS: &[&str] = &[
    "CI",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "TF_BUILD",
    "JENKINS_URL",
    "BUILDKITE",
    "CIRCLECI",
    "TRAVIS",
    "TEAMCITY_VERSION",
    "BITBUCKET_BUILD_NUMBER",
];

/// How the process side of `check` is named in messages: "this CI job" when a CI service runs
/// it, else "this terminal". `CI=false` / `CI=0` (set to turn CI behaviour off) do not count.
pub fn process_side_name(env: &std::collections::BTreeMap<String, String>) -> &'static str {
    let set = |k: &str| {
        env.get(k)
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
    };
    if CI_MARKERS.iter().any(|k| set(k)) {
        crate::model::CI_JOB_SIDE
    } else {
        crate::model::TERMINAL_SIDE
    }
}

/// The folder to check, absolute (not canonicalized: users see their own path), and readable.
fn check_folder(dir: Option<&Path>) -> Result<PathBuf, String> {
    let given = dir.unwrap_or(Path::new("."));
    let folder =
        std::path::absolute(given).map_err(|e| format!("cannot check {}: {e}", given.display()))?;
    match std::fs::metadata(&folder) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "cannot check {}: no such directory",
            folder.display()
        )),
        Err(e) => Err(format!("cannot check {}: {e}", folder.display())),
        Ok(meta) if !meta.is_dir() => Err(format!(
            "cannot check {}: not a directory",
            folder.display()
        )),
        Ok(_) => match std::fs::read_dir(&folder) {
            Ok(_) => Ok(folder),
            Err(e) => Err(format!("cannot read {}: {e}", folder.display())),
        },
    }
}

/// `sdks`: the inventory of this machine, for this environment (HOME, GOMODCACHE, the version
/// managers' variables).
fn run_sdks(format: ListFormat) -> ExitCode {
    use crate::facts::sdks;
    let env: std::collections::BTreeMap<String, String> = std::env::vars().collect();
    let os = crate::settings::paths::Os::current();
    let gomodcache = crate::facts::go::default_gomodcache(&env);
    let dirs = sdks::dirs_of(&env, gomodcache);
    let found = sdks::inventory(os, &sdks::locations(os, &dirs));
    let text = match format {
        ListFormat::Json => {
            let mut t = serde_json::to_string_pretty(&serde_json::json!({ "sdks": found }))
                .unwrap_or_default();
            t.push('\n');
            t
        }
        ListFormat::Human if found.is_empty() => {
            "No Go installation found in the places installers use.\n".to_string()
        }
        ListFormat::Human => {
            let home = dirs.home.as_deref();
            let rows: Vec<(String, String, String)> = found
                .iter()
                .map(|s| {
                    let mut path = crate::goenv::resolve::tilde_under(home, &s.path);
                    if s.canonical != s.path {
                        path.push_str(&format!(
                            " → {}",
                            crate::goenv::resolve::tilde_under(home, &s.canonical)
                        ));
                    }
                    (
                        s.version.clone().unwrap_or_else(|| "(no VERSION)".into()),
                        s.installer.words().to_string(),
                        path,
                    )
                })
                .collect();
            let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
            let w1 = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
            rows.iter()
                .map(|(v, i, p)| format!("{v:<w0$}  {i:<w1$}  {p}\n"))
                .collect()
        }
    };
    match write_stdout(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => could_not_run(&format!("cannot write: {e}")),
    }
}

fn run_explain(args: ExplainArgs) -> ExitCode {
    if args.list {
        return match write_stdout(&explain::render_list()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => could_not_run(&format!("cannot write: {e}")),
        };
    }
    let code = args.code.unwrap_or_default();
    match explain::explain(&code) {
        Ok(text) => match write_stdout(&text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => could_not_run(&format!("cannot write: {e}")),
        },
        Err(msg) => could_not_run(&msg),
    }
}

fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}
