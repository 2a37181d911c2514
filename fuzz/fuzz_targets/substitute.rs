//! Input: selector byte, raw 0xFF folder 0xFF home 0xFF NAME=VALUE lines. vscode-go's
//! substitution (bit 0: without a home directory) and JetBrains' path macros.
#![no_main]
use go_env_doctor_fuzz::{checks, fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (sel, [raw, folder, home, env]) = fields::<4>(data);
    let env: Vec<(String, String)> = env
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let home = (sel & 1 == 0).then_some(home.as_str());
    checks::substitute_any(&raw, &folder, home, &env);
    checks::idea_macros_any(&raw);
});
