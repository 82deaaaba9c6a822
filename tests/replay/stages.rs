//! What the recorder did to the server between two exchanges, read from the recordings: a reset
//! to a fresh database (a block of the lifecycle set starts over with the tutorial setup), or a
//! stop/start with the APP_KEY the exchange's `note` names.

use super::*;

/// What to do to the server before an exchange.
#[derive(Debug, PartialEq)]
pub(crate) enum Stage {
    /// A fresh database, the recordings' APP_KEY.
    Reset,
    /// The same database, this APP_KEY.
    Restart(String),
}

/// The server the recorder ran an exchange against, by its `note`: the phrase that names the
/// run (compared to tell one run from the next) and the APP_KEY in force. `None` when the note
/// says nothing of a restart.
pub(crate) fn run_of(note: &str) -> Option<(String, String, bool)> {
    static OTHER_KEY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^after stop/start with a different APP_KEY \(([^)]+)\)").expect("valid pattern"));
    static STARTED_WITH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^server started with APP_KEY=(\S+)").expect("valid pattern"));
    if let Some(caps) = OTHER_KEY.captures(note) {
        return Some((caps[0].to_owned(), caps[1].to_owned(), false));
    }
    if let Some(caps) = STARTED_WITH.captures(note) {
        let key = caps[1].trim_matches('\'').to_owned();
        return Some((caps[0].to_owned(), key, false));
    }
    for phrase in [
        "after stop/start with the same APP_KEY",
        "after switching back to the standard APP_KEY",
        "restarted with the standard APP_KEY",
    ] {
        if note.starts_with(phrase) {
            return Some((phrase.to_owned(), APP_KEY.to_owned(), false));
        }
    }
    note.starts_with("after reset").then(|| ("after reset".to_owned(), APP_KEY.to_owned(), true))
}

/// Tracks the recorder's runs through a set.
#[derive(Default)]
pub(crate) struct Stages {
    run: Option<String>,
}

impl Stages {
    /// The stage before `recorded`, the exchange after it being `next`. A block starts over when
    /// an admin sign-in is followed by `collections:create` of `todos` (the tutorial setup); the
    /// first exchange of a set already has a fresh server.
    pub(crate) fn before(&mut self, index: usize, recorded: &Recorded, next: Option<&Recorded>) -> Option<Stage> {
        let step = |r: &Recorded| r.json["step"].as_str().unwrap_or_default().to_owned();
        if index > 0
            && step(recorded).ends_with("-auth-signIn-admin")
            && next.is_some_and(|n| step(n).ends_with("-collections-create-todos"))
        {
            self.run = None;
            return Some(Stage::Reset);
        }
        let (phrase, key, fresh) = run_of(recorded.json["note"].as_str().unwrap_or_default())?;
        if self.run.as_deref() == Some(phrase.as_str()) {
            return None;
        }
        self.run = Some(phrase);
        Some(if fresh { Stage::Reset } else { Stage::Restart(key) })
    }
}
