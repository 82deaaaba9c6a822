//! NocoBase's function operators (`packages/core/database/src/operators/*.ts`): `$eq`, `$ne`,
//! `$in`, `$notIn`, the string operators (`$includes`, `$startsWith`, …), `$empty`,
//! `$isTruly`/`$isFalsy`, `$exists`, the array operators and the date operators. Each takes the
//! filter's value and answers the Sequelize where-fragment it stands for, or the error its
//! JavaScript throws (`value.replace is not a function`, `Invalid Date "x"`).

use super::FilterError;
use super::model::Model;
use crate::js::number::js_string;
use crate::js::{Js, Key, Obj, Op, stringify};

/// What an operator knows of where it is used (`ctx` in NocoBase).
pub(super) struct OpCtx<'a> {
    /// The filter path up to the operator (`createdBy.nickname.$includes`).
    pub(super) path: &'a str,
    /// The path without operators and indexes (`createdBy.nickname`).
    pub(super) full_name: &'a str,
    /// Its last part (`nickname`), if any.
    pub(super) field_name: Option<&'a str>,
    /// The filtered collection.
    pub(super) model: &'a Model<'a>,
}

/// The names NocoBase registers as functions (they replace Sequelize's symbols of the same name).
pub(super) fn is_function(name: &str) -> bool {
    FUNCTIONS.contains(&name)
}

const FUNCTIONS: &[&str] = &[
    "$exists",
    "$notExists",
    "$dateOn",
    "$dateNotOn",
    "$dateBefore",
    "$dateNotBefore",
    "$dateAfter",
    "$dateNotAfter",
    "$dateBetween",
    "$match",
    "$notMatch",
    "$anyOf",
    "$noneOf",
    "$arrayEmpty",
    "$arrayNotEmpty",
    "$empty",
    "$notEmpty",
    "$includes",
    "$notIncludes",
    "$startsWith",
    "$notStartsWith",
    "$endWith",
    "$notEndWith",
    "$eq",
    "$ne",
    "$in",
    "$notIn",
    "$isFalsy",
    "$isTruly",
    "$childIn",
    "$childNotIn",
];

fn op(op: Op, value: Js) -> Js {
    Js::Obj(Obj::with(Key::Sym(op), value))
}

fn ops(entries: Vec<(Op, Js)>) -> Js {
    let mut obj = Obj::new();
    for (op, value) in entries {
        obj.insert(Key::Sym(op), value);
    }
    Js::Obj(obj)
}

fn type_error(what: &str) -> FilterError {
    FilterError::Js(format!("{what} is not a function"))
}

/// Runs the function operator `name` on `value`.
pub(super) fn apply(name: &str, value: &Js, ctx: &OpCtx<'_>) -> Result<Js, FilterError> {
    Ok(match name {
        "$eq" => {
            let string_field = ctx.model.field_type_by_path(ctx.full_name).is_some_and(|t| t == "string");
            match value {
                Js::Arr(items) if string_field => {
                    op(Op::In, Js::Arr(items.iter().map(|v| Js::Str(js_string(v))).collect()))
                }
                v if string_field && !matches!(v, Js::Str(_)) => op(Op::Eq, Js::Str(js_string(v))),
                Js::Arr(_) => op(Op::In, value.clone()),
                _ => op(Op::Eq, value.clone()),
            }
        }
        "$ne" => match value {
            Js::Arr(_) => op(Op::NotIn, value.clone()),
            Js::Null => op(Op::Ne, Js::Null),
            _ => op(Op::Or, ops(vec![(Op::Ne, value.clone()), (Op::Is, Js::Null)])),
        },
        "$in" => op(
            Op::In,
            match value {
                Js::Null | Js::Undefined => Js::Arr(Vec::new()),
                Js::Arr(_) => value.clone(),
                other => Js::Arr(vec![other.clone()]),
            },
        ),
        "$notIn" => op(Op::Or, ops(vec![(Op::NotIn, value.clone()), (Op::Is, Js::Null)])),
        "$includes" if value.is_null() => op(Op::Is, Js::Null),
        "$notIncludes" if value.is_null() => op(Op::Not, Js::Null),
        "$includes" => like_each(value, Op::Like, Op::Or, |t| format!("%{t}%"))?,
        "$notIncludes" => like_each(value, Op::NotLike, Op::And, |t| format!("%{t}%"))?,
        "$startsWith" => like_each(value, Op::Like, Op::Or, |t| format!("{t}%"))?,
        "$notStartsWith" => like_each(value, Op::NotLike, Op::And, |t| format!("{t}%"))?,
        "$endWith" => like_each(value, Op::Like, Op::Or, |t| format!("%{t}"))?,
        "$notEndWith" => like_each(value, Op::NotLike, Op::And, |t| format!("%{t}"))?,
        "$empty" | "$notEmpty" => empty(name == "$empty", ctx)?,
        "$arrayEmpty" => op(Op::And, Js::Arr(vec![Js::Literal(array_length(ctx, "="))])),
        "$arrayNotEmpty" => op(Op::And, Js::Arr(vec![Js::Literal(array_length(ctx, ">"))])),
        "$isFalsy" if is_true(value) => op(Op::Or, ops(vec![(Op::Is, Js::Null), (Op::Eq, Js::Bool(false))])),
        "$isFalsy" => op(Op::Eq, Js::Bool(true)),
        "$isTruly" if is_true(value) => op(Op::Eq, Js::Bool(true)),
        "$isTruly" => op(Op::Or, ops(vec![(Op::Is, Js::Null), (Op::Eq, Js::Bool(false))])),
        "$exists" => op(Op::Not, Js::Null),
        "$notExists" => op(Op::Is, Js::Null),
        "$match" => {
            let Js::Arr(items) = value else { return Err(type_error("value.sort")) };
            let mut sorted = items.clone();
            sort_like_javascript(&mut sorted);
            op(
                Op::Eq,
                Js::Literal(format!("json({})", quote(&stringify::stringify(&Js::Arr(sorted)).unwrap_or_default()))),
            )
        }
        "$notMatch" => {
            op(Op::Ne, Js::Literal(format!("json({})", quote(&stringify::stringify(value).unwrap_or_default()))))
        }
        "$anyOf" => Js::Literal(exists_query(value, ctx)),
        "$noneOf" => {
            op(Op::Or, Js::Arr(vec![Js::Literal(format!("not {}", exists_query(value, ctx))), op(Op::Is, Js::Null)]))
        }
        "$childIn" => Js::Literal("1 = 2".to_owned()),
        "$childNotIn" => Js::Literal("1 = 1".to_owned()),
        date => super::dates::apply(date, value)?,
    })
}

