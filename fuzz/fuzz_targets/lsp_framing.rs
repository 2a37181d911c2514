//! Any byte stream, in chunks the input chooses, through the framing guard in front of
//! tower-lsp: it never panics or hangs, forwards only single JSON-RPC 2.0 objects, and every
//! byte it writes back belongs to a whole `Content-Length` frame.
#![no_main]
use go_env_doctor::lsp::transport;
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fuzz_target!(|data: &[u8]| {
    // First byte: the chunk size the client writes with (1..=256 bytes).
    let (chunk, stream) = match data.split_first() {
        Some((c, rest)) => (usize::from(*c) + 1, rest.to_vec()),
        None => return,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let (mut client, input) = tokio::io::duplex(1 << 16);
        let (output, mut answers) = tokio::io::duplex(1 << 20);
        let feeder = tokio::spawn(async move {
            for c in stream.chunks(chunk) {
                if client.write_all(c).await.is_err() {
                    break;
                }
            }
        });
        let drain = tokio::spawn(async move {
            let mut all = Vec::new();
            let _ = answers.read_to_end(&mut all).await;
            all
        });
        let forwarded = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = forwarded.clone();
        let ended = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            transport::guard(input, output, move |mut server_in, server_out| async move {
                let mut all = Vec::new();
                let _ = server_in.read_to_end(&mut all).await;
                drop(server_out);
                *seen.lock().expect("lock") = all;
            }),
        )
        .await;
        assert!(ended.is_ok(), "the guard hung");
        let _ = feeder.await;
        let answered = drain.await.expect("drain");
        frames(&answered);
        let forwarded = forwarded.lock().expect("lock").clone();
        for body in frames(&forwarded) {
            let v: serde_json::Value = serde_json::from_slice(&body).expect("forwarded JSON");
            assert!(v.is_object() && v["jsonrpc"] == "2.0", "{v}");
        }
    });
});

/// Whole `Content-Length` frames; panics on a byte outside one.
fn frames(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header end");
        let head = std::str::from_utf8(&rest[..end]).expect("ASCII header");
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .and_then(|n| n.trim().parse().ok())
            .expect("a Content-Length");
        let body = &rest[end + 4..];
        assert!(body.len() >= len, "a frame cut short");
        out.push(body[..len].to_vec());
        rest = &body[len..];
    }
    out
}
