//! Node's timers on a connection, and how long a connection lives.

use std::time::Instant;

use super::*;

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_about_six_seconds() {
    // Arrange (measured on NocoBase 2.2.15: keepAliveTimeout 5 s + Node's 1 s grace)
    let address = server().await;
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream.write_all(b"GET /api/__health_check HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.expect("writes");
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).await.expect("an answer");
    assert!(String::from_utf8_lossy(&buf[..n]).contains("Keep-Alive: timeout=5"));
    let idle_since = Instant::now();

    // Act
    let read = tokio::time::timeout(Duration::from_secs(15), stream.read(&mut buf)).await;

    // Assert
    assert!(matches!(read, Ok(Ok(0))), "the server closes the connection without a word: {read:?}");
    let idle = idle_since.elapsed();
    assert!(idle >= Duration::from_millis(5_500) && idle <= Duration::from_millis(7_500), "{idle:?}");
}

#[tokio::test]
async fn a_connection_that_keeps_talking_stays_open() {
    // Arrange
    let address = server().await;
    let mut stream = TcpStream::connect(address).await.expect("connects");
    let mut buf = [0u8; 4096];

    // Act: three requests four seconds apart outlive one idle period.
    for _ in 0..3 {
        stream.write_all(b"GET /api/__health_check HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.expect("writes");
        let n = stream.read(&mut buf).await.expect("an answer");

        // Assert
        assert!(String::from_utf8_lossy(&buf[..n]).ends_with("\r\n\r\nok"));
        tokio::time::sleep(Duration::from_secs(4)).await;
    }
}

#[tokio::test]
async fn a_stopped_server_closes_its_kept_alive_connections() {
    // Arrange: a kept-alive connection to a server whose task is then stopped, as a restart does.
    let config = ServerConfig { app_key: APP_KEY.to_owned(), root: RootAccount::default(), database: None };
    let state = AppState::new(config).expect("the reference server starts");
    let (address, task) = spawn(state).await.expect("it listens");
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream.write_all(b"GET /api/__health_check HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.expect("writes");
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).await.expect("an answer");
    assert!(String::from_utf8_lossy(&buf[..n]).contains("Keep-Alive: timeout=5"));

    // Act
    task.abort();
    let _ = task.await;
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await;

    // Assert: closed at once, not after the idle timer (about six seconds).
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "the connection is closed with the server: {read:?}");
}
