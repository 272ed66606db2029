//! [`lines`]: the lines of a reader, one at a time; the seeds' `read_large_file`.

use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::io;

use futures_lite::Stream;
use futures_lite::io::AsyncBufRead;

use crate::error::ConfigError;

pin_project_lite::pin_project! {
    /// The stream of [`lines`]: each line of a reader, without its line ending.
    ///
    /// Holds only the line being read: memory stays flat however long the input, bounded by its
    /// longest line, or by [`max_line_len`](Lines::max_line_len) when that is set.
    #[must_use = "streams do nothing unless polled"]
    pub struct Lines<R> {
        #[pin]
        reader: R,
        line: Vec<u8>,
        // Capacity to give the next line's buffer: the last line's length, so a file of similar
        // lines allocates once per line instead of growing each one from empty.
        hint: usize,
        max: usize,
        // Inside a line that was over `max`: its error has been yielded, the rest is discarded.
        skipping: bool,
        done: bool,
    }
}

/// Yields the lines of `reader` one at a time, without their `\n` or `\r\n`.
///
/// The seeds' generator:
///
/// ```python
/// def read_large_file(filepath):
///     with open(filepath) as f:
///         for line in f:
///             yield line.strip()
/// ```
///
/// is `weft::lines(BufReader::new(file))`. Only the current line is in memory, so a file of any
/// size streams through in constant memory (for a file with one enormous line, cap it with
/// [`Lines::max_line_len`]). Unlike Python's `strip()`, only the line ending is removed: call
/// `.trim()` on the line to drop surrounding spaces as well.
///
/// - Empty input yields nothing; a last line without `\n` is still yielded; a trailing `\n` does
///   not yield an extra empty line (as Python's file iteration).
/// - A line that is not UTF-8 yields `Err` of kind `InvalidData` whose inner error
///   (`get_ref`) is the `FromUtf8Error`; the stream goes on with the next line.
/// - An error from the reader is yielded once and ends the stream (a broken reader is not
///   retried in a loop).
/// - Dropping the stream drops the reader and the partial line.
///
/// # Examples
///
/// ```
/// use futures_lite::{io::Cursor, StreamExt};
///
/// weft::block_on(async {
///     let file = Cursor::new("first\r\n  second  \n\nlast");
///     let lines: Vec<String> = weft::lines(file).map(Result::unwrap).collect().await;
///     assert_eq!(lines, ["first", "  second  ", "", "last"]);
///
///     let mut none = weft::lines(Cursor::new(""));
///     assert!(none.next().await.is_none());
/// });
/// ```
pub fn lines<R: AsyncBufRead>(reader: R) -> Lines<R> {
    Lines {
        reader,
        line: Vec::new(),
        hint: 0,
        max: usize::MAX,
        skipping: false,
        done: false,
    }
}

impl<R> Lines<R> {
    /// Caps a line at `max` bytes (the line ending not counted), so that memory stays bounded
    /// even on input with no line breaks.
    ///
    /// A longer line yields one `Err` of kind `InvalidData` as soon as it passes the cap; the
    /// rest of it is read and discarded without being kept, and the stream goes on with the next
    /// line. `max == 0` is a [`ConfigError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_lite::{io::Cursor, StreamExt};
    ///
    /// weft::block_on(async {
    ///     let input = Cursor::new("ok\nthis line is far too long\nfine");
    ///     let lines: Vec<_> = weft::lines(input).max_line_len(8).unwrap().collect().await;
    ///     assert_eq!(lines[0].as_deref().unwrap(), "ok");
    ///     let err = lines[1].as_ref().unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    ///     assert_eq!(err.to_string(), "line longer than 8 bytes");
    ///     assert_eq!(lines[2].as_deref().unwrap(), "fine");
    ///
    ///     assert!(weft::lines(Cursor::new("")).max_line_len(0).is_err());
    /// });
    /// ```
    pub fn max_line_len(mut self, max: usize) -> Result<Self, ConfigError> {
        self.max = ConfigError::at_least_one("max_line_len", max)?;
        Ok(self)
    }

    /// The bytes currently held for the line being read (its buffer's capacity): a way to watch
    /// that memory stays flat.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_lite::{io::Cursor, StreamExt};
    ///
    /// weft::block_on(async {
    ///     let mut lines = weft::lines(Cursor::new("a\nb\n"));
    ///     while let Some(line) = lines.next().await {
    ///         line.unwrap();
    ///         assert_eq!(lines.buffered(), 0, "a yielded line is handed over, not kept");
    ///     }
    /// });
    /// ```
    pub fn buffered(&self) -> usize {
        self.line.capacity()
    }
}

fn too_long(max: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("line longer than {max} bytes"),
    )
}

