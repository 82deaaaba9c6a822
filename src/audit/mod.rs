//! A security audit of a deployment: what users of NocoBase's API keys get bitten by, checked on
//! the live target and reported apart from conformance — `nocobase-conformance audit`, and a
//! section of every run against a live deployment. A finding says what is wrong and what to do;
//! no secret is printed (a published `APP_KEY` is named by where it is published).
//!
//! The checks ([`checks`], [`escalation`]): the root account's default password; root tokens
//! signed with the `APP_KEY`s NocoBase publishes ([`well_known_keys`]); a token with no signature,
//! and one with an RS256 header over an HMAC ([`forge`]); an API key creating keys, users or
//! roles, plainly or with `X-Role: root`; the role mode that gives a key all its owner's roles.

mod checks;
mod escalation;
pub mod forge;
pub mod well_known_keys;

use std::time::Duration;

use serde_json::Value;

use crate::cli::AuditArgs;
use crate::client::{Credential, NocoClient};
use crate::config::parse_base_url;
use crate::error::{HarnessError, Result};
use crate::report::console::{say, warn};
use crate::secret::Secret;
use crate::targets::readiness;

/// The exit code of an audit with findings (0: none; 2: could not audit).
pub const FINDINGS_EXIT_CODE: u8 = 3;

/// What is wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The check's id.
    pub check: &'static str,
    /// What was found.
    pub what: String,
    /// What the deployment's owner should do.
    pub todo: String,
}

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing wrong: what was verified.
    Passed(&'static str, String),
    /// Something wrong.
    Finding(Finding),
    /// Not checked, and why.
    NotChecked(&'static str, String),
}

/// What the audit can use on the target.
#[derive(Debug)]
pub struct Access<'a> {
    /// The target's API.
    pub client: &'a NocoClient,
    /// An admin session and the admin's user id, when the admin's credentials are known.
    pub admin: Option<(Credential, i64)>,
    /// The target's APP_KEY, when known (for the algorithm-confusion check).
    pub app_key: Option<&'a Secret>,
    /// An API key to read the role mode with when there is no admin.
    pub api_key: Option<Credential>,
}

/// Runs every check.
pub async fn audit(access: &Access<'_>) -> Result<Vec<Outcome>> {
    let user_id = access.admin.as_ref().map_or(1, |(_, id)| *id);
    let mut outcomes = vec![
        checks::default_password(access.client).await?,
        checks::well_known_app_key(access.client, user_id).await?,
        checks::unsigned_token(access.client, user_id).await?,
        checks::algorithm_confusion(access.client, access.app_key, user_id).await?,
    ];
    outcomes.push(match &access.admin {
        Some((admin, id)) => escalation::key_cannot_escalate(access.client, admin, *id).await?,
        None => Outcome::NotChecked("api-key-escalation", "needs admin credentials to issue a key of its own".into()),
    });
    let reader = access.admin.as_ref().map(|(c, _)| c).or(access.api_key.as_ref());
    outcomes.push(checks::union_role_mode(access.client, reader).await?);
    Ok(outcomes)
}

/// Prints the outcomes, findings loudly; the number of findings.
pub fn print(url: &str, outcomes: &[Outcome]) -> usize {
    let findings: Vec<&Finding> =
        outcomes.iter().filter_map(|o| if let Outcome::Finding(f) = o { Some(f) } else { None }).collect();
    say(&format!("Security audit of {url}: {} finding{}.", findings.len(), if findings.len() == 1 { "" } else { "s" }));
    for outcome in outcomes {
        match outcome {
            Outcome::Finding(f) => {
                warn(&format!("  FINDING {}: {}", f.check, f.what));
                warn(&format!("    what to do: {}", f.todo));
            }
            Outcome::Passed(check, what) => say(&format!("  ok {check}: {what}")),
            Outcome::NotChecked(check, why) => say(&format!("  not checked {check}: {why}")),
        }
    }
    findings.len()
}

/// `nocobase-conformance audit`: 0 without findings, [`FINDINGS_EXIT_CODE`] with, 2 when it could
/// not audit.
pub async fn command(args: AuditArgs) -> u8 {
    match run(&args).await {
        Ok(0) => 0,
        Ok(_) => FINDINGS_EXIT_CODE,
        Err(error) => {
            warn(&format!("error: {error}"));
            2
        }
    }
}

async fn run(args: &AuditArgs) -> Result<usize> {
    let url = parse_base_url(&args.base_url)?;
    if args.timeout == 0 {
        return Err(HarnessError::Config("--timeout must be at least 1 second".into()));
    }
    let client = NocoClient::new(&url, Duration::from_secs(args.timeout))?;
    readiness::wait_until_ready(&client, Duration::from_secs(args.timeout)).await?;
    readiness::target_info(&client).await?;
    let admin = match &args.password {
        Some(password) => {
            let (session, signed_in) = readiness::sign_in(&client, &args.account, password).await?;
            let id = signed_in.pointer("/data/user/id").and_then(Value::as_i64).unwrap_or(1);
            Some((Credential::Bearer(session), id))
        }
        None => None,
    };
    let access = Access {
        client: &client,
        admin,
        app_key: args.app_key.as_ref(),
        api_key: args.api_key.clone().map(Credential::Bearer),
    };
    let outcomes = audit(&access).await;
    if let Some((session, _)) = &access.admin {
        let _ = client.auth_sign_out(session).await;
    }
    Ok(print(url.as_str(), &outcomes?))
}
