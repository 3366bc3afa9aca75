//! The read timeout ([`Config::with_read_timeout`]) as the crate keeps it: an attempt fails
//! when nothing goes out and nothing comes in for that long, never while bytes keep moving
//! — an answer that trickles in, an upload whose body takes longer than the timeout to
//! send. Raw TCP servers and the emulator, on 127.0.0.1.

#[cfg(any(feature = "v0_7", feature = "upload"))]
const TIMEOUT: std::time::Duration = std::time::Duration::from_millis(300);

#[cfg(feature = "v0_7")]
mod rest {
    use super::TIMEOUT;
    use crate::common::PUBLIC_KEY;
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use uploadcare::{Config, Error, ErrorKind, RetryPolicy};

    /// A server that answers every request with `200` and a JSON project, its body written in
    /// `pieces` pieces `gap` apart, then (with `stall`) holds the connection open without
    /// writing the rest. Returns its base URL.
    async fn trickling_server(pieces: usize, gap: Duration, stall: bool) -> String {
        let project = format!(
            r#"{{"name": "Demo", "pub_key": "{PUBLIC_KEY}", "autostore_enabled": true, "collaborators": []}}"#
        );
        // Leading blanks are valid JSON: one byte per piece before the object.
        let body = format!("{}{project}", " ".repeat(pieces));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let body = body.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buffer = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                    for byte in body.as_bytes()[..pieces].chunks(1) {
                        tokio::time::sleep(gap).await;
                        let _ = socket.write_all(byte).await;
                    }
                    if stall {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    let _ = socket.write_all(&body.as_bytes()[pieces..]).await;
                    let _ = socket.flush().await;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                });
            }
        });
        url
    }

    fn rest_client(url: &str) -> uploadcare::v0_7::Client {
        let config = Config::new(PUBLIC_KEY, "secret")
            .with_rest_base_url(url)
            .with_read_timeout(TIMEOUT)
            .with_retry_policy(RetryPolicy::never());
        uploadcare::v0_7::Client::from_config(config).unwrap()
    }

    #[tokio::test]
    async fn an_answer_that_keeps_coming_is_read_whole_however_long_it_takes() {
        // 6 pieces 120 ms apart: 720 ms in all, never 300 ms silent.
        let url = trickling_server(6, Duration::from_millis(120), false).await;
        let started = Instant::now();
        let project = rest_client(&url).project_info().send().await.unwrap();
        assert_eq!(project.name.as_deref(), Some("Demo"));
        assert!(started.elapsed() > TIMEOUT * 2, "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn an_answer_that_stops_coming_fails_after_the_read_timeout() {
        let url = trickling_server(2, Duration::from_millis(50), true).await;
        let started = Instant::now();
        let err = Error::from(rest_client(&url).project_info().send().await.unwrap_err());
        let waited = started.elapsed();
        assert!(
            matches!(err, Error::ReadTimeout { timeout } if timeout == TIMEOUT),
            "{err:?}"
        );
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(err.is_retryable(), "a read can be sent again");
        // Silent from ≈ 100 ms: failed after one to two timeouts of silence.
        assert!(
            waited >= TIMEOUT && waited < TIMEOUT * 2 + Duration::from_millis(400),
            "{waited:?}"
        );
        assert!(err.to_string().contains("300 ms"), "{err}");
    }
}

#[cfg(feature = "upload")]
mod upload {
    use super::TIMEOUT;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::{Duration, Instant};
    use tokio::io::ReadBuf;
    use uploadcare::{Error, RetryPolicy};
    use uploadcare_emulator::Emulator;

    /// `len` bytes, `step` at a time, one step every `gap` (`stall_after`: then nothing more).
    struct Trickle {
        left: usize,
        step: usize,
        gap: Duration,
        stall_after: Option<usize>,
        wait: Pin<Box<tokio::time::Sleep>>,
    }

    impl Trickle {
        fn new(len: usize, step: usize, gap: Duration, stall_after: Option<usize>) -> Self {
            Self {
                left: len,
                step,
                gap,
                stall_after,
                wait: Box::pin(tokio::time::sleep(gap)),
            }
        }
    }

    impl tokio::io::AsyncRead for Trickle {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            if self.left == 0 {
                return Poll::Ready(Ok(()));
            }
            if self.stall_after == Some(0) {
                // Never ready again (the test's timeout ends it).
                return Poll::Pending;
            }
            std::task::ready!(self.wait.as_mut().poll(cx));
            let n = self.step.min(self.left).min(buf.remaining());
            buf.put_slice(&vec![b'x'; n]);
            self.left -= n;
            self.stall_after = self.stall_after.map(|s| s - 1);
            let next = tokio::time::Instant::now() + self.gap;
            self.wait.as_mut().reset(next);
            Poll::Ready(Ok(()))
        }
    }

    fn upload_client(emulator: &Emulator) -> uploadcare::upload::Client {
        let config = emulator
            .config()
            .with_read_timeout(TIMEOUT)
            .with_retry_policy(RetryPolicy::never());
        uploadcare::upload::Client::from_config(config).unwrap()
    }

    #[tokio::test]
    async fn an_upload_whose_body_takes_longer_than_the_read_timeout_to_send_succeeds() {
        let emulator = Emulator::start().await.unwrap();
        // 8 steps of 16 KiB, 110 ms apart: ≈ 0.9 s to send, never 300 ms without a byte.
        let len = 8 * 16 * 1024;
        let reader = Trickle::new(len, 16 * 1024, Duration::from_millis(110), None);
        let started = Instant::now();
        let file = upload_client(&emulator)
            .upload(uploadcare::upload::UploadSource::reader(reader, len as u64))
            .filename("slow.bin")
            .send()
            .await
            .unwrap();
        assert!(started.elapsed() > TIMEOUT * 2, "{:?}", started.elapsed());
        assert_eq!(emulator.state().file(file.uuid).unwrap().data.len(), len);
    }

    #[tokio::test]
    async fn an_upload_whose_body_stops_fails_after_the_read_timeout_and_stores_nothing() {
        let emulator = Emulator::start().await.unwrap();
        let len = 8 * 16 * 1024;
        let reader = Trickle::new(len, 16 * 1024, Duration::from_millis(20), Some(2));
        let started = Instant::now();
        let err = upload_client(&emulator)
            .upload(uploadcare::upload::UploadSource::reader(reader, len as u64))
            .filename("stalled.bin")
            .send()
            .await
            .unwrap_err();
        let waited = started.elapsed();
        // The body was not sent whole, so nothing can have been stored: a plain read timeout,
        // not "outcome unknown".
        assert!(matches!(err, Error::ReadTimeout { .. }), "{err:?}");
        assert!(
            waited >= TIMEOUT && waited < TIMEOUT * 2 + Duration::from_millis(400),
            "{waited:?}"
        );
        assert!(emulator.state().file_uuids().is_empty());
    }
}
