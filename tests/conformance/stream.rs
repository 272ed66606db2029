//! Streams with bounded memory: lines of huge input in flat memory, exact chunking, chunks by
//! size or time, and an interval that never drifts.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_lite::io::{AsyncRead, BufReader, Cursor};
use futures_lite::{StreamExt, stream};
use weft::stream::{ChunksTimeout, Interval, MissedTicks};
use weft::testing::{self, VirtualRuntime};
use weft_core::timeout::Timeout;

use crate::support::ms;

/// Counts the bytes allocated and not yet freed by this thread, so a test can see how much
/// memory a loop holds at its peak. Per thread, so tests running in parallel do not disturb
/// each other.
mod alloc_count {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    struct Counting;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
        static PEAK: Cell<isize> = const { Cell::new(0) };
    }

    fn add(bytes: isize) {
        let _ = LIVE.try_with(|live| {
            let now = live.get() + bytes;
            live.set(now);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        });
    }

    // SAFETY: every call is forwarded unchanged to the system allocator; the counting only
    // touches thread-local integers and never allocates.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            add(layout.size() as isize);
            // SAFETY: the caller upholds `alloc`'s contract, which we pass on as is.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            add(-(layout.size() as isize));
            // SAFETY: `ptr` was allocated by `System` with `layout` (every allocation goes there).
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            add(new_size as isize - layout.size() as isize);
            // SAFETY: as for `dealloc`; `new_size` comes from the caller, who upholds its rules.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static COUNTING: Counting = Counting;

    /// Starts a measurement: the peak is reset to what this thread holds now.
    pub fn start() -> isize {
        let live = LIVE.with(Cell::get);
        PEAK.with(|peak| peak.set(live));
        live
    }

    /// The most this thread has held above `baseline` since `start`.
    pub fn peak_above(baseline: isize) -> isize {
        PEAK.with(Cell::get) - baseline
    }
}

/// A reader of `lines` generated lines ("line 17: xxxx…", lengths varying from 0 to 199
/// bytes), produced on demand: the input never exists in memory as a whole.
struct Generated {
    lines: u64,
    next: u64,
    current: Vec<u8>,
    pos: usize,
}

impl Generated {
    fn new(lines: u64) -> Self {
        Generated {
            lines,
            next: 0,
            current: Vec::with_capacity(256),
            pos: 0,
        }
    }

    fn line_len(n: u64) -> usize {
        (n * 7919 % 200) as usize
    }

    fn total_bytes(lines: u64) -> u64 {
        (0..lines).map(|n| Self::line_len(n) as u64).sum()
    }
}

impl AsyncRead for Generated {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if self.pos == self.current.len() {
            if self.next == self.lines {
                return Poll::Ready(Ok(0));
            }
            let n = self.next;
            self.next += 1;
            self.current.clear();
            self.current
                .extend((0..Self::line_len(n)).map(|i| b'a' + (i % 26) as u8));
            self.current.push(b'\n');
            self.pos = 0;
        }
        let from = &self.current[self.pos..];
        let count = from.len().min(buf.len());
        buf[..count].copy_from_slice(&from[..count]);
        self.pos += count;
        Poll::Ready(Ok(count))
    }
}

conformance! {
    async fn lines_of_a_huge_input_stream_through_in_flat_memory() {
        const LINES: u64 = 100_000; // about 10 MB of text
        let reader = BufReader::with_capacity(8 * 1024, Generated::new(LINES));
        let mut lines = weft::lines(reader);
        let (mut count, mut bytes, mut most_buffered) = (0_u64, 0_u64, 0_usize);
        let baseline = alloc_count::start();
        while let Some(line) = lines.next().await {
            let line = line.unwrap();
            assert_eq!(line.len(), Generated::line_len(count), "line {count}");
            count += 1;
            bytes += line.len() as u64;
            most_buffered = most_buffered.max(lines.buffered());
        }
        let peak = alloc_count::peak_above(baseline);
        assert_eq!(count, LINES);
        assert_eq!(bytes, Generated::total_bytes(LINES));
        assert!(most_buffered <= 256, "the stream held {most_buffered} bytes for a partial line");
        assert!(
            peak < 64 * 1024,
            "reading {bytes} bytes held {peak} bytes at the peak: memory must stay flat"
        );
    }
}

