//! No single request can make the server allocate without bound: the worst requests this
//! project knows of — the largest body NocoBase takes, bodies of too many values, compression
//! bombs, endless chunk extensions, padded heads, a field named with 100,000 characters, deep
//! JSON, the longest filters, a list of every row — sent over a socket to the `serve` process
//! (this package's binary, started for the test), whose peak resident set (`VmHWM`) must stay
//! under [`MAX_HWM_MIB`].

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The bound, for the unoptimised build `cargo test` makes (the largest accepted body, 10 MiB,
/// is read, decoded, parsed, stored and echoed; lists are written out whole).
const MAX_HWM_MIB: u64 = 200;

/// The `serve` process, stopped when the test ends (also when it fails).
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `nocobase-reference serve` on a free port: the process and its address (from its
/// banner).
fn serve() -> (Served, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nocobase-reference"))
        .args(["serve", "--port", "0", "--app-key", "lab-test-app-key-0123456789abcdef"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("its output");
    let banner = std::io::BufReader::new(stdout).lines().next().and_then(Result::ok).unwrap_or_default();
    let address = banner
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {banner:?}"));
    (Served(child), address)
}

/// `VmHWM` of the process `pid`, in MiB.
fn peak_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    kib / 1024
}

/// Sends `head` and `body` on a fresh connection (`Connection: close`); the status line and body.
async fn send(address: SocketAddr, head: &str, body: &[u8]) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    // The head and the first MiB of the body are kept; the rest is only counted.
    let (mut out, mut total, mut buf) = (Vec::new(), 0usize, vec![0u8; 64 * 1024]);
    loop {
        match tokio::time::timeout(Duration::from_secs(120), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => {
                total += n;
                if out.len() < 1 << 20 {
                    out.extend_from_slice(&buf[..n]);
                }
            }
        }
    }
    let text_end = out.windows(4).position(|w| w == b"\r\n\r\n").map_or(out.len(), |i| i + 4);
    let status = String::from_utf8_lossy(&out[..text_end]).lines().next().unwrap_or_default().to_owned();
    let body = out[text_end..].to_vec();
    (format!("{status} ({} bytes)", total - text_end), body)
}

fn head(method: &str, path: &str, token: &str, extra: &str, length: Option<usize>) -> String {
    let length = length.map(|n| format!("Content-Length: {n}\r\n")).unwrap_or_default();
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n{extra}{length}\r\n"
    )
}

async fn json_call(address: SocketAddr, method: &str, path: &str, token: &str, body: &str) -> (String, Value) {
    let (status, bytes) = send(address, &head(method, path, token, "", Some(body.len())), body.as_bytes()).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// `{"title":"000…"}` with `zeros` zeros, gzipped (written piece by piece).
fn gzip_bomb(zeros: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(br#"{"title":""#).expect("compresses");
    let piece = vec![b'0'; 1 << 20];
    for _ in 0..zeros >> 20 {
        encoder.write_all(&piece).expect("compresses");
    }
    encoder.write_all(br#""}"#).expect("compresses");
    encoder.finish().expect("compresses")
}

#[tokio::test]
async fn the_worst_requests_leave_the_peak_resident_set_bounded() {
    // Arrange
    let (served, address) = serve();
    let pid = served.0.id();
    let (_, signed_in) =
        json_call(address, "POST", "/api/auth:signIn", "", r#"{"account":"admin@nocobase.com","password":"admin123"}"#)
            .await;
    let token = signed_in["data"]["token"].as_str().expect("a token").to_owned();
    let collection = r#"{"name":"memt","fields":[{"name":"title","type":"string","interface":"input"}]}"#;
    assert!(json_call(address, "POST", "/api/collections:create", &token, collection).await.0.contains("200"));
    let before = peak_mib(pid);

    // Act and assert, case by case: each answer is NocoBase's (or the documented deviation).
    let ten_mib = format!(r#"{{"title":"{}"}}"#, "x".repeat(10 * 1024 * 1024 - 13));
    assert!(json_call(address, "POST", "/api/memt:create", &token, &ten_mib).await.0.contains("200"));
    drop(ten_mib);

    let too_many = format!("[{}1]", "1,".repeat(300_000));
    let (status, _) = json_call(address, "POST", "/api/memt:create", &token, &too_many).await;
    assert!(status.contains("413"), "{status}");

    let many_records = format!("[{}{{}}]", "{},".repeat(49_000));
    assert!(json_call(address, "POST", "/api/memt:create", &token, &many_records).await.0.contains("200"));
    let many_keys = format!("{{{}\"k\":1}}", (0..99_000).map(|i| format!("\"k{i}\":1,")).collect::<String>());
    assert!(json_call(address, "POST", "/api/memt:create", &token, &many_keys).await.0.contains("200"));

    let bomb = gzip_bomb(64 << 20);
    let gzip_head = head("POST", "/api/memt:create", &token, "Content-Encoding: gzip\r\n", Some(bomb.len()));
    assert!(send(address, &gzip_head, &bomb).await.0.contains("413"));

    let chunked = head("POST", "/api/memt:create", &token, "Transfer-Encoding: chunked\r\n", None);
    let endless = format!("2;a={}", "b".repeat(1 << 20));
    assert!(send(address, &chunked, endless.as_bytes()).await.0.contains("413"));

    let padded = head("GET", "/api/memt:list", &token, &format!("X-Pad: {}v\r\n", " ".repeat(8 << 20)), None);
    assert!(send(address, &padded, b"").await.0.contains("431"));

    let long_name = format!(r#"{{"name":"{}","type":"string","interface":"input"}}"#, "f".repeat(100_000));
    let (status, error) = json_call(address, "POST", "/api/collections/memt/fields:create", &token, &long_name).await;
    assert!(status.contains("500") && error.to_string().contains("is too long"), "{status} {error}");

    let deep = format!("{}1{}", "[".repeat(200_000), "]".repeat(200_000));
    // Past ~4740 levels NocoBase's error handler overflows too: Koa's plain-text 500.
    let (status, error) = json_call(address, "POST", "/api/memt:create", &token, &deep).await;
    assert!(status.contains("500") && error.is_null(), "{status} {error}");

    let nested = (0..1_300).fold(r#"{"title":"x"}"#.to_owned(), |inner, _| format!(r#"{{"$and":[{inner}]}}"#));
    let path = format!("/api/memt:list?paginate=false&filter={nested}");
    let (status, _) = send(address, &head("GET", &path, &token, "", None), b"").await;
    assert!(!status.is_empty(), "an answer to the deepest filter");

    for list in ["/api/memt:list?paginate=false", "/api/memt:list?pageSize=1000000000&appends=createdBy"] {
        let (status, _) = send(address, &head("GET", list, &token, "", None), b"").await;
        assert!(status.starts_with("HTTP/1.1 200") && status.contains("(1"), "{status}");
    }

    // Assert
    let peak = peak_mib(pid);
    assert!(peak > 0, "the server's VmHWM could not be read from /proc/{pid}/status");
    assert!(peak < MAX_HWM_MIB, "peak resident set {peak} MiB (before the worst requests: {before} MiB)");
    println!("peak resident set {peak} MiB (before the worst requests: {before} MiB)");
}
