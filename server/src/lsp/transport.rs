//! The framing guard between the client's stdio and tower-lsp.
//!
//! tower-lsp stops reading after the first message it cannot decode (invalid JSON, a batch, a
//! `jsonrpc` other than "2.0"), and buffers whatever a `Content-Length` claims before looking
//! at it. So we read the client's frames ourselves: headers bounded in length and count, a
//! maximum body size, and each body checked to be a single JSON-RPC 2.0 message tower-lsp can
//! decode. Valid frames go on to tower-lsp through an in-memory pipe; invalid ones are answered
//! here with JSON-RPC errors and the session goes on. tower-lsp's output comes back through a
//! second pipe, is cut into whole frames, and one writer task owns stdout, so our error
//! responses never land inside one of its frames.
//!
//! Seeing every message also tells us whether `shutdown` was answered before `exit` (or before
//! the client went away): the process's exit code.

use serde::Deserialize;
use serde_json::{json, Value};
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
    DuplexStream,
};
use tokio::sync::{mpsc, watch};
use tower_lsp_server::jsonrpc::{Request, Response};

/// Largest message body accepted (64 MiB). What this server is sent is small: requests, and
/// the text of settings files, go.mod and go.work (KiBs). An editor may still open a big
/// generated file of a language we watch, so the limit is generous; above it the client is
/// broken or hostile. Bodies are read as their bytes arrive, so a claim costs nothing until
/// then, and a refused body is skipped through a fixed buffer.
pub const MAX_MESSAGE: usize = 64 << 20;
/// A header line (`Content-Length: 123`, `Content-Type: …`) is far shorter than this.
const MAX_HEADER_LINE: usize = 1024;
/// LSP defines two headers; a few unknown ones are tolerated.
const MAX_HEADERS: usize = 16;
/// Read buffer on stdin: large enough that skipping a refused body is a few thousand reads
/// per GiB (each read of tokio's stdin is a hop to a blocking thread).
const READ_BUFFER: usize = 64 << 10;
/// The in-memory pipes to and from tower-lsp.
const PIPE: usize = 64 << 10;
/// Whole frames queued for stdout (backpressure when the client does not read).
const QUEUED_FRAMES: usize = 64;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    /// `shutdown` was answered successfully: the client ended the session properly (exit 0).
    pub shut_down: bool,
    /// The client sent `exit` (else its input ended).
    pub exited: bool,
}

/// What the guard saw, shared by its tasks.
#[derive(Default)]
struct Seen {
    /// Ids of `shutdown` requests not answered yet.
    shutdown_ids: Mutex<Vec<Value>>,
    shut_down: AtomicBool,
    exited: AtomicBool,
}

/// Serves one session on `input`/`output`: `serve` runs tower-lsp on the two pipe ends it is
/// given (its input, its output) and returns when tower-lsp has stopped.
pub async fn guard<I, O, F, Fut>(input: I, output: O, serve: F) -> Ending
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    F: FnOnce(DuplexStream, DuplexStream) -> Fut,
    Fut: Future<Output = ()>,
{
    let (to_server, server_in) = tokio::io::duplex(PIPE);
    let (server_out, from_server) = tokio::io::duplex(PIPE);
    let (frames, queued) = mpsc::channel(QUEUED_FRAMES);
    let seen = Arc::new(Seen::default());
    let writer = tokio::spawn(write_frames(output, queued));
    let reader = tokio::spawn(read_client(input, to_server, frames.clone(), seen.clone()));
    let pump = tokio::spawn(pump_server(from_server, frames, seen.clone()));
    serve(server_in, server_out).await;
    // tower-lsp has stopped; what it wrote last is still in the pipe. Its output end is closed,
    // so the pump ends once it has passed everything on.
    if let Err(e) = pump.await {
        tracing::error!("the output pump failed: {e}");
    }
    // The reader may still wait for stdin (after `exit`, clients often keep it open).
    reader.abort();
    let _ = reader.await;
    if let Err(e) = writer.await {
        tracing::error!("the output writer failed: {e}");
    }
    Ending {
        shut_down: seen.shut_down.load(Ordering::SeqCst),
        exited: seen.exited.load(Ordering::SeqCst),
    }
}

