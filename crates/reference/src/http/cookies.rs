//! NocoBase's auth cookies as `@nocobase/utils` `auth-cookie.ts` (l.18-37) configures them and
//! koa's `cookies` 0.9 writes them: `path=/`, `expires` (never `Max-Age`), `samesite=lax`,
//! `secure` when the first `X-Forwarded-Proto` is `https` (`secureProxy`), `httponly` for the
//! token and the authenticator. A cleared cookie is `<name>=; path=/; expires=<epoch>; …`.

use axum::http::HeaderMap;

/// The app's cookie names (`auth-cookie-name.ts`, app `main`).
pub(crate) const AUTH_TOKEN: &str = "nb_auth_token_main";
pub(crate) const AUTHENTICATOR: &str = "nb_authenticator_main";
pub(crate) const ROLE: &str = "nb_role_main";
pub(crate) const CSRF_TOKEN: &str = "nb_csrf_token_main";
/// plugin-idp-oauth's session cookie, cleared on every sign-out (`service.ts` l.645-657).
pub(crate) const IDP_SESSION: &str = "_session";

/// How the request reached NocoBase, for the `secure` flag.
pub(crate) struct Jar {
    secure: bool,
}

impl Jar {
    /// The options `getAuthCookieOptions(ctx)` derives from the request.
    pub(crate) fn for_request(headers: &HeaderMap) -> Self {
        let forwarded = headers
            .get("x-forwarded-proto")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).split(',').next().unwrap_or("").trim().to_ascii_lowercase());
        Self { secure: forwarded.as_deref() == Some("https") }
    }

    /// `Set-Cookie` for `name=value` until `expires` (an HTTP date); without one, a cookie for
    /// the browser session (koa's cookies write `expires` only for a truthy `maxAge`).
    pub(crate) fn set(&self, name: &str, value: &str, expires: Option<&str>, http_only: bool) -> String {
        self.write(name, value, expires, http_only)
    }

    /// `Set-Cookie` clearing `name` (`cookies.set(name, null)`).
    pub(crate) fn clear(&self, name: &str, http_only: bool) -> String {
        self.write(name, "", Some("Thu, 01 Jan 1970 00:00:00 GMT"), http_only)
    }

    fn write(&self, name: &str, value: &str, expires: Option<&str>, http_only: bool) -> String {
        let mut cookie = format!("{name}={value}; path=/");
        if let Some(expires) = expires {
            cookie.push_str("; expires=");
            cookie.push_str(expires);
        }
        cookie.push_str("; samesite=lax");
        if self.secure {
            cookie.push_str("; secure");
        }
        if http_only {
            cookie.push_str("; httponly");
        }
        cookie
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forwarded_https_makes_them_secure() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            Jar::for_request(&headers).clear(ROLE, false),
            "nb_role_main=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax"
        );
        headers.insert("x-forwarded-proto", HeaderValue::from_static("HTTPS, http"));
        assert_eq!(
            Jar::for_request(&headers).clear(AUTH_TOKEN, true),
            "nb_auth_token_main=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; secure; httponly"
        );
    }
}
