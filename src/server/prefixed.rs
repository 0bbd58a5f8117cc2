//! A connection whose first bytes were already read: they are replayed to the next reader, then
//! every read goes straight to the socket.

use actix_web::web::Bytes;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// `io` with `prefix` (bytes read from it earlier) put back in front of it.
///
/// The front (`super::front`) reads the first request head itself; actix-http's dispatcher then
/// gets the connection as a `Prefixed` and reads that head (and whatever followed it in the same
/// reads) again from `prefix`. Once `prefix` is used up, reads and writes are the socket's own:
/// no copy and no buffering beyond the first head.
pub struct Prefixed<T> {
    prefix: Bytes,
    io: T,
}

impl<T> Prefixed<T> {
    /// `io`, whose next reads return `prefix` first.
    pub fn new(io: T, prefix: Bytes) -> Self {
        Self { prefix, io }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Prefixed<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.prefix.is_empty() {
            return Pin::new(&mut self.io).poll_read(cx, buf);
        }
        let n = self.prefix.len().min(buf.remaining());
        let replayed = self.prefix.split_to(n);
        buf.put_slice(&replayed);
        if self.prefix.is_empty() {
            // Lets go of the head's buffer (a split-off `Bytes` still holds it).
            self.prefix = Bytes::new();
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Prefixed<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn the_prefix_comes_first_then_the_stream_even_through_small_reads() {
        let rest: &[u8] = b" world";
        let mut io = Prefixed::new(rest, Bytes::from_static(b"hello"));
        let mut small = [0u8; 3];
        let n = io.read(&mut small).await.unwrap();
        assert_eq!(&small[..n], b"hel");
        let mut all = Vec::new();
        io.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"lo world");
    }
}
