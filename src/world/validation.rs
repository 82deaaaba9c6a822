//! Every answer to a collection action on one of the scenario's collections, checked against the
//! target's own OpenAPI document for that collection (fetched once per scenario): a body that
//! breaks it fails the step, unless the break is a known defect of NocoBase's document
//! ([`crate::check::openapi`]); what it does not document is counted for the run's report.

use super::TutorialWorld;
use crate::check::openapi::{Document, Verdict, action_path};
use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;

impl TutorialWorld {
    /// Checks the exchange against the target's OpenAPI document (see [`Self::observe`]) without
    /// keeping it: for the set-up steps' own collection actions.
    pub async fn validate(&mut self, exchange: &Exchange) -> Result<()> {
        if !self.suite.config.validate_openapi {
            return Ok(());
        }
        let Some(body) = exchange.body.json() else { return Ok(()) };
        let Some(action) = action_path(&exchange.path, &exchange.method) else { return Ok(()) };
        let collection = action.trim_start_matches('/').split(':').next().unwrap_or_default().to_owned();
        let ours = collection == self.collection()
            || self.suite.config.key_only.as_ref().is_some_and(|k| k.collection == collection);
        if !ours {
            return Ok(());
        }
        let doc = match self.suite.document(&collection) {
            Some(doc) => doc,
            None => {
                let credential = self.admin().or_else(|_| self.main_key()).or_else(|_| self.key("lone"));
                let doc = match credential {
                    Ok(credential) => {
                        let fetched =
                            self.client().swagger_get(&credential, &format!("collections/{collection}")).await?;
                        match (fetched.status, fetched.body.json()) {
                            (200, Some(doc)) => Document::new(doc.clone()),
                            (status, _) => {
                                let logical = self.normalizer.text(&collection);
                                self.suite.openapi(|t| {
                                    t.unavailable.insert(logical, format!("swagger:get answered {status}"));
                                });
                                None
                            }
                        }
                    }
                    Err(_) => None,
                };
                self.suite.keep_document(&collection, doc)
            }
        };
        let Some(doc) = doc else { return Ok(()) };
        let Ok(mut doc) = doc.lock() else { return Ok(()) };
        let template = self.normalizer.text(&action);
        match doc.check(&exchange.method, &action, exchange.status, body) {
            Verdict::NotCovered | Verdict::NoSchema => Ok(()),
            Verdict::Undocumented(what) => {
                let what = self.normalizer.text(&what);
                self.suite.openapi(|t| *t.undocumented.entry(what).or_insert(0) += 1);
                Ok(())
            }
            Verdict::Checked(violations) => {
                let (known, unknown): (Vec<_>, Vec<_>) = violations.into_iter().partition(|v| v.known_defect.is_some());
                self.suite.openapi(|t| {
                    t.validated += 1;
                    for v in &known {
                        if let Some(defect) = v.known_defect {
                            *t.known_defects.entry(defect).or_insert(0) += 1;
                        }
                    }
                });
                if unknown.is_empty() {
                    return Ok(());
                }
                let mut mismatch = crate::mismatch::Mismatch::new(
                    format!("the response to {} {template} against the target's OpenAPI document", exchange.method),
                    "a body its document describes",
                    format!("{} violation(s)", unknown.len()),
                    Some(exchange),
                );
                mismatch.diff = unknown
                    .iter()
                    .map(|v| {
                        format!(
                            "body {}: {} (document {})",
                            v.instance_path,
                            v.message,
                            self.normalizer.text(&v.schema_path)
                        )
                    })
                    .collect();
                Err(HarnessError::mismatch(mismatch))
            }
        }
    }
}
