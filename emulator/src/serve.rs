//! The emulator's HTTP/1 servers: an accept loop serving each connection with hyper, whose
//! service carries out the [`ConnectionFault`]s the fault middleware marks on responses
//! (closing without an answer, with an RST, or in the middle of the body).

use super::faults::ConnectionFault;
use axum::body::Body;
use axum::response::Response;
use futures_util::task::AtomicWaker;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

/// Serves `app` on `listener` until `stop` says so (or its sender goes away): then it stops
/// accepting, and open connections finish their requests and close.
pub(crate) fn spawn_server(listener: TcpListener, app: axum::Router, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => Some(accepted),
                _ = stop.wait_for(|stopped| *stopped) => None,
            };
            match accepted {
                None => break,
                Some(Ok((stream, _))) => {
                    tokio::spawn(serve_connection(stream, app.clone(), stop.clone()));
                }
                // E.g. out of file descriptors: wait a little instead of spinning.
                Some(Err(_)) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    });
}

/// What a connection's service shares with the connection's socket.
struct Connection {
    /// A duplicate of the socket's descriptor, to set `SO_LINGER` on (hyper owns the
    /// stream). Dropped with the connection: the socket closes when both are closed.
    dup: Option<socket2::Socket>,
    /// How many times hyper has flushed everything it had buffered.
    flushes: AtomicU64,
    /// Woken on each such flush.
    flushed: AtomicWaker,
}

impl Connection {
    /// Makes the close of the socket an RST.
    fn reset_on_close(&self) {
        if let Some(dup) = &self.dup {
            // Without it the close is a FIN (or an RST anyway if request data is unread).
            let _ = dup.set_linger(Some(Duration::ZERO));
        }
    }
}

async fn serve_connection(stream: TcpStream, app: axum::Router, mut stop: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let dup = socket2::SockRef::from(&stream).try_clone().ok();
    let connection = Arc::new(Connection {
        dup,
        flushes: AtomicU64::new(0),
        flushed: AtomicWaker::new(),
    });
    let io = TokioIo::new(WatchedStream {
        inner: stream,
        connection: connection.clone(),
    });
    let service = {
        let connection = connection.clone();
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            answer(app.clone(), connection.clone(), request)
        })
    };
    let mut serving = Box::pin(hyper::server::conn::http1::Builder::new().serve_connection(io, service));
    let finished = tokio::select! {
        _ = serving.as_mut() => true,
        _ = stop.wait_for(|stopped| *stopped) => false,
    };
    if !finished {
        // Idle: closes now; busy: after the answer in progress.
        serving.as_mut().graceful_shutdown();
        let _ = serving.as_mut().await;
    }
    // The stream, the service and with them every handle on the duplicate go here.
    drop(serving);
    drop(connection);
}

/// The error a service returns to make hyper close the connection without an answer.
fn closed_by_fault() -> io::Error {
    io::Error::other("connection closed by fault injection")
}

/// Runs the router, then carries out the [`ConnectionFault`] on its response, if any.
async fn answer(
    app: axum::Router,
    connection: Arc<Connection>,
    request: hyper::Request<Incoming>,
) -> Result<Response, io::Error> {
    let response = match app.oneshot(request.map(Body::new)).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    match response.extensions().get::<ConnectionFault>().copied() {
        None => Ok(response),
        Some(ConnectionFault::Lost) => Err(closed_by_fault()),
        Some(ConnectionFault::Reset) => {
            connection.reset_on_close();
            Err(closed_by_fault())
        }
        Some(ConnectionFault::Cut) => {
            let (mut parts, body) = response.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
                // The answer failed on its own: nothing to cut.
                return Err(closed_by_fault());
            };
            parts.extensions.remove::<ConnectionFault>();
            parts.headers.remove(http::header::TRANSFER_ENCODING);
            parts
                .headers
                .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(bytes.len()));
            let sent = bytes.slice(..bytes.len() / 2);
            Ok(Response::from_parts(parts, cut_body(sent, connection)))
        }
    }
}

/// A body of `sent`, then an error once hyper has handed everything before it to the socket
/// (an error earlier would make hyper drop what it still buffers): hyper then closes the
/// connection in the middle of the body.
fn cut_body(sent: bytes::Bytes, connection: Arc<Connection>) -> Body {
    let mut sent = Some(sent).filter(|sent| !sent.is_empty());
    // The flush count when hyper asked for what follows `sent`.
    let mut after: Option<u64> = None;
    let stream = futures_util::stream::poll_fn(move |cx| {
        if let Some(sent) = sent.take() {
            return Poll::Ready(Some(Ok(sent)));
        }
        connection.flushed.register(cx.waker());
        let flushes = connection.flushes.load(Ordering::SeqCst);
        match after {
            Some(before) if flushes > before => Poll::Ready(Some(Err(closed_by_fault()))),
            Some(_) => Poll::Pending,
            None => {
                after = Some(flushes);
                Poll::Pending
            }
        }
    });
    Body::from_stream(stream)
}

/// The connection's stream, counting hyper's complete flushes: hyper flushes the stream
/// only once its own buffer is empty.
struct WatchedStream {
    inner: TcpStream,
    connection: Arc<Connection>,
}

impl AsyncRead for WatchedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for WatchedStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let flushed = Pin::new(&mut self.inner).poll_flush(cx);
        if flushed.is_ready() {
            self.connection.flushes.fetch_add(1, Ordering::SeqCst);
            self.connection.flushed.wake();
        }
        flushed
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