conformance! {
    async fn lines_strip_only_line_endings_like_python_file_iteration() {
        let all = |text: &'static str| async move {
            weft::lines(Cursor::new(text)).map(Result::unwrap).collect::<Vec<_>>().await
        };
        assert_eq!(all("").await, Vec::<String>::new());
        assert_eq!(all("\n").await, [""]);
        assert_eq!(all("one").await, ["one"]);
        assert_eq!(all("one\n").await, ["one"]);
        assert_eq!(all("a\r\n\r\n  b \nc\r").await, ["a", "", "  b ", "c"]);
        assert_eq!(all("üñï\ncødé").await, ["üñï", "cødé"]);
    }
}

/// Yields `good` bytes, then fails.
struct Failing {
    good: &'static [u8],
}

impl AsyncRead for Failing {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if self.good.is_empty() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "peer went away",
            )));
        }
        let count = self.good.len().min(buf.len());
        buf[..count].copy_from_slice(&self.good[..count]);
        self.good = &self.good[count..];
        Poll::Ready(Ok(count))
    }
}

conformance! {
    async fn a_reader_error_is_yielded_once_and_ends_the_stream() {
        let reader = BufReader::new(Failing { good: b"first\nsecond\npartial" });
        let out: Vec<_> = weft::lines(reader).collect().await;
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].as_deref().unwrap(), "first");
        assert_eq!(out[1].as_deref().unwrap(), "second");
        let err = out[2].as_ref().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
        assert_eq!(err.to_string(), "peer went away");
    }
}

conformance! {
    async fn invalid_utf8_fails_one_line_and_carries_its_cause() {
        let out: Vec<_> = weft::lines(Cursor::new(b"ok\n\xff\xfe\nfine".to_vec())).collect().await;
        assert_eq!(out.len(), 3);
        let err = out[1].as_ref().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        let cause = err.get_ref().expect("the cause is kept");
        assert!(cause.is::<std::string::FromUtf8Error>());
        assert_eq!(out[2].as_deref().unwrap(), "fine");
    }
}

/// `len` bytes of `x` and no line break at all.
struct Endless {
    left: usize,
}

impl AsyncRead for Endless {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let count = self.left.min(buf.len());
        buf[..count].fill(b'x');
        self.left -= count;
        Poll::Ready(Ok(count))
    }
}

conformance! {
    async fn a_line_cap_bounds_memory_on_input_without_line_breaks() {
        let reader = BufReader::new(Endless { left: 4 * 1024 * 1024 });
        let mut lines = weft::lines(reader).max_line_len(1024).unwrap();
        let err = lines.next().await.unwrap().unwrap_err();
        assert_eq!(err.to_string(), "line longer than 1024 bytes");
        assert!(lines.buffered() <= 1025);
        assert!(lines.next().await.is_none(), "the rest of the line is skipped, then the end");
        assert_eq!(
            weft::lines(Cursor::new("")).max_line_len(0).unwrap_err().to_string(),
            "invalid max_line_len: must be at least 1, got 0"
        );
    }
}

