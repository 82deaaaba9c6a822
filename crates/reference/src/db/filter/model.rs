//! What the filter code asks of a collection, in the terms of NocoBase and Sequelize: the
//! model's `rawAttributes` (with the Sequelize type that decides how a value is escaped), its
//! `associations` and their targets, and `collection.getField` / `db.getFieldByPath` for the
//! NocoBase field types operators look at.

use super::Catalog;
use crate::db::schema::{Collection, FieldKind};

/// How Sequelize turns a value into SQL for a column (`field.type.stringify`, then `escape`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SqlType {
    /// `BIGINT`, `INTEGER`, `DECIMAL`: anything with a `toString` becomes that text.
    Number,
    /// `DOUBLE`, `FLOAT`, `REAL`: `'<value>'`, `'NaN'` for what is not a number.
    Float,
    /// `DATE`: `'YYYY-MM-DD HH:mm:ss.SSS +00:00'`, `'Invalid date'`.
    Date,
    /// `JSON`: `'<JSON.stringify(value)>'`.
    Json,
    /// `STRING`, `TEXT`, `BOOLEAN`, …: no conversion before escaping.
    Plain,
}

impl SqlType {
    /// The Sequelize type NocoBase declares for a field of NocoBase type `nocobase_type`.
    pub(crate) fn of(nocobase_type: &str) -> Self {
        match nocobase_type {
            "bigInt" | "integer" | "sort" | "snowflakeId" | "context" | "unixTimestamp" | "decimal" => SqlType::Number,
            "double" | "float" | "real" => SqlType::Float,
            "date" | "datetime" | "datetimeTz" => SqlType::Date,
            "json" | "jsonb" | "set" | "array" => SqlType::Json,
            _ => SqlType::Plain,
        }
    }
}

/// An association of a model: its name and the collection it leads to.
#[derive(Debug, Clone)]
pub(crate) struct Association {
    pub(crate) kind: FieldKind,
    pub(crate) target: String,
}

/// A collection seen as a Sequelize model.
pub(crate) struct Model<'a> {
    collection: Collection,
    catalog: &'a dyn Catalog,
}

impl<'a> Model<'a> {
    pub(crate) fn new(collection: Collection, catalog: &'a dyn Catalog) -> Self {
        Self { collection, catalog }
    }

    pub(crate) fn name(&self) -> &str {
        &self.collection.name
    }

    pub(crate) fn collection(&self) -> &Collection {
        &self.collection
    }

    /// The catalog the model's associations are looked up in.
    pub(crate) fn catalog(&self) -> &'a dyn Catalog {
        self.catalog
    }

    /// `rawAttributes[name]`: the column's Sequelize type.
    pub(crate) fn raw_attribute(&self, name: &str) -> Option<SqlType> {
        self.collection.attribute(name).map(|f| SqlType::of(&f.nocobase_type))
    }

    /// Whether `rawAttributes[name]` is truthy (own attributes and `Object.prototype`'s names).
    pub(crate) fn has_raw_attribute(&self, name: &str) -> bool {
        // `rawAttributes.toString` is a function: NocoBase takes such a name for an attribute.
        self.raw_attribute(name).is_some() || crate::js::OBJECT_PROTOTYPE.contains(&name)
    }

    /// `associations[name]`.
    pub(crate) fn association(&self, name: &str) -> Option<Association> {
        let field = self.collection.association(name)?;
        let target = match &field.kind {
            FieldKind::BelongsTo { target, .. }
            | FieldKind::HasMany { target, .. }
            | FieldKind::BelongsToMany { target, .. } => target.clone(),
            _ => return None,
        };
        Some(Association { kind: field.kind.clone(), target })
    }

    /// The model an association leads to.
    pub(crate) fn target(&self, association: &Association) -> Option<Model<'a>> {
        self.catalog.collection(&association.target).map(|c| Model::new(c, self.catalog))
    }

    /// The model called `name` in the same catalog.
    pub(crate) fn other(&self, name: &str) -> Option<Model<'a>> {
        self.catalog.collection(name).map(|c| Model::new(c, self.catalog))
    }

    /// `collection.getField(name).type`.
    pub(crate) fn field_type(&self, name: &str) -> Option<String> {
        self.collection
            .field(name)
            .map(|f| f.nocobase_type.clone())
            .or_else(|| self.collection.attribute(name).map(|f| f.nocobase_type))
    }

    /// `db.getFieldByPath('<collection>.<full_name>').type`.
    pub(crate) fn field_type_by_path(&self, full_name: &str) -> Option<String> {
        let mut segments = full_name.split('.');
        let mut model = self.other(self.name())?;
        let mut name = segments.next()?;
        loop {
            let Some(next) = segments.next() else {
                return model.field_type(name);
            };
            let association = model.association(name)?;
            model = model.target(&association)?;
            name = next;
        }
    }

    /// `findFilterFieldType`: `field_name` on the model reached through `segments` (indexes and
    /// operators skipped, stopping at the first name that is no association).
    pub(crate) fn field_type_through(&self, segments: &[&str], field_name: Option<&str>) -> Option<String> {
        let mut model = self.other(self.name())?;
        for segment in segments {
            if segment.starts_with('$') || !crate::js::number::parse_int(segment).is_nan() {
                continue;
            }
            let Some(association) = model.association(segment) else { break };
            model = model.target(&association)?;
        }
        model.field_type(field_name?)
    }
}
