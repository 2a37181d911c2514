//! Any bytes as a VS Code settings file: decoding and parsing (both roots) never panic, spans
//! are sound.
#![no_main]
use go_env_doctor_fuzz::checks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| checks::jsonc_any(data));
