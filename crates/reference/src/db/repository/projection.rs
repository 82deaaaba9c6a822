//! What a find shows of its rows, as `@nocobase/database` builds it: `OptionsParser.parseFields`
//! (association paths among `fields` join the appends) and `parseAppends` (appends sorted by
//! depth; a path whose head is no association is skipped; `a.b` with `b` an attribute of `a`'s
//! target selects that attribute; any other deeper path includes `a` for the sake of its own
//! associations only), then `EagerLoadingTree.setInstanceAttributes`: a record whose attributes
//! are a list shows that list in its order, then its included associations — so
//! `appends=createdBy.nosuch` shows `"createdBy":{}` (recordings offpath 568, 582).

use serde_json::{Map, Value};

use super::{Projection, Row, associated};
use crate::db::schema::{Collection, FieldKind};
use crate::db::store::CatalogView;
use crate::http::error::ApiResult;

/// Which attributes an included record shows.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    /// `attributes` undefined: only the record's own included associations.
    Associations,
    /// `{ include: [] }`: every attribute.
    All,
    /// A list, in its order.
    Only(Vec<String>),
}

/// One included association and what it shows.
#[derive(Debug, Clone)]
struct Include {
    name: String,
    shown: Shown,
    children: Vec<Include>,
}

impl Include {
    /// The projection of the target's rows: the attribute list, and the children as appends.
    fn projection(&self) -> Projection {
        let fields = match &self.shown {
            Shown::Associations => Some(Vec::new()),
            Shown::All => None,
            Shown::Only(list) => Some(list.clone()),
        };
        let mut appends = Vec::new();
        for child in &self.children {
            child.paths(String::new(), &mut appends);
        }
        Projection { fields, except: Vec::new(), appends }
    }

    /// Append paths that rebuild this include under `prefix`.
    fn paths(&self, prefix: String, out: &mut Vec<String>) {
        let here = format!("{prefix}{}", self.name);
        match &self.shown {
            Shown::All => out.push(here.clone()),
            Shown::Only(list) => out.extend(list.iter().map(|a| format!("{here}.{a}"))),
            Shown::Associations => {}
        }
        for child in &self.children {
            child.paths(format!("{here}."), out);
        }
    }
}

/// `setInclude` for one append path below `collection`.
fn set_include(includes: &mut Vec<Include>, catalog: &CatalogView, collection: &Collection, path: &[&str]) {
    let Some(association) = collection.association(path[0]) else { return };
    let Some(target) = target_name(&association.kind).and_then(|t| catalog.get(t)) else { return };
    let last_level = path.len() == 1 || (path.len() == 2 && target.attribute(path[1]).is_some());
    let index = match includes.iter().position(|i| i.name == path[0]) {
        Some(index) => {
            if includes[index].shown == Shown::Only(Vec::new()) {
                includes[index].shown = Shown::All;
            }
            if last_level && includes[index].shown == Shown::All {
                return;
            }
            index
        }
        None => {
            includes.push(Include { name: path[0].to_owned(), shown: Shown::Associations, children: Vec::new() });
            includes.len() - 1
        }
    };
    let include = &mut includes[index];
    if !last_level {
        set_include(&mut include.children, catalog, target, &path[1..]);
    } else if let [_, attribute] = path {
        match &mut include.shown {
            Shown::Only(list) => list.push((*attribute).to_owned()),
            shown => *shown = Shown::Only(vec![(*attribute).to_owned()]),
        }
    } else if include.shown == Shown::Associations {
        include.shown = Shown::All;
    }
}

fn target_name(kind: &FieldKind) -> Option<&str> {
    match kind {
        FieldKind::BelongsTo { target, .. }
        | FieldKind::HasMany { target, .. }
        | FieldKind::BelongsToMany { target, .. } => Some(target),
        _ => None,
    }
}

/// Shows rows as NocoBase's `toJSON` would, with `fields` / `except` / `appends` applied.
pub(crate) fn project(
    conn: &rusqlite::Connection,
    catalog: &CatalogView,
    collection: &Collection,
    rows: Vec<Row>,
    projection: &Projection,
) -> ApiResult<Vec<Value>> {
    let mut appends: Vec<String> = projection.appends.iter().filter(|a| !a.is_empty()).cloned().collect();
    let mut only: Option<Vec<String>> = None;
    if let Some(fields) = &projection.fields {
        let mut attributes = Vec::new();
        for field in fields {
            let head = field.split('.').next().unwrap_or_default();
            if collection.association(head).is_some() {
                appends.push(field.clone());
            } else if !attributes.contains(field) {
                attributes.push(field.clone());
            }
        }
        only = Some(attributes);
    }
    // lodash's `sortBy`: stable, by the number of path segments.
    appends.sort_by_key(|a| a.split('.').count());
    let mut includes = Vec::new();
    for append in &appends {
        let path: Vec<&str> = append.split('.').collect();
        set_include(&mut includes, catalog, collection, &path);
    }
    let hidden = collection.hidden_attributes();
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        // The associations first (they read the row's keys), then the attributes moved out.
        let mut associations = Vec::with_capacity(includes.len());
        for include in &includes {
            let Some(association) = collection.association(&include.name) else { continue };
            associations
                .push((include.name.clone(), associated(conn, catalog, association, &row, &include.projection())?));
        }
        let visible = |name: &String| !hidden.contains(name) && !projection.except.contains(name);
        let mut shown = Map::new();
        match &only {
            Some(list) => {
                for name in list {
                    if visible(name)
                        && let Some(value) = row.remove(name)
                    {
                        shown.insert(name.clone(), value);
                    }
                }
            }
            None => {
                for (name, value) in row.into_iter().filter(|(name, _)| visible(name)) {
                    shown.insert(name, value);
                }
            }
        }
        shown.extend(associations);
        out.push(Value::Object(shown));
    }
    Ok(out)
}