conformance! {
    async fn chunks_group_exactly_and_keep_the_last_partial_chunk() {
        async fn chunked(n: u32, size: usize) -> Vec<Vec<u32>> {
            weft::chunks(stream::iter(1..=n), size).unwrap().collect().await
        }
        assert_eq!(chunked(10, 3).await, [vec![1, 2, 3], vec![4, 5, 6], vec![7, 8, 9], vec![10]]);
        assert_eq!(chunked(6, 3).await, [vec![1, 2, 3], vec![4, 5, 6]], "no empty last chunk");
        assert_eq!(chunked(3, 1).await, [vec![1], vec![2], vec![3]]);
        assert_eq!(chunked(3, 100).await, [vec![1, 2, 3]]);
        assert_eq!(chunked(0, 3).await, Vec::<Vec<u32>>::new());
        assert_eq!(chunked(5, usize::MAX).await, [vec![1, 2, 3, 4, 5]], "a huge size allocates nothing up front");
        let err = weft::chunks(stream::iter(1..=3), 0).unwrap_err();
        assert_eq!(err.setting(), "size");
    }
}

/// The items `(name, ms)`, each after sleeping `ms` on the virtual clock.
fn arriving(items: Vec<(u32, u64)>) -> impl futures_lite::Stream<Item = u32> {
    stream::iter(items).then(|(item, delay)| async move {
        testing::sleep(ms(delay)).await;
        item
    })
}

conformance! {
    async fn chunks_timeout_yields_full_chunks_under_load() {
        let out = testing::run(async {
            let start = testing::now();
            let items = arriving((0..10).map(|i| (i, 1)).collect());
            ChunksTimeout::<VirtualRuntime, _>::new(items, 4, ms(100))
                .unwrap()
                .map(|chunk| (chunk, testing::now() - start))
                .collect::<Vec<_>>()
                .await
        });
        assert_eq!(
            out,
            [
                (vec![0, 1, 2, 3], ms(4)),
                (vec![4, 5, 6, 7], ms(8)),
                (vec![8, 9], ms(10)), // the stream ended: flushed at once
            ]
        );
    }
}

conformance! {
    async fn chunks_timeout_yields_a_partial_chunk_once_its_first_item_has_waited_long_enough() {
        let out = testing::run(async {
            let start = testing::now();
            // Items at 10, 15, 50, 200 and 205 ms; chunks close 20 ms after their first item.
            let items = arriving(vec![(1, 10), (2, 5), (3, 35), (4, 150), (5, 5)]);
            let chunks = ChunksTimeout::<VirtualRuntime, _>::new(items, 10, ms(20)).unwrap();
            chunks.map(|chunk| (chunk, testing::now() - start)).collect::<Vec<_>>().await
        });
        assert_eq!(
            out,
            [
                (vec![1, 2], ms(30)),
                (vec![3], ms(70)),
                (vec![4, 5], ms(205)), // the stream ended before the 220 ms deadline
            ]
        );
    }
}

conformance! {
    async fn chunks_timeout_never_yields_an_empty_chunk() {
        let (idle, ended) = testing::run(async {
            let mut idle = ChunksTimeout::<VirtualRuntime, _>::new(stream::pending::<u32>(), 3, ms(10)).unwrap();
            let idle = Timeout::<VirtualRuntime, _>::after(Duration::from_secs(3600), idle.next()).await;
            let ended: Vec<Vec<u32>> = ChunksTimeout::<VirtualRuntime, _>::new(stream::empty(), 3, ms(10))
                .unwrap()
                .collect()
                .await;
            (idle.is_err(), ended)
        });
        assert!(idle, "an idle stream yields nothing, not an empty chunk");
        assert!(ended.is_empty());
        assert!(weft::chunks_timeout(stream::iter([1]), 0, ms(10)).is_err());
    }
}

conformance! {
    async fn chunks_timeout_with_zero_wait_takes_what_is_ready() {
        let out = testing::run(async {
            let ready_then_late = stream::iter([1, 2, 3]).chain(arriving(vec![(4, 10)]));
            ChunksTimeout::<VirtualRuntime, _>::new(ready_then_late, 10, Duration::ZERO)
                .unwrap()
                .collect::<Vec<_>>()
                .await
        });
        assert_eq!(out, [vec![1, 2, 3], vec![4]]);
    }
}

