//! The request's locale and the zh-CN wording of the messages NocoBase translates. NocoBase's i18n
//! middleware (`core/server/src/middlewares/i18n.ts`) takes `X-Locale`, then `?locale=`, and its
//! error messages go through `ctx.t`: plugin-auth's messages (namespace `auth`) and plugin-acl's
//! "no roles" have zh-CN wording (`plugin-auth/src/locale/zh-CN.json`, `plugin-acl/src/locale/
//! zh-CN.json`); `No permissions`, `The role does not belong to the user` and `Role not found`
//! have none and stay English (probes 515–518, checked against NocoBase 2.2.15).

use axum::http::HeaderMap;

/// English message → its zh-CN wording.
const ZH_CN: &[(&str, &str)] = &[
    ("Unauthenticated. Please sign in to continue.", "未认证。请登录以继续。"),
    ("Your session has expired. Please sign in again.", "您的会话已过期，请重新登录。"),
    ("User not found. Please sign in again to continue.", "用户不存在。请重新登录以继续。"),
    ("The username/email or password is incorrect, please re-enter", "用户名/邮箱或密码有误，请重新输入"),
    ("Please enter your username or email", "请输入用户名或邮箱"),
    ("Invalid sign-in origin", "登录来源无效"),
    ("The current user has no roles. Please try another account.", "当前用户没有角色，请使用其他账号。"),
];

/// The languages the reference server translates into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Locale {
    /// `en-US` and every language without a translation here.
    #[default]
    English,
    /// `zh-CN` (any case, as i18next matches it).
    Chinese,
}

impl Locale {
    /// `X-Locale`, else the `locale` query parameter (an empty header counts as none).
    pub(crate) fn of_request(headers: &HeaderMap, query_locale: Option<&str>) -> Self {
        let header = headers.get("x-locale").and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty());
        match header.or(query_locale) {
            Some(tag) if tag.trim().eq_ignore_ascii_case("zh-CN") => Locale::Chinese,
            _ => Locale::English,
        }
    }

    /// `message` in this locale; `None` when it keeps its English wording.
    pub(crate) fn translate(self, message: &str) -> Option<&'static str> {
        match self {
            Locale::English => None,
            Locale::Chinese => ZH_CN.iter().find(|(en, _)| *en == message).map(|(_, zh)| *zh),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn x_locale_wins_over_the_query_and_is_case_insensitive() {
        let mut headers = HeaderMap::new();
        assert_eq!(Locale::of_request(&headers, Some("zh-CN")), Locale::Chinese);
        headers.insert("x-locale", HeaderValue::from_static("en-US"));
        assert_eq!(Locale::of_request(&headers, Some("zh-CN")), Locale::English);
        headers.insert("x-locale", HeaderValue::from_static("zh-cn"));
        assert_eq!(Locale::of_request(&headers, None), Locale::Chinese);
    }

    #[test]
    fn only_auth_messages_are_translated() {
        // Probes 515 and 518.
        assert_eq!(
            Locale::Chinese.translate("Unauthenticated. Please sign in to continue."),
            Some("未认证。请登录以继续。")
        );
        assert_eq!(Locale::Chinese.translate("No permissions"), None);
        assert_eq!(Locale::English.translate("Unauthenticated. Please sign in to continue."), None);
    }
}