/// Reads the client's frames, forwards the valid ones to tower-lsp and answers the others.
/// Returns at `exit`, at the end of input, or when either side is gone.
async fn read_client<I: AsyncRead + Unpin>(
    input: I,
    mut to_server: DuplexStream,
    frames: mpsc::Sender<Vec<u8>>,
    seen: Arc<Seen>,
) {
    let mut input = BufReader::with_capacity(READ_BUFFER, input);
    let mut resumed = false;
    loop {
        let head = match read_head(&mut input, resumed).await {
            Ok(head) => head,
            Err(e) => {
                tracing::warn!("cannot read the client's input: {e}");
                return;
            }
        };
        resumed = false;
        let refusal = match head {
            Head::End => return,
            Head::Truncated => {
                tracing::warn!("the client's input ended inside a message header");
                return;
            }
            Head::Malformed(why) => {
                tracing::warn!("unreadable message header ({why}): skipping to the next one");
                let sent = frames
                    .send(error_frame(Value::Null, PARSE_ERROR, &why))
                    .await;
                match skip_to_next_header(&mut input).await {
                    Ok(true) if sent.is_ok() => {
                        resumed = true;
                        continue;
                    }
                    Ok(_) => return,
                    Err(e) => {
                        tracing::warn!("cannot read the client's input: {e}");
                        return;
                    }
                }
            }
            Head::Length(len) if len > MAX_MESSAGE => {
                let why = format!(
                    "message of {len} bytes refused: the limit is {MAX_MESSAGE} bytes (64 MiB); \
                     its body is skipped"
                );
                tracing::warn!("{why}");
                if frames
                    .send(error_frame(Value::Null, INVALID_REQUEST, &why))
                    .await
                    .is_err()
                {
                    return;
                }
                // The length is known, so skipping the body keeps the stream in sync; it goes
                // through the read buffer, never into memory as a whole.
                let limited = &mut (&mut input).take(len as u64);
                match tokio::io::copy_buf(limited, &mut tokio::io::sink()).await {
                    Ok(n) if n == len as u64 => continue,
                    Ok(_) => {
                        tracing::warn!("the client's input ended inside a refused message");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!("cannot read the client's input: {e}");
                        return;
                    }
                }
            }
            Head::Length(len) => {
                let mut body = Vec::new();
                match (&mut input).take(len as u64).read_to_end(&mut body).await {
                    Ok(n) if n == len => {}
                    Ok(_) => {
                        tracing::warn!("the client's input ended inside a message");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!("cannot read the client's input: {e}");
                        return;
                    }
                }
                match validate(&body) {
                    Ok(msg) => {
                        let method = msg.get("method").and_then(Value::as_str);
                        if method == Some("shutdown") {
                            if let Some(id) = msg.get("id") {
                                lock(&seen.shutdown_ids).push(id.clone());
                            }
                        }
                        let exit = method == Some("exit");
                        let mut frame = header(len);
                        frame.extend_from_slice(&body);
                        if to_server.write_all(&frame).await.is_err() {
                            return;
                        }
                        if exit {
                            // tower-lsp stops reading at `exit`; so do we.
                            seen.exited.store(true, Ordering::SeqCst);
                            return;
                        }
                        continue;
                    }
                    Err(refusal) => refusal,
                }
            }
        };
        if frames.send(refusal).await.is_err() {
            return;
        }
    }
}

/// Cuts tower-lsp's output into whole frames for the writer, noting successful answers to
/// `shutdown`.
async fn pump_server(from_server: DuplexStream, frames: mpsc::Sender<Vec<u8>>, seen: Arc<Seen>) {
    let mut from_server = BufReader::with_capacity(PIPE, from_server);
    let mut writer_gone = false;
    loop {
        let len = match read_head(&mut from_server, false).await {
            Ok(Head::Length(len)) => len,
            Ok(Head::End) => return,
            Ok(other) => {
                tracing::error!("unexpected output from the language server: {other:?}");
                return;
            }
            Err(e) => {
                tracing::error!("cannot read the language server's output: {e}");
                return;
            }
        };
        let mut frame = header(len);
        let start = frame.len();
        match (&mut from_server)
            .take(len as u64)
            .read_to_end(&mut frame)
            .await
        {
            Ok(n) if n == len => {}
            Ok(_) => return,
            Err(e) => {
                tracing::error!("cannot read the language server's output: {e}");
                return;
            }
        }
        note_shutdown_answer(&frame[start..], &seen);
        // Without a writer, keep draining so tower-lsp never blocks on a full pipe.
        if !writer_gone && frames.send(frame).await.is_err() {
            writer_gone = true;
        }
    }
}

