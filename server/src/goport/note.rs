//! Verifier keys of a checksum database (`GOSUMDB=name+hash+key`), as
//! golang.org/x/mod/sumdb/note `NewVerifier` accepts them: the key's name, a hash that must be
//! the first four bytes of SHA-256(name, newline, key), and an Ed25519 key. A port, because
//! the tool must refuse exactly what `go` refuses, with its words.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// `NewVerifier`: the verifier's name, or the error `go` prints.
pub fn new_verifier(vkey: &str) -> Result<String, &'static str> {
    const ID: &str = "malformed verifier id";
    let (name, rest) = vkey.split_once('+').unwrap_or((vkey, ""));
    let (hash16, key64) = rest.split_once('+').unwrap_or((rest, ""));
    let hash = u32::from_str_radix(hash16, 16).ok();
    let key = base64_decode(key64);
    let valid_name =
        !name.is_empty() && !name.chars().any(char::is_whitespace) && !name.contains('+');
    let (Some(hash), Some(key)) = (hash, key) else {
        return Err(ID);
    };
    if hash16.len() != 8 || hash16.starts_with('+') || !valid_name || key.is_empty() {
        return Err(ID);
    }
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(&key);
    let sum = h.finalize();
    if hash != u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]]) {
        return Err("invalid verifier hash");
    }
    if key[0] != 1 {
        return Err("unknown verifier algorithm");
    }
    if key.len() - 1 != 32 {
        return Err(ID);
    }
    Ok(name.to_string())
}

/// `encoding/base64.StdEncoding.DecodeString`: padded, trailing bits zero, and `\r`/`\n`
/// skipped as Go's decoder skips them.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s.bytes().filter(|&c| c != b'\r' && c != b'\n').collect();
    base64::engine::general_purpose::STANDARD.decode(clean).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_sum_golang_org_key_is_accepted() {
        assert_eq!(
            new_verifier("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"),
            Ok("sum.golang.org".to_string())
        );
    }

    #[test]
    fn broken_keys_get_go_words() {
        assert_eq!(
            new_verifier("sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"),
            Err("invalid verifier hash")
        );
        assert_eq!(new_verifier("sum.golang.org"), Err("malformed verifier id"));
        assert_eq!(
            new_verifier("x+00000000+!!!!"),
            Err("malformed verifier id"),
            "not base64"
        );
        // Padding in the middle, or non-zero trailing bits: refused like Go's decoder.
        assert_eq!(base64_decode("QQ==QQ=="), None);
        assert_eq!(base64_decode("QR=="), None);
        assert_eq!(base64_decode("QQ==").as_deref(), Some(&b"A"[..]));
        assert_eq!(base64_decode("Q\r\nQ==").as_deref(), Some(&b"A"[..]));
    }
}
