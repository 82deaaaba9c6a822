//! Node's limits, answered by Node's own bytes before NocoBase sees anything.

use super::*;

#[tokio::test]
async fn a_seventeen_kilobyte_query_is_refused_by_node() {
    // Arrange (recordings 2.2.15-offpath/135-137: the target counts against the 16 KiB budget)
    let address = server().await;
    let request = format!("GET /api/todos:list?x={} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "a".repeat(17 * 1024));

    // Act
    let answer = exchange(address, request.as_bytes(), Duration::from_secs(5)).await;

    // Assert
    assert_eq!(answer.text, HEAD_TOO_LARGE);
    assert!(answer.closed);
}

#[tokio::test]
async fn a_head_padded_past_a_megabyte_is_refused() {
    // Arrange: Node streams a value's leading whitespace without counting it; the reference
    // server keeps an incomplete head, and stops at 1 MiB (a deliberate deviation).
    let address = server().await;
    let request =
        format!("GET /api/app:getInfo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: {}v\r\n\r\n", " ".repeat(2 << 20));

    // Act
    let answer = exchange(address, request.as_bytes(), Duration::from_secs(5)).await;

    // Assert
    assert_eq!(answer.text, HEAD_TOO_LARGE);
}

#[tokio::test]
async fn chunk_extensions_past_sixteen_kilobytes_are_a_413() {
    // Arrange (asked of Node 20.20.2: 16,001 extension bytes pass, 20,001 do not)
    let address = server().await;
    let token = with_todos(address).await;
    let head = format!(
        "POST /api/todos:create HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let request = format!("{head}2;a={}\r\n{{}}\r\n0\r\n\r\n", "b".repeat(20_000));

    // Act
    let answer = exchange(address, request.as_bytes(), Duration::from_secs(5)).await;

    // Assert
    assert_eq!(answer.text, "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n");
    assert_eq!(count(address, &token).await, 0);
}

#[tokio::test]
async fn a_body_that_breaks_off_creates_nothing() {
    // Arrange (recordings 2.2.15-offpath/212-232: the record is not created, Node answers alone)
    let address = server().await;
    let token = with_todos(address).await;
    let head = format!(
        "POST /api/todos:create HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    for broken in ["2\r\n{}\r\nzz\r\n\r\n", "2\r\n{}XX0\r\n\r\n", "ffffffffffffffffff\r\n{}"] {
        // Act
        let answer = exchange(address, format!("{head}{broken}").as_bytes(), Duration::from_secs(5)).await;

        // Assert
        assert_eq!(answer.text, BAD_REQUEST, "{broken:?}");
        assert!(answer.closed);
    }
    assert_eq!(count(address, &token).await, 0);
}
