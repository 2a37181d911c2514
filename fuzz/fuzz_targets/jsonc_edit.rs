//! Input: selector byte, key 0xFF value 0xFF settings text. Bit 0 of the selector picks the
//! root (settings.json / *.code-workspace), bit 1 set or remove. The edit keeps the file
//! parseable, changes exactly its member, and nothing else in the document.
#![no_main]
use go_env_doctor::settings::jsonc::SettingsRoot;
use go_env_doctor_fuzz::{checks, fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (sel, [key, value, text]) = fields::<3>(data);
    let root = if sel & 1 == 0 {
        SettingsRoot::TopLevel
    } else {
        SettingsRoot::WorkspaceFile
    };
    if sel & 2 == 0 {
        checks::jsonc_set(&text, root, &key, &value);
    } else {
        checks::jsonc_remove(&text, root, &key);
    }
});