conformance! {
    async fn chunks_timeout_works_on_the_real_clock() {
        let trickle = stream::iter([1, 2]).chain(stream::pending());
        let mut chunks = weft::chunks_timeout(trickle, 5, ms(15)).unwrap();
        let start = weft::now();
        assert_eq!(chunks.next().await, Some(vec![1, 2]));
        assert!(weft::now() - start >= ms(15));
    }
}

conformance! {
    async fn interval_keeps_its_grid_over_a_thousand_ticks_with_a_busy_consumer() {
        let (ticks, end) = testing::run(async {
            let start = testing::now();
            let mut interval = Interval::<VirtualRuntime>::new(ms(10)).unwrap();
            let mut ticks = Vec::with_capacity(1_000);
            for k in 0..1_000_u64 {
                ticks.push(interval.next().await.unwrap() - start);
                // Work of varying length, now and then longer than a period.
                testing::sleep(ms(k % 7 + if k % 100 == 0 { 25 } else { 0 })).await;
            }
            (ticks, testing::now() - start)
        });
        let expected: Vec<_> = (1..=1_000).map(|k| ms(10 * k)).collect();
        assert_eq!(ticks, expected, "tick k is exactly k periods after the start");
        assert!(end < ms(10_040), "no drift accumulated: ended at {end:?}");
    }
}

conformance! {
    async fn interval_skip_drops_missed_ticks_and_stays_on_the_grid() {
        let (burst, skip) = testing::run(async {
            let start = testing::now();
            let mut burst = Interval::<VirtualRuntime>::new(ms(10)).unwrap();
            let mut skip = Interval::<VirtualRuntime>::new(ms(10)).unwrap().missed_ticks(MissedTicks::Skip);
            testing::sleep(ms(45)).await;
            let mut skipped = Vec::new();
            for _ in 0..3 {
                skipped.push(skip.next().await.unwrap() - start);
            }
            let mut bursted = Vec::new();
            for _ in 0..6 {
                bursted.push(burst.next().await.unwrap() - start);
            }
            (bursted, skipped)
        });
        assert_eq!(skip, [ms(10), ms(50), ms(60)]);
        assert_eq!(burst, [ms(10), ms(20), ms(30), ms(40), ms(50), ms(60)]);
    }
}

conformance! {
    async fn interval_at_now_ticks_at_once_and_a_zero_period_is_refused() {
        testing::run(async {
            let now = testing::now();
            let mut ticks = Interval::<VirtualRuntime>::at(now, ms(3)).unwrap();
            assert_eq!(ticks.next().await, Some(now));
            assert_eq!(testing::now(), now);
            assert_eq!(ticks.next().await, Some(now + ms(3)));
        });
        let err = weft::interval(Duration::ZERO).unwrap_err();
        assert_eq!(err.to_string(), "invalid period: must be longer than zero");
        assert!(weft::interval_at(weft::now(), Duration::ZERO).is_err());
    }
}

conformance! {
    async fn interval_ticks_on_the_real_clock_never_early() {
        let start = weft::now();
        let ticks: Vec<_> = weft::interval(ms(5)).unwrap().take(4).collect().await;
        for (k, tick) in ticks.iter().enumerate() {
            assert_eq!(*tick - ticks[0], ms(5) * k as u32, "ticks are on the grid");
        }
        assert!(ticks[0] - start >= ms(5));
        assert!(weft::now() >= ticks[3], "a tick is never delivered before its deadline");
    }
}

conformance! {
    async fn a_dropped_stream_drops_its_partial_chunk() {
        let guards = crate::support::DropCounter::default();
        let items = stream::iter([guards.guard(), guards.guard()]).chain(stream::pending());
        let mut chunks = weft::chunks_timeout(items, 10, Duration::from_secs(3600)).unwrap();
        assert!(weft::timeout(ms(5), chunks.next()).await.is_err());
        assert_eq!(guards.dropped(), 0, "the partial chunk is held");
        drop(chunks);
        assert_eq!(guards.dropped(), 2, "and dropped with the stream");
    }
}
