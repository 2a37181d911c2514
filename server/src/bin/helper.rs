//! `go-env-doctor-helper`: the login shell's helper on its own, `__print-env MARK [REQUEST]`
//! and nothing else ([`go_env_doctor::print_env`]).
//!
//! The shell runs it on the way to every first diagnostics: linked with only what printing the
//! environment and running the shell side's `go` need, it starts in a fraction of the time of
//! the whole tool (fewer pages to map and relocate). The tool runs itself instead when this
//! binary is not installed next to it ([`go_env_doctor::facts::shell::print_env_program`]).
//! No logging and the system allocator, as the tool's own `__print-env`: stdout is read by the
//! check, and the process makes few allocations.

use go_env_doctor::facts::shell::PRINT_ENV_SUBCOMMAND;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    go_env_doctor::print_env::run_args(&args).unwrap_or_else(usage)
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: go-env-doctor-helper {PRINT_ENV_SUBCOMMAND} MARK [REQUEST]\n\
         (run by go-env-doctor's login-shell probe; see `go-env-doctor --help`)"
    );
    ExitCode::from(2)
}
