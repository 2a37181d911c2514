//! A module proxy on disk (the layout a `file://` GOPROXY serves, and a served proxy too): the
//! stand-in modules and the fake toolchain tests install with the real Go when there is no
//! network. Zips are written by hand (stored entries), as cmd/go reads them.

#![allow(clippy::unwrap_used)]

use std::path::Path;

/// CRC-32 (IEEE), for the stored zip entries.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip of uncompressed entries.
pub fn stored_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let len = data.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // version needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(0u16.to_le_bytes()); // stored
            h.extend(0u32.to_le_bytes()); // time, date
            h.extend(crc.to_le_bytes());
            h.extend(len.to_le_bytes());
            h.extend(len.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend(0u16.to_le_bytes()); // comment
                h.extend(0u16.to_le_bytes()); // disk
                h.extend(0u16.to_le_bytes()); // internal attrs
                h.extend(0u32.to_le_bytes()); // external attrs
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(*data);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    let cd_len = central.len() as u32;
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend(cd_len.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A one-version module `path@version` with a `main` package printing `says`, in the proxy
/// layout under `root` (`<path>/@v/{list,.info,.mod,.zip}`).
pub fn main_module(root: &Path, path: &str, version: &str, says: &str) {
    let at = root.join(path).join("@v");
    std::fs::create_dir_all(&at).unwrap();
    std::fs::write(at.join("list"), format!("{version}\n")).unwrap();
    std::fs::write(
        at.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\",\"Time\":\"2024-01-01T00:00:00Z\"}}"),
    )
    .unwrap();
    let go_mod = format!("module {path}\n\ngo 1.21\n");
    std::fs::write(at.join(format!("{version}.mod")), &go_mod).unwrap();
    let prefix = format!("{path}@{version}/");
    let main_go =
        format!("package main\n\nimport \"fmt\"\n\nfunc main() {{ fmt.Println({says:?}) }}\n");
    std::fs::write(
        at.join(format!("{version}.zip")),
        stored_zip(&[
            (&format!("{prefix}go.mod"), go_mod.as_bytes()),
            (&format!("{prefix}main.go"), main_go.as_bytes()),
        ]),
    )
    .unwrap();
}
