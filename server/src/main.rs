fn main() -> std::process::ExitCode {
    go_env_doctor::cli::main()
}