fn note_shutdown_answer(body: &[u8], seen: &Seen) {
    let mut ids = lock(&seen.shutdown_ids);
    if ids.is_empty() {
        return;
    }
    let Ok(msg) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    if msg.get("method").is_some() {
        return;
    }
    let Some(at) = msg
        .get("id")
        .and_then(|id| ids.iter().position(|s| s == id))
    else {
        return;
    };
    ids.swap_remove(at);
    if msg.get("result").is_some() {
        seen.shut_down.store(true, Ordering::SeqCst);
    }
}

/// How many `textDocument/publishDiagnostics` notifications this process has written to its
/// clients (flushed): work that would compete with getting diagnostics out waits for it
/// ([`published_reached`]).
static PUBLISHED: std::sync::LazyLock<watch::Sender<u64>> =
    std::sync::LazyLock::new(|| watch::Sender::new(0));

/// The count of [`PUBLISHED`] now.
pub fn published_written() -> u64 {
    *PUBLISHED.borrow()
}

/// Waits until [`PUBLISHED`] reaches `count`, or for `at_most` (a client that does not read).
pub async fn published_reached(count: u64, at_most: std::time::Duration) {
    let mut written = PUBLISHED.subscribe();
    let _ = tokio::time::timeout(at_most, written.wait_for(|n| *n >= count)).await;
}

/// Whether a frame is a publishDiagnostics notification. tower-lsp writes `jsonrpc` and
/// `method` first; looking only there keeps a large frame cheap, and a diagnostic's own text
/// (which can quote anything) out of it.
fn is_publish(frame: &[u8]) -> bool {
    const METHOD: &[u8] = b"\"method\":\"textDocument/publishDiagnostics\"";
    let body = frame
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(frame, |end| &frame[end + 4..]);
    let head = &body[..body.len().min(128)];
    head.windows(METHOD.len()).any(|w| w == METHOD)
}

/// The only writer of stdout: one whole frame at a time.
async fn write_frames<O: AsyncWrite + Unpin>(mut output: O, mut queued: mpsc::Receiver<Vec<u8>>) {
    while let Some(frame) = queued.recv().await {
        let written = match output.write_all(&frame).await {
            Ok(()) => output.flush().await,
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            tracing::warn!("cannot write to the client: {e}");
            return;
        }
        if is_publish(&frame) {
            PUBLISHED.send_modify(|n| *n += 1);
        }
    }
}

/// One message header as read.
#[derive(Debug)]
enum Head {
    /// A body of this many bytes follows.
    Length(usize),
    /// The input ended between messages.
    End,
    /// The input ended inside a header.
    Truncated,
    /// Not a usable header (why); where its body ends is unknown.
    Malformed(String),
}

/// Reads header lines up to the empty line. `resumed`: [`skip_to_next_header`] has just
/// consumed `Content-Length:`, the rest of that line comes first.
async fn read_head<R: AsyncBufRead + Unpin>(r: &mut R, resumed: bool) -> io::Result<Head> {
    let mut line = Vec::new();
    let mut length = None;
    let mut count = 0;
    loop {
        line.clear();
        if resumed && count == 0 {
            line.extend_from_slice(b"Content-Length:");
        }
        match read_line(r, &mut line).await? {
            Line::Complete => {}
            Line::End if count == 0 && line.is_empty() => return Ok(Head::End),
            Line::End => return Ok(Head::Truncated),
            Line::TooLong => {
                return Ok(Head::Malformed(format!(
                    "a header line is longer than {MAX_HEADER_LINE} bytes"
                )))
            }
        }
        if line.is_empty() {
            if count == 0 {
                // Stray line breaks between messages.
                continue;
            }
            return Ok(match length {
                Some(n) => Head::Length(n),
                None => Head::Malformed("the header has no Content-Length".to_string()),
            });
        }
        count += 1;
        if count > MAX_HEADERS {
            return Ok(Head::Malformed(format!(
                "more than {MAX_HEADERS} header lines"
            )));
        }
        let text = String::from_utf8_lossy(&line);
        let Some((name, value)) = text.split_once(':') else {
            return Ok(Head::Malformed(format!("not a header line: {text:?}")));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => {
                    return Ok(Head::Malformed(format!(
                        "invalid Content-Length {:?}",
                        value.trim()
                    )))
                }
            }
        }
    }
}

