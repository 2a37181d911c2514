//! What the fuzz targets share: the property checks of `tests/fuzz_support` (the same ones the
//! seeded property tests run, so a failure found here fails there too) and the input layout.

#[path = "../../tests/fuzz_support/mod.rs"]
pub mod checks;

/// Splits a fuzz input into its first byte (which operation, which variant) and `N` text
/// fields separated by 0xFF (a byte never found in UTF-8, so every field is independent); the
/// last field takes the rest. Invalid UTF-8 becomes U+FFFD, so every input reaches the parser.
pub fn fields<const N: usize>(data: &[u8]) -> (u8, [String; N]) {
    let (sel, mut rest) = match data.split_first() {
        Some((s, r)) => (*s, r),
        None => (0, data),
    };
    let out = std::array::from_fn(|i| {
        let piece = if i + 1 == N {
            std::mem::take(&mut rest)
        } else {
            match rest.iter().position(|b| *b == 0xFF) {
                Some(at) => {
                    let (p, r) = rest.split_at(at);
                    rest = &r[1..];
                    p
                }
                None => std::mem::take(&mut rest),
            }
        };
        String::from_utf8_lossy(piece).into_owned()
    });
    (sel, out)
}
