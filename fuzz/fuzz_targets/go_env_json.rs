//! Any text as `go env -json` output.
#![no_main]
use go_env_doctor_fuzz::checks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| checks::go_env_json_any(&String::from_utf8_lossy(data)));
