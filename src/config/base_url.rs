//! `--base-url`, checked: http(s), no credentials, query or fragment; a trailing slash dropped.
//! A URL is shown in messages with any `user:password@` replaced.

use url::Url;

use crate::error::{HarnessError, Result};

/// Checks a `--base-url`: http(s), no query or fragment; a trailing slash is dropped.
pub fn parse_base_url(raw: &str) -> Result<Url> {
    let shown = without_userinfo(raw.trim());
    let url = Url::parse(raw.trim()).map_err(|e| {
        HarnessError::Config(format!(
            "--base-url {shown:?} is not a URL ({e}); expected e.g. http://127.0.0.1:13000/api"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(HarnessError::Config(format!("--base-url {shown:?} must start with http:// or https://")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(HarnessError::Config(format!(
            "--base-url {shown:?} must not carry credentials: NocoBase does not read them there; pass the admin's with --account and --password"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(HarnessError::Config(format!("--base-url {shown:?} must not have a query or fragment")));
    }
    let mut url = url;
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    Ok(url)
}

/// A URL as it may be shown: `user:password@` replaced, so that no message repeats a password.
fn without_userinfo(raw: &str) -> String {
    let Some(start) = raw.find("://").map(|i| i + 3) else { return raw.to_owned() };
    let authority_end = raw[start..].find(['/', '?', '#']).map_or(raw.len(), |i| start + i);
    match raw[start..authority_end].rfind('@') {
        Some(at) => format!("{}[redacted]{}", &raw[..start], &raw[start + at..]),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(
            parse_base_url("http://127.0.0.1:13000/api/").map(|u| u.to_string()).ok(),
            Some("http://127.0.0.1:13000/api".into())
        );
        assert!(parse_base_url("ftp://x/api").is_err());
        assert!(parse_base_url("not a url").is_err());
        assert!(parse_base_url("http://x/api?a=1").is_err());
        let refused = parse_base_url("http://bob:hunter2@127.0.0.1:13000/api").map(|u| u.to_string());
        let message = refused.expect_err("credentials in the URL are refused").to_string();
        assert!(message.contains("http://[redacted]@127.0.0.1:13000/api") && !message.contains("hunter2"), "{message}");
        let message = parse_base_url("http://bob:hunter2@host:99999/api").expect_err("bad port").to_string();
        assert!(!message.contains("hunter2"), "{message}");
    }
}
