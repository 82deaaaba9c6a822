//! The storage that stands in for NocoBase's Sequelize on SQLite: the [`store`] (one connection,
//! the catalog of collections), what a fresh install holds ([`install`]), the collections'
//! [`schema`] and the [`system_collections`], the generic record operations ([`repository`])
//! with NocoBase's [`filter`]s compiled to SQL (and SQLite's refusals as NocoBase words them:
//! [`sql_errors`]) and list [`paging`], value conversions ([`sql_values`], [`clock`]), generated
//! [`ids`], the names a collection, field or role may have ([`identifiers`]) and the password
//! field's hashing ([`password`]).

pub(crate) mod clock;
pub(crate) mod filter;
pub(crate) mod identifiers;
pub(crate) mod ids;
pub(crate) mod install;
pub(crate) mod paging;
pub(crate) mod password;
pub(crate) mod repository;
pub(crate) mod schema;
pub(crate) mod sql_errors;
pub(crate) mod sql_values;
pub(crate) mod store;
pub(crate) mod system_collections;
