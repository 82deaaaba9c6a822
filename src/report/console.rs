//! The one door every report passes through on its way out (console, JUnit, the readable report):
//! a line-buffered writer that scrubs secrets (every registered secret and anything shaped like a
//! JWT, see [`crate::secret`]) and words failures for people — cucumber reports a step that
//! returned an error as "Step panicked. Captured output: …", which is not what happened.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the lines meant for people go to stderr: stdout carries JSON (`--format json`).
static PEOPLE_ON_STDERR: AtomicBool = AtomicBool::new(false);

/// Sends the lines meant for people to stderr (`true`) or stdout, for the rest of the process.
pub fn people_on_stderr(on: bool) {
    PEOPLE_ON_STDERR.store(on, Ordering::Relaxed);
}

/// Where the lines meant for people go: stdout, or stderr when stdout carries JSON.
pub fn for_people() -> Box<dyn Write + Send> {
    if PEOPLE_ON_STDERR.load(Ordering::Relaxed) { Box::new(io::stderr()) } else { Box::new(io::stdout()) }
}

/// Writes a line for people (stdout, or stderr with `--format json`), scrubbed. A closed stdout
/// (`… | head`) is not an error worth a panic, which is what `println!` would make of it.
pub fn say(line: &str) {
    let _ = writeln!(for_people(), "{}", crate::secret::scrub(line));
}

/// Writes a line to stderr, scrubbed; a closed stderr is ignored.
pub fn warn(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", crate::secret::scrub(line));
}

/// The start of `text` for a message, scrubbed: at most `max` characters, `…` when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = crate::secret::scrub(text);
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

const CUCUMBER_LABEL: &str = "Step panicked. Captured output: ";

/// Wraps an output; each complete line is cleaned before it is written.
#[derive(Debug)]
pub struct CleanOutput<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> CleanOutput<W> {
    /// Cleans what is written to `inner`.
    pub fn new(inner: W) -> Self {
        Self { inner, pending: Vec::new() }
    }

    fn emit(&mut self, line: &[u8]) -> io::Result<()> {
        let text = String::from_utf8_lossy(line);
        let cleaned = crate::secret::scrub(&text.replace(CUCUMBER_LABEL, ""));
        self.inner.write_all(cleaned.as_bytes())
    }
}

impl<W: Write> Write for CleanOutput<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(pos) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=pos).collect();
            self.emit(&line)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for CleanOutput<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_scrubbed_and_relabelled() {
        crate::secret::register("admin-password-123");
        let mut out = CleanOutput::new(Vec::new());
        write!(out, "Step panicked. Captured output: sent admin-password-123 and eyJhbGciOi.eyJ1c2VySWQiOjF9.c2ln")
            .expect("writes to a Vec");
        writeln!(out, " end").expect("writes to a Vec");
        out.flush().expect("writes to a Vec");
        assert_eq!(String::from_utf8_lossy(&out.inner), "sent [redacted] and [redacted] end\n");
    }
}
