//! The session tokens of one replay and which one an `auth` text names: the recorder kept one
//! "main" session per user and signed in apart for the cases it studied (a second session, a
//! session under another APP_KEY, S1 and S2 under the token policy, …), whose step names say so;
//! renewed tokens (`x-new-token`) are T2, T3, … of S1's chain.

use super::*;

/// One successful `auth:signIn`.
struct SignIn {
    /// The recorded step (`110-auth-signIn-admin-second-session`).
    step: String,
    /// The user's nickname, else their username.
    who: String,
    token: String,
}

/// Sign-in steps that are not the user's main session, and the words by which `auth` texts
/// name them.
const APART: &[(&str, &str)] = &[
    ("second-session", "second admin session"),
    ("other-app-key", "other APP_KEY"),
    ("same-second", "right after the password change"),
    ("to-sign-out", "session token to sign out"),
    ("to-sign-out", "the signed-out session token"),
    ("placeholder", "during the your-secret-key run"),
    ("-S1-", "session token S1"),
    ("-S2", "session token S2"),
];

/// The sessions of one replay.
#[derive(Default)]
pub(crate) struct Sessions {
    sign_ins: Vec<SignIn>,
    /// Sent token → the `x-new-token` it was renewed into, in order.
    renewals: Vec<(String, String)>,
}

impl Sessions {
    pub(crate) fn signed_in(&mut self, step: &str, who: &str, token: &str) {
        self.sign_ins.push(SignIn { step: step.to_owned(), who: who.to_owned(), token: token.to_owned() });
    }

    pub(crate) fn renewed(&mut self, from: &str, to: &str) {
        self.renewals.push((from.to_owned(), to.to_owned()));
    }

    /// The session token a text names, `None` when it names no session:
    /// * `… T<n> …`: S1 renewed n−1 times (the first renewal of each);
    /// * `… from the sign-in just above`: the latest sign-in;
    /// * the words of [`APART`]: the latest sign-in whose step carries the marker;
    /// * `<who> session token …` (`admin` is `Super Admin`): that user's latest sign-in that is not
    ///   apart.
    pub(crate) fn resolve(&self, auth: &str) -> Option<Result<String, String>> {
        static RENEWED: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"session token T(\d)\b").expect("valid pattern"));
        static OWNER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(.+?) session token").expect("valid pattern"));
        if let Some(caps) = RENEWED.captures(auth) {
            let times: usize = caps[1].parse().unwrap_or(1);
            let mut token = self.apart("-S1-");
            for _ in 1..times {
                token = token.and_then(|t| self.renewals.iter().find(|(from, _)| *from == t).map(|(_, to)| to.clone()));
            }
            return Some(token.ok_or_else(|| format!("no token {} was issued", &caps[0])));
        }
        if auth.contains("from the sign-in just above") {
            return Some(self.sign_ins.last().map(|s| s.token.clone()).ok_or_else(|| "no sign-in yet".to_owned()));
        }
        if let Some((marker, _)) = APART.iter().find(|(_, words)| auth.contains(words)) {
            return Some(self.apart(marker).ok_or_else(|| format!("no sign-in step carries {marker:?}")));
        }
        let caps = OWNER.captures(auth)?;
        let who = if &caps[1] == "admin" { tokens::ADMIN } else { &caps[1] };
        let main = self
            .sign_ins
            .iter()
            .rev()
            .find(|s| s.who == who && !APART.iter().any(|(marker, _)| s.step.contains(marker)));
        Some(main.map(|s| s.token.clone()).ok_or_else(|| format!("{who} never signed in")))
    }

    fn apart(&self, marker: &str) -> Option<String> {
        self.sign_ins.iter().rev().find(|s| s.step.contains(marker)).map(|s| s.token.clone())
    }

    /// The user whose session token `token` is.
    pub(crate) fn owner(&self, token: &str) -> Option<&str> {
        self.sign_ins.iter().find(|s| s.token == token).map(|s| s.who.as_str())
    }
}