enum Line {
    Complete,
    /// The input ended (what came before is in the line).
    End,
    TooLong,
}

/// Appends one line without its `\n` / `\r\n` to `line`, reading at most [`MAX_HEADER_LINE`]
/// bytes of it.
async fn read_line<R: AsyncBufRead + Unpin>(r: &mut R, line: &mut Vec<u8>) -> io::Result<Line> {
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(Line::End);
        }
        let newline = buf.iter().position(|&b| b == b'\n');
        let take = newline.map_or(buf.len(), |i| i + 1);
        if line.len() + take > MAX_HEADER_LINE {
            return Ok(Line::TooLong);
        }
        line.extend_from_slice(&buf[..take]);
        r.consume(take);
        if newline.is_some() {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(Line::Complete);
        }
    }
}

/// After an unusable header the body's end is unknown: skips everything up to and including
/// the next `Content-Length:` (any case), where the next message must start. `false` if the
/// input ended first.
async fn skip_to_next_header<R: AsyncBufRead + Unpin>(r: &mut R) -> io::Result<bool> {
    // No proper prefix of this name is also its suffix, so a mismatch can restart matching at
    // the current byte without backtracking.
    const NAME: &[u8] = b"content-length:";
    let mut matched = 0;
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(false);
        }
        let mut found = None;
        for (i, b) in buf.iter().enumerate() {
            let b = b.to_ascii_lowercase();
            matched = if b == NAME[matched] {
                matched + 1
            } else if b == NAME[0] {
                1
            } else {
                0
            };
            if matched == NAME.len() {
                found = Some(i + 1);
                break;
            }
        }
        let used = found.unwrap_or(buf.len());
        r.consume(used);
        if found.is_some() {
            return Ok(true);
        }
    }
}

/// The message `body` holds, or the error frame that refuses it.
fn validate(body: &[u8]) -> Result<Value, Vec<u8>> {
    let refuse = |id: Value, code: i64, why: &str| {
        tracing::warn!("refused a message: {why}");
        error_frame(id, code, why)
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(refuse(Value::Null, PARSE_ERROR, "the message is not UTF-8"));
    };
    let msg: Value = match serde_json::from_str(text) {
        Ok(msg) => msg,
        Err(e) => {
            return Err(refuse(
                Value::Null,
                PARSE_ERROR,
                &format!("the message is not JSON: {e}"),
            ))
        }
    };
    let obj = match &msg {
        Value::Object(obj) => obj,
        Value::Array(_) => {
            return Err(refuse(
                Value::Null,
                INVALID_REQUEST,
                "batches are not supported: send one message per frame",
            ))
        }
        _ => {
            return Err(refuse(
                Value::Null,
                INVALID_REQUEST,
                "a message must be a JSON object",
            ))
        }
    };
    // The id to answer with, when it is one JSON-RPC allows.
    let id = match obj.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(refuse(id, INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\""));
    }
    // Exactly what tower-lsp decodes: anything else would end its session.
    if Request::deserialize(&msg).is_err() && Response::deserialize(&msg).is_err() {
        return Err(refuse(
            id,
            INVALID_REQUEST,
            "not a JSON-RPC request, notification or response",
        ));
    }
    Ok(msg)
}

fn header(len: usize) -> Vec<u8> {
    format!("Content-Length: {len}\r\n\r\n").into_bytes()
}

