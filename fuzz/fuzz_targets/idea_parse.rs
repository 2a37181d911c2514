//! Any text as `.idea/workspace.xml`: parsing never panics, spans are sound.
#![no_main]
use go_env_doctor_fuzz::checks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| checks::idea_any(&String::from_utf8_lossy(data)));
