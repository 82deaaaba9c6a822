//! The list action's paging (`packages/core/actions/src/actions/list.ts`): the SQL gets
//! `parseInt(String(page))` and `parseInt(String(pageSize))` (`offset = (page - 1) * pageSize`),
//! while `meta` echoes `Number(page)`, `Number(pageSize)` and `Math.ceil(count / pageSize)`.
//! So `pageSize=2.7` shows two rows with `pageSize: 2.7`, `page=1e3` the first page with
//! `page: 1000`, `pageSize=abc` reaches SQLite as `NaN` (400), a limit past 2⁶³ as a real (500).

use serde_json::{Value, json};

use crate::http::error::{ApiError, ApiResult};
use crate::http::request::Params;
use crate::js::number::{js_string, parse_int, to_number};

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
        let text = |key: &str| params.query.get(key).map(|v| js_string(&crate::js::from_serde(v)));
        let (page_text, size_text) = (text("page"), text("pageSize"));
        let sql_page = page_text.as_deref().map_or(1.0, parse_int);
        let sql_size = size_text.as_deref().map_or(DEFAULT_PAGE_SIZE as f64, parse_int);
        if sql_page.is_nan() || sql_size.is_nan() {
            return Err(ApiError::bad_request("Invalid SQL column or table reference"));
        }
        let offset = (sql_page - 1.0) * sql_size;
        if sql_size.abs() >= SQLITE_INTEGER_LIMIT || offset.abs() >= SQLITE_INTEGER_LIMIT {
            return Err(ApiError::server("SQLITE_MISMATCH: datatype mismatch"));
        }
        let (page, size) = Self::numbers(params);
        Ok(Self { limit: sql_size as i64, offset: offset as i64, page, size })
    }

    /// `Number(page)`, `Number(pageSize)` (defaults 1 and 20 when absent).
    fn numbers(params: &Params) -> (Option<f64>, Option<f64>) {
        let number = |key: &str, default: f64| {
            let n = params.query.get(key).map_or(default, |v| to_number(&crate::js::from_serde(v)));
            (!n.is_nan()).then_some(n)
        };
        (number("page", 1.0), number("pageSize", DEFAULT_PAGE_SIZE as f64))
    }

    /// The list's `meta` for `count` rows, whatever the SQL would make of the page.
    pub(crate) fn meta_of(params: &Params, count: i64) -> Value {
        let (page, size) = Self::numbers(params);
        Self { limit: 0, offset: 0, page, size }.meta(count)
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
        let params = Params::parse(Some(query), &route).map_err(|_| ApiError::NotFound)?;
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
}
