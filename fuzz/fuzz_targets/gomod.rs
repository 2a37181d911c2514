//! Any text as go.mod and go.work, and as a Go version string.
#![no_main]
use go_env_doctor_fuzz::checks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    checks::gomod_any(&text);
    checks::version_any(&text);
});
