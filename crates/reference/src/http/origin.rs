//! The request's own origin as NocoBase works it out (`@nocobase/utils` `getRequestOrigin`:
//! the first `X-Forwarded-Proto` or `http`, the first `X-Forwarded-Host` or `Host`): CORS trusts
//! it (`Access-Control-Allow-Credentials`), sign-in accepts it, and plugin-idp-oauth builds a URL
//! from it for every request carrying a token — which fails (`new URL` throws `Invalid URL`)
//! when there is no host or it holds characters a URL host cannot.

use axum::http::HeaderMap;

/// `getFirstHeaderValue`: the first comma-separated part, trimmed.
fn first(headers: &HeaderMap, name: &str) -> Option<String> {
    let raw = headers.get(name)?;
    let text = String::from_utf8_lossy(raw.as_bytes());
    Some(text.split(',').next().unwrap_or("").trim().to_owned()).filter(|s| !s.is_empty())
}

/// Koa's `ctx.host`: the `Host` header up to its first comma.
fn host(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(axum::http::header::HOST)?;
    let text = String::from_utf8_lossy(raw.as_bytes()).into_owned();
    let first = text.split(',').next().unwrap_or("").trim_end().to_owned();
    Some(first).filter(|s| !s.is_empty())
}

/// `getRequestOrigin(ctx)`: `<proto>://<host>`, `None` without a host.
pub(crate) fn request_origin(headers: &HeaderMap) -> Option<String> {
    let protocol = first(headers, "x-forwarded-proto").unwrap_or_else(|| "http".to_owned()).to_lowercase();
    let host = first(headers, "x-forwarded-host").or_else(|| host(headers))?;
    Some(format!("{protocol}://{host}"))
}

/// `isTrustedOrigin(ctx, origin)` without `CORS_ORIGIN_WHITELIST`: the request's own origin.
pub(crate) fn is_same_origin(headers: &HeaderMap, origin: &str) -> bool {
    request_origin(headers).is_some_and(|own| own == origin)
}

/// Whether plugin-idp-oauth can build its issuer URL (`new URL('/api/', origin)`) for this
/// request; `false` is its 500 `Invalid URL` (`ERR_INVALID_URL`).
pub(crate) fn idp_origin_is_valid(headers: &HeaderMap) -> bool {
    let protocol = first(headers, "x-forwarded-proto").unwrap_or_else(|| "http".to_owned());
    let host = first(headers, "x-forwarded-host").or_else(|| host(headers)).unwrap_or_default();
    url_base_is_valid(&format!("{protocol}://{host}"))
}

/// The WHATWG URL parser's verdict on `<scheme>://<authority>` as a base URL (the cases that
/// decide it: the scheme's characters, and for special schemes a non-empty host without
/// forbidden code points and a numeric port).
fn url_base_is_valid(text: &str) -> bool {
    let text: String =
        text.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let Some((scheme, rest)) = text.split_once(':') else { return false };
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return false;
    }
    let scheme = scheme.to_ascii_lowercase();
    let special = matches!(scheme.as_str(), "http" | "https" | "ws" | "wss" | "ftp" | "file");
    let rest = rest.trim_start_matches(if special { &['/', '\\'][..] } else { &['/'][..] });
    let end = rest.find(|c: char| matches!(c, '/' | '?' | '#') || (special && c == '\\')).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (hostname, port) = if host_port.starts_with('[') {
        match host_port.find(']') {
            Some(close) => (&host_port[..=close], host_port[close + 1..].strip_prefix(':')),
            None => return false,
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if let Some(port) = port
        && !(port.chars().all(|c| c.is_ascii_digit()) && port.parse::<u32>().map_or(port.is_empty(), |p| p <= 65_535))
    {
        return false;
    }
    if hostname.is_empty() {
        return !special || scheme == "file";
    }
    const FORBIDDEN: &[char] =
        &['\0', '\t', '\n', '\r', ' ', '#', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|'];
    if hostname.starts_with('[') {
        return hostname[1..hostname.len() - 1].chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    let forbidden_domain = |c: char| FORBIDDEN.contains(&c) || (special && (c < ' ' || c == '%' || c == '\u{7f}'));
    !hostname.chars().any(forbidden_domain)
}

/// `new URL(value).origin` (`getOrigin` in `@nocobase/utils` `cors.ts`): `None` when the URL
/// does not parse; `"null"` (opaque) for schemes other than http(s), ws(s) and ftp.
pub(crate) fn url_origin(value: &str) -> Option<String> {
    let text: String =
        value.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    if !url_base_is_valid(&text) {
        return None;
    }
    let (scheme, rest) = text.split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" | "ws" => "80",
        "https" | "wss" => "443",
        "ftp" => "21",
        _ => return Some("null".to_owned()),
    };
    let rest = rest.trim_start_matches(['/', '\\']);
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || host_port.starts_with('[') => (h, p.trim_start_matches('0')),
        _ => (host_port, ""),
    };
    let host = host.to_ascii_lowercase();
    let port = if port.is_empty() || port == default_port { String::new() } else { format!(":{port}") };
    Some(format!("{scheme}://{host}{port}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn idp_origin_as_new_url_judges_it() {
        // Recordings 2.2.15-offpath/170, 173, 205-209.
        assert!(idp_origin_is_valid(&headers(&[("host", "127.0.0.1:13000")])));
        assert!(!idp_origin_is_valid(&headers(&[])));
        assert!(!idp_origin_is_valid(&headers(&[("host", "")])));
        assert!(!idp_origin_is_valid(&headers(&[("host", "a b")])));
        assert!(!idp_origin_is_valid(&headers(&[("host", "h"), ("x-forwarded-proto", "a b")])));
        assert!(!idp_origin_is_valid(&headers(&[("host", "h"), ("x-forwarded-host", "a b")])));
        assert!(idp_origin_is_valid(&headers(&[("host", "h"), ("x-forwarded-host", "example.com")])));
        assert!(!idp_origin_is_valid(&headers(&[("host", "h:99999")])));
    }

    #[test]
    fn referers_give_their_origin() {
        assert_eq!(url_origin("http://127.0.0.1:13000/admin?x=1").as_deref(), Some("http://127.0.0.1:13000"));
        assert_eq!(url_origin("HTTP://User@Example.COM:80/x").as_deref(), Some("http://example.com"));
        assert_eq!(url_origin("https://evil.example:8443").as_deref(), Some("https://evil.example:8443"));
        assert_eq!(url_origin("about:blank").as_deref(), Some("null"));
        assert_eq!(url_origin("not a url"), None);
    }

    #[test]
    fn same_origin_uses_forwarded_headers() {
        let h = headers(&[("host", "127.0.0.1:13003"), ("x-forwarded-proto", "HTTPS")]);
        assert!(is_same_origin(&h, "https://127.0.0.1:13003"));
        assert!(!is_same_origin(&h, "http://127.0.0.1:13003"));
    }
}
