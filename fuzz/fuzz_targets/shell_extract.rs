//! Input: mark 0xFF the shell's stdout (raw bytes). What is extracted stands between marks.
#![no_main]
use go_env_doctor_fuzz::checks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (mark, stdout) = match data.iter().position(|b| *b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&data[..data.len().min(12)], data),
    };
    checks::shell_extract_any(stdout, &String::from_utf8_lossy(mark));
});
