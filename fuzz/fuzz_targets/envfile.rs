//! Input: selector byte, key 0xFF value 0xFF env file text. Parsing, then (bit 0) set or
//! remove: the key gets exactly the value cmd/go will read, every other line is kept.
#![no_main]
use go_env_doctor_fuzz::{checks, fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (sel, [key, value, text]) = fields::<3>(data);
    checks::envfile_any(&text);
    if sel & 1 == 0 {
        checks::envfile_set(&text, &key, &value);
    } else {
        checks::envfile_remove(&text, &key);
    }
});
