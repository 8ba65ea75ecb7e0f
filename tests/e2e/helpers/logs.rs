//! The log lines a test's own thread writes, captured to assert on.

use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

thread_local! {
    /// Where this thread's log lines go, while a test captures them.
    static CAPTURE: std::cell::RefCell<Option<LogBuffer>> = const { std::cell::RefCell::new(None) };
}

/// Writes a log line into the capture buffer of the thread that logged it.
struct ThreadWriter;

impl std::io::Write for ThreadWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|c| {
            if let Some(b) = &*c.borrow() {
                b.0.lock().expect("log lock").extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures this thread's log lines. One global subscriber for the whole test binary: a
/// subscriber scoped to a thread races with tracing's per-callsite interest cache when
/// other tests log on other threads, and lines go missing.
pub fn capture_logs() -> LogBuffer {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_writer(|| ThreadWriter)
            .with_ansi(false)
            .with_env_filter("info")
            .try_init();
    });
    let buf = LogBuffer::default();
    CAPTURE.with(|c| *c.borrow_mut() = Some(buf.clone()));
    buf
}

impl LogBuffer {
    /// What was logged so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("log lock").clone()).expect("utf-8")
    }

    /// The first line logged so far that contains `marker`.
    pub fn line_with(&self, marker: &str) -> String {
        let log = self.text();
        log.lines()
            .find(|l| l.contains(marker))
            .unwrap_or_else(|| panic!("no line with {marker:?} in the log:\n{log}"))
            .to_string()
    }
}
