//! Input: selector byte, key 0xFF value 0xFF workspace.xml text. Bit 0 of the selector picks
//! set or remove; bit 1 replaces the key by `go.goroot`, bit 2 prefixes it with
//! `go.toolsEnvVars.` (so most inputs reach the editor with a supported key).
#![no_main]
use go_env_doctor_fuzz::{checks, fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (sel, [key, value, text]) = fields::<3>(data);
    let key = if sel & 2 != 0 {
        "go.goroot".to_string()
    } else if sel & 4 != 0 {
        format!("go.toolsEnvVars.{key}")
    } else {
        key
    };
    if sel & 1 == 0 {
        checks::idea_set(&text, &key, &value);
    } else {
        checks::idea_remove(&text, &key);
    }
});