/// Turns the bytes of one line (without `\n`) into the yielded item.
fn finish(mut line: Vec<u8>) -> io::Result<String> {
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

impl<R: AsyncBufRead> Stream for Lines<R> {
    type Item = io::Result<String>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if *this.done {
                return Poll::Ready(None);
            }
            let buf = match this.reader.as_mut().poll_fill_buf(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(buf)) => buf,
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                Poll::Ready(Err(e)) => {
                    *this.done = true;
                    *this.line = Vec::new();
                    return Poll::Ready(Some(Err(e)));
                }
            };
            if buf.is_empty() {
                *this.done = true;
                if *this.skipping || this.line.is_empty() {
                    return Poll::Ready(None);
                }
                return Poll::Ready(Some(finish(core::mem::take(this.line))));
            }
            let newline = buf.iter().position(|&b| b == b'\n');
            let piece = newline.unwrap_or(buf.len());
            let mut over = false;
            if !*this.skipping {
                // The `\r` of a `\r\n` ending is not part of the line, so it may go one over.
                let last = match piece {
                    0 => this.line.last().copied(),
                    n => Some(buf[n - 1]),
                };
                let allowed = match last {
                    Some(b'\r') => this.max.saturating_add(1),
                    _ => *this.max,
                };
                if this.line.len().saturating_add(piece) > allowed {
                    over = true;
                } else {
                    if this.line.is_empty() {
                        this.line.reserve((*this.hint).max(piece));
                    }
                    this.line.extend_from_slice(&buf[..piece]);
                }
            }
            match newline {
                Some(at) => {
                    this.reader.as_mut().consume(at + 1);
                    if over {
                        *this.line = Vec::new();
                        return Poll::Ready(Some(Err(too_long(*this.max))));
                    }
                    if core::mem::take(this.skipping) {
                        continue;
                    }
                    *this.hint = this.line.len().min(*this.max);
                    return Poll::Ready(Some(finish(core::mem::take(this.line))));
                }
                None => {
                    this.reader.as_mut().consume(piece);
                    if over {
                        *this.skipping = true;
                        *this.line = Vec::new();
                        return Poll::Ready(Some(Err(too_long(*this.max))));
                    }
                }
            }
        }
    }
}

impl<R> fmt::Debug for Lines<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lines")
            .field("partial_line_len", &self.line.len())
            .field("max_line_len", &self.max)
            .field("done", &self.done)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_lite::StreamExt;
    use futures_lite::future::block_on;
    use futures_lite::io::{BufReader, Cursor};

    fn collect(input: &[u8], cap: usize, max: Option<usize>) -> Vec<Result<String, String>> {
        // A tiny buffer so lines straddle many fills.
        let reader = BufReader::with_capacity(cap, Cursor::new(input.to_vec()));
        let mut stream = lines(reader);
        if let Some(max) = max {
            stream = stream.max_line_len(max).unwrap();
        }
        block_on(stream.map(|r| r.map_err(|e| e.to_string())).collect())
    }

    #[test]
    fn lines_straddling_buffer_fills_come_out_whole() {
        for cap in [1, 2, 3, 7, 64] {
            assert_eq!(
                collect(b"hello\nwide world\r\n\nend", cap, None),
                [
                    Ok("hello".into()),
                    Ok("wide world".into()),
                    Ok("".into()),
                    Ok("end".into())
                ],
                "buffer capacity {cap}"
            );
        }
    }

    #[test]
    fn an_over_long_line_is_reported_once_and_skipped() {
        for cap in [1, 4, 64] {
            assert_eq!(
                collect(b"abc\nabcdefghij\nxy\nabcdefghijk", cap, Some(4)),
                [
                    Ok("abc".into()),
                    Err("line longer than 4 bytes".into()),
                    Ok("xy".into()),
                    Err("line longer than 4 bytes".into()),
                ],
                "buffer capacity {cap}"
            );
        }
    }

    #[test]
    fn a_line_of_exactly_the_cap_passes_whatever_its_ending() {
        for cap in [1, 2, 64] {
            assert_eq!(
                collect(b"abcd\r\nabcd\nabcd", cap, Some(4)),
                [Ok("abcd".into()), Ok("abcd".into()), Ok("abcd".into())]
            );
            assert_eq!(
                collect(b"abcd\rx\nab", cap, Some(4)),
                [Err("line longer than 4 bytes".into()), Ok("ab".into())]
            );
        }
    }

    #[test]
    fn invalid_utf8_fails_that_line_only() {
        let out = collect(b"ok\n\xff\xfe\nfine\n", 3, None);
        assert_eq!(out[0], Ok("ok".into()));
        assert!(out[1].is_err());
        assert_eq!(out[2], Ok("fine".into()));
        assert_eq!(out.len(), 3);
    }
}