fn error_frame(id: Value, code: i64, message: &str) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string();
    let mut frame = header(body.len());
    frame.extend_from_slice(body.as_bytes());
    frame
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn head(mut input: &[u8]) -> (Head, Vec<u8>) {
        let head = read_head(&mut input, false).await.unwrap_or(Head::End);
        (head, input.to_vec())
    }

    #[tokio::test]
    async fn headers_are_case_insensitive_and_other_headers_are_ignored() {
        let (h, rest) =
            head(b"\r\ncontent-length: 12\r\nContent-Type: application/json\r\n\r\n{}").await;
        assert!(matches!(h, Head::Length(12)), "{h:?}");
        assert_eq!(rest, b"{}");
        let (h, _) = head(b"Content-Length: 2\n\n{}").await;
        assert!(matches!(h, Head::Length(2)), "{h:?}");
    }

    #[tokio::test]
    async fn headers_are_bounded() {
        let long = format!("X-Pad: {}\r\n\r\n", "a".repeat(MAX_HEADER_LINE));
        let (h, _) = head(long.as_bytes()).await;
        assert!(
            matches!(h, Head::Malformed(ref m) if m.contains("longer")),
            "{h:?}"
        );
        let many = "X-Pad: a\r\n".repeat(MAX_HEADERS + 1) + "Content-Length: 2\r\n\r\n{}";
        let (h, _) = head(many.as_bytes()).await;
        assert!(
            matches!(h, Head::Malformed(ref m) if m.contains("header lines")),
            "{h:?}"
        );
        let (h, _) = head(b"Content-Length: -1\r\n\r\n").await;
        assert!(
            matches!(h, Head::Malformed(ref m) if m.contains("-1")),
            "{h:?}"
        );
        let (h, _) = head(b"Content-Length: 99999999999999999999999\r\n\r\n").await;
        assert!(matches!(h, Head::Malformed(_)), "{h:?}");
        let (h, _) = head(b"Content-Le").await;
        assert!(matches!(h, Head::Truncated), "{h:?}");
        let (h, _) = head(b"").await;
        assert!(matches!(h, Head::End), "{h:?}");
    }

    #[tokio::test]
    async fn resync_finds_the_next_header_across_reads() {
        // A 4-byte buffer splits the name over several reads.
        let input: &[u8] = b"{\"x\":1}ContentContent-LENGTH: 2\r\n\r\n{}";
        let mut r = BufReader::with_capacity(4, input);
        assert!(skip_to_next_header(&mut r).await.unwrap_or(false));
        let h = read_head(&mut r, true).await.unwrap_or(Head::End);
        assert!(matches!(h, Head::Length(2)), "{h:?}");
        let mut r = BufReader::new(&b"no header here"[..]);
        assert!(!skip_to_next_header(&mut r).await.unwrap_or(true));
    }

    fn refused(body: &[u8]) -> Value {
        let frame = validate(body).err().unwrap_or_default();
        let text = String::from_utf8_lossy(&frame);
        let json = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        serde_json::from_str(json).unwrap_or_default()
    }

    #[test]
    fn publishes_are_told_by_their_method_not_by_what_a_diagnostic_says() {
        let frame = |body: &str| [header(body.len()), body.as_bytes().to_vec()].concat();
        assert!(is_publish(&frame(
            r#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{}}"#
        )));
        assert!(!is_publish(&frame(
            r#"{"jsonrpc":"2.0","result":{"text":"\"method\":\"textDocument/publishDiagnostics\""},"id":1}"#
        )));
        assert!(!is_publish(&frame(
            r#"{"jsonrpc":"2.0","method":"window/logMessage","params":{}}"#
        )));
        // As tower-lsp writes one: the method must come within the head looked at, or every
        // check would wait out its bound before what it defers.
        let params =
            json!({"uri": "file:///w/go.mod", "diagnostics": [{"message": "x".repeat(500)}]});
        let real = Request::build("textDocument/publishDiagnostics")
            .params(params)
            .finish();
        let body = serde_json::to_string(&real).unwrap_or_default();
        assert!(is_publish(&frame(&body)), "{body}");
    }

    #[test]
    fn invalid_messages_get_json_rpc_errors() {
        let e = refused(b"{\"jsonrpc\":");
        assert_eq!(
            (e["id"].clone(), e["error"]["code"].clone()),
            (Value::Null, json!(-32700))
        );
        let e = refused(br#"[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]"#);
        assert_eq!(
            (e["id"].clone(), e["error"]["code"].clone()),
            (Value::Null, json!(-32600))
        );
        let e = refused(br#"{"jsonrpc":"1.0","id":"a","method":"shutdown"}"#);
        assert_eq!(
            (e["id"].clone(), e["error"]["code"].clone()),
            (json!("a"), json!(-32600))
        );
        let e = refused(br#"{"jsonrpc":"2.0","id":{"x":1},"method":"shutdown"}"#);
        assert_eq!(
            (e["id"].clone(), e["error"]["code"].clone()),
            (Value::Null, json!(-32600))
        );
        for ok in [
            &br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#[..],
            br#"{"jsonrpc":"2.0","method":"exit"}"#,
            br#"{"jsonrpc":"2.0","id":3,"result":[null]}"#,
            br#"{"jsonrpc":"2.0","id":"4","error":{"code":-1,"message":"no"}}"#,
        ] {
            assert!(validate(ok).is_ok(), "{}", String::from_utf8_lossy(ok));
        }
    }
}