fn is_true(value: &Js) -> bool {
    matches!(value, Js::Bool(true)) || matches!(value, Js::Str(s) if s == "true")
}

/// `value.replace(/[_%]/g, "\\$&")`: a TypeError for anything but a string.
fn escape_like(value: &Js) -> Result<String, FilterError> {
    match value {
        Js::Str(s) => Ok(s.replace('_', "\\_").replace('%', "\\%")),
        _ => Err(type_error("value.replace")),
    }
}

/// The string operators: one LIKE for a value, OR/AND of them for an array.
fn like_each(value: &Js, like: Op, glue: Op, pattern: fn(&str) -> String) -> Result<Js, FilterError> {
    if let Js::Arr(items) = value {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(op(like, Js::Str(pattern(&escape_like(item).map_err(|_| type_error("value.replace"))?))));
        }
        return Ok(op(glue, Js::Arr(out)));
    }
    Ok(op(like, Js::Str(pattern(&escape_like(value)?))))
}

/// `findFilterFieldType`: the field the path before the operator names, through associations.
fn empty(is_empty: bool, ctx: &OpCtx<'_>) -> Result<Js, FilterError> {
    let mut segments: Vec<&str> = ctx.path.split('.').collect();
    segments.pop();
    let field_name = segments.pop();
    let field_type = ctx.model.field_type_through(&segments, field_name);
    Ok(match (field_type.as_deref(), is_empty) {
        (Some("string"), true) => op(Op::Or, ops(vec![(Op::Is, Js::Null), (Op::Eq, Js::str(""))])),
        (Some("string"), false) => op(Op::And, ops(vec![(Op::Not, Js::Null), (Op::Ne, Js::str(""))])),
        (Some("array" | "set"), true) => op(Op::And, Js::Arr(vec![Js::Literal(array_length(ctx, "="))])),
        (Some("array" | "set"), false) => op(Op::And, Js::Arr(vec![Js::Literal(array_length(ctx, ">"))])),
        (_, true) => op(Op::Is, Js::Null),
        (_, false) => op(Op::Not, Js::Null),
    })
}

/// `getFieldName(ctx)` quoted: `` `todos`.`title` ``, `` `createdBy->roles`.`name` ``.
fn column(ctx: &OpCtx<'_>) -> String {
    let parts: Vec<&str> = ctx.full_name.split('.').collect();
    let field = ctx.field_name.unwrap_or("undefined");
    let prefix = if parts.len() > 1 { parts[..parts.len() - 1].join("->") } else { ctx.model.name().to_owned() };
    format!("{}.{}", super::sequelize::quote_identifier(&prefix), super::sequelize::quote_identifier(field))
}

fn array_length(ctx: &OpCtx<'_>, comparator: &str) -> String {
    format!("(select IFNULL(json_array_length({}), 0) {comparator} 0)", column(ctx))
}

/// `sqliteExistQuery`: the values are put in quotes as they are, unescaped.
fn exists_query(value: &Js, ctx: &OpCtx<'_>) -> String {
    let items: Vec<Js> = match value {
        Js::Arr(items) => items.clone(),
        other => vec![other.clone()],
    };
    let list: Vec<String> = items.iter().map(|v| format!("'{}'", js_string(v))).collect();
    format!("exists (select * from json_each({}) where json_each.value in ({}))", column(ctx), list.join(", "))
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `Array.prototype.sort()` without a comparator: by `String(item)`, UTF-16 order, undefined last.
fn sort_like_javascript(items: &mut [Js]) {
    items.sort_by(|a, b| match (a, b) {
        (Js::Undefined, Js::Undefined) => std::cmp::Ordering::Equal,
        (Js::Undefined, _) => std::cmp::Ordering::Greater,
        (_, Js::Undefined) => std::cmp::Ordering::Less,
        _ => crate::js::text::to_utf16(&js_string(a)).cmp(&crate::js::text::to_utf16(&js_string(b))),
    });
}

trait IsNull {
    fn is_null(&self) -> bool;
}

impl IsNull for Js {
    fn is_null(&self) -> bool {
        matches!(self, Js::Null)
    }
}
