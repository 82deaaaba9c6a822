//! The list action's paging (`packages/core/actions/src/actions/list.ts`): the SQL gets
//! `parseInt(String(page))` and `parseInt(String(pageSize))` (`offset = (page - 1) * pageSize`),
//! while `meta` echoes `Number(page)`, `Number(pageSize)` and `Math.ceil(count / pageSize)`.
//! So `pageSize=2.7` shows two rows with `pageSize: 2.7`, `page=1e3` the first page with
//! `page: 1000`, `pageSize=abc` reaches SQLite as `NaN` (400), a limit past 2⁶³ as a real (500).

use serde_json::{Value, json};

use crate::db::sql_values::js_string;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::Params;

/// NocoBase's `DEFAULT_PER_PAGE`.
pub(crate) const DEFAULT_PAGE_SIZE: i64 = 20;

/// Beyond this an integer no longer fits SQLite's `LIMIT`/`OFFSET`.
const SQLITE_INTEGER_LIMIT: f64 = 9_223_372_036_854_775_807.0;

/// A list request's paging.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Page {
    /// SQL `LIMIT` (negative: no limit, as SQLite reads it).
    pub(crate) limit: i64,
    /// SQL `OFFSET` (negative counts as none).
    pub(crate) offset: i64,
    /// `Number(page)`; `None` for NaN.
    page: Option<f64>,
    /// `Number(pageSize)`; `None` for NaN.
    size: Option<f64>,
}

impl Page {
    /// Reads `page` and `pageSize` from the query.
    pub(crate) fn from_params(params: &Params) -> ApiResult<Self> {
        let text = |key: &str| params.query.get(key).map(js_string);
        let (page_text, size_text) = (text("page"), text("pageSize"));
        let sql_page = page_text.as_deref().map_or(Some(1.0), parse_int);
        let sql_size = size_text.as_deref().map_or(Some(DEFAULT_PAGE_SIZE as f64), parse_int);
        let (Some(sql_page), Some(sql_size)) = (sql_page, sql_size) else {
            return Err(ApiError::bad_request("Invalid SQL column or table reference"));
        };
        let offset = (sql_page - 1.0) * sql_size;
        if sql_size.abs() >= SQLITE_INTEGER_LIMIT || offset.abs() >= SQLITE_INTEGER_LIMIT {
            return Err(ApiError::server("SQLITE_MISMATCH: datatype mismatch"));
        }
        Ok(Self {
            limit: sql_size as i64,
            offset: offset as i64,
            page: page_text.as_deref().map_or(Some(1.0), number),
            size: size_text.as_deref().map_or(Some(DEFAULT_PAGE_SIZE as f64), number),
        })
    }

    /// `{count, page, pageSize, totalPage}` as `JSON.stringify` writes them.
    pub(crate) fn meta(&self, count: i64) -> Value {
        let total = self.size.map(|size| (count as f64 / size).ceil());
        json!({
            "count": count,
            "page": json_number(self.page),
            "pageSize": json_number(self.size),
            "totalPage": json_number(total),
        })
    }
}

/// JavaScript's `parseInt(text)` (radix 10, or 16 after `0x`); `None` for NaN.
pub(crate) fn parse_int(text: &str) -> Option<f64> {
    let t = text.trim_start();
    let (sign, rest) = match t.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = match rest.get(..2) {
        Some(prefix) if prefix.eq_ignore_ascii_case("0x") => (16, &rest[2..]),
        _ => (10, rest),
    };
    let end = digits.find(|c: char| !c.is_digit(radix)).unwrap_or(digits.len());
    let digits = &digits[..end];
    if digits.is_empty() {
        return None;
    }
    let value =
        digits.chars().filter_map(|c| c.to_digit(radix)).fold(0.0, |acc, d| acc * f64::from(radix) + f64::from(d));
    Some(sign * value)
}

/// JavaScript's `Number(text)` for a query value; `None` for NaN.
pub(crate) fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return Some(0.0);
    }
    let (sign, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    if unsigned == "Infinity" {
        return Some(sign * f64::INFINITY);
    }
    if let Some(hex) = unsigned.get(..2).filter(|p| p.eq_ignore_ascii_case("0x")).map(|_| &unsigned[2..]) {
        return (sign == 1.0 && !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| hex.chars().filter_map(|c| c.to_digit(16)).fold(0.0, |acc, d| acc * 16.0 + f64::from(d)));
    }
    let numeric = unsigned.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !numeric || !unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    unsigned.parse::<f64>().ok().map(|n| sign * n)
}

/// A number as `JSON.stringify` writes it: `NaN` and infinities become `null`.
pub(crate) fn json_number(n: Option<f64>) -> Value {
    match n {
        Some(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 => json!(n as i64),
        Some(n) if n.is_finite() => json!(n),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(query: &str) -> ApiResult<(i64, i64, Value)> {
        let route = crate::http::request::route(&axum::http::Method::GET, "/todos:list").expect("a route");
        let params = Params::parse(Some(query), &route).expect("parses");
        let page = Page::from_params(&params)?;
        Ok((page.limit, page.offset, page.meta(3)))
    }

    #[test]
    fn sql_uses_parse_int_and_meta_uses_number() {
        // Checked against NocoBase 2.2.15: pageSize=2.7 lists two rows, page=1e3 the first page.
        assert_eq!(
            page("pageSize=2.7").ok(),
            Some((2, 0, json!({"count": 3, "page": 1, "pageSize": 2.7, "totalPage": 2})))
        );
        assert_eq!(
            page("page=1e3").ok(),
            Some((20, 0, json!({"count": 3, "page": 1000, "pageSize": 20, "totalPage": 1})))
        );
        assert_eq!(
            page("pageSize=0").ok(),
            Some((0, 0, json!({"count": 3, "page": 1, "pageSize": 0, "totalPage": null})))
        );
        assert_eq!(
            page("pageSize=-1").ok(),
            Some((-1, 0, json!({"count": 3, "page": 1, "pageSize": -1, "totalPage": -3})))
        );
    }

    #[test]
    fn nan_and_huge_values_fail_like_sqlite() {
        assert!(matches!(page("pageSize=abc"), Err(ApiError::Client { status, .. }) if status.as_u16() == 400));
        assert!(matches!(page("page=abc"), Err(ApiError::Client { status, .. }) if status.as_u16() == 400));
        assert!(
            matches!(page("pageSize=99999999999999999999"), Err(ApiError::Client { status, .. }) if status.as_u16() == 500)
        );
    }

    #[test]
    fn javascript_conversions() {
        assert_eq!(parse_int("2abc"), Some(2.0));
        assert_eq!(parse_int("  -7"), Some(-7.0));
        assert_eq!(parse_int("0x10"), Some(16.0));
        assert_eq!(parse_int("abc"), None);
        assert_eq!(number("2abc"), None);
        assert_eq!(number(" 2.5 "), Some(2.5));
        assert_eq!(number("inf"), None);
        assert_eq!(number(""), Some(0.0));
    }
}
