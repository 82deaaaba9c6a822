//! The resources the reference server serves, in one route table ([`ROUTES`]): which resource
//! has which action, and the handler that runs it. The same table answers NocoBase's
//! resource/action lookup ([`find`]: a miss is the plain 404, before authentication) and runs
//! the action ([`dispatch`]). Handlers are named `resource_action` after NocoBase's
//! `resource:action`; each takes the request's [`Ctx`].

mod api_keys;
mod app_info;
mod collections;
mod iframe_html;
mod plugins;
mod records;
mod roles;
mod session;
mod swagger;
mod token_policy;
mod users;

use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

pub use self::app_info::NOCOBASE_VERSION;
use crate::auth::Caller;
use crate::auth::acl::Grant;
use crate::db::store::{CatalogView, Store};
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::http::request::{Params, Route};
use crate::state::AppState;

/// One request's parsed inputs and who is making it.
pub(crate) struct Ctx<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) route: Route,
    pub(crate) params: Params,
    pub(crate) body: Value,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) caller: Option<Caller>,
    pub(crate) grant: Grant,
}

impl Ctx<'_> {
    /// The caller; only `None` for public actions.
    pub(crate) fn caller(&self) -> ApiResult<&Caller> {
        self.caller.as_ref().ok_or_else(|| ApiError::Internal("action needs a caller".into()))
    }

    /// The body as an object (`{}` for anything else).
    pub(crate) fn values(&self) -> serde_json::Map<String, Value> {
        self.body.as_object().cloned().unwrap_or_default()
    }
}

/// What runs an action.
type Handler = fn(&Ctx<'_>) -> ApiResult<Reply>;

/// A resource NocoBase defines (a plugin's, or one it serves for a collection) and its actions.
struct Resource {
    /// The resource's name; association resources are `<associated>.<resource>`.
    name: &'static str,
    /// The plugin that defines it: while that plugin is disabled the resource does not exist.
    plugin: Option<&'static str>,
    /// Its actions and their handlers.
    actions: &'static [(&'static str, Handler)],
    /// Whether it also has the rest of [`DEFAULT_ACTIONS`] (a collection's resource), which the
    /// reference server does not implement.
    default_actions: bool,
}

/// The route table. A resource not listed here exists when it is a collection of the catalog
/// (NocoBase defines a resource for each on first use), with [`DEFAULT_ACTIONS`]; a user
/// collection's record actions run through [`COLLECTION_RECORDS`] — `todos:list` is
/// `records::records_list`.
const ROUTES: &[Resource] = &[
    Resource::new("app", &[("getInfo", app_info::app_get_info)]),
    Resource::new(
        "auth",
        &[
            ("signIn", session::auth_sign_in),
            ("check", session::auth_check),
            ("signOut", session::auth_sign_out),
            ("syncCookies", session::auth_sync_cookies),
        ],
    ),
    Resource::new(
        "pm",
        &[
            ("list", plugins::pm_list),
            ("listEnabled", plugins::pm_list),
            ("get", plugins::pm_get),
            ("enable", |ctx| plugins::pm_set_enabled(ctx, true)),
            ("disable", |ctx| plugins::pm_set_enabled(ctx, false)),
        ],
    ),
    Resource::new("swagger", &[("get", swagger::swagger_get), ("getUrls", swagger::swagger_get_urls)])
        .of_plugin("api-doc"),
    Resource::new(
        "apiKeys",
        &[
            ("create", api_keys::api_keys_create),
            ("list", api_keys::api_keys_list),
            ("destroy", api_keys::api_keys_destroy),
        ],
    )
    .of_plugin("api-keys"),
    Resource::new(
        "tokenControlConfig",
        &[("get", token_policy::token_control_config_get), ("update", token_policy::token_control_config_update)],
    )
    .with_default_actions(),
    Resource::new("availableActions", &[("list", roles::available_actions_list)]),
    Resource::new(
        "iframeHtml",
        &[
            ("create", iframe_html::iframe_html_create),
            ("get", iframe_html::iframe_html_get_html),
            ("getHtml", iframe_html::iframe_html_get_html),
        ],
    ),
    Resource::new(
        "roles",
        &[
            ("create", roles::roles_create),
            ("update", roles::roles_update),
            ("destroy", roles::roles_destroy),
            ("check", roles::roles_check),
            ("get", records::records_get),
            ("list", records::records_list),
        ],
    )
    .with_default_actions(),
    Resource::new(
        "roles.users",
        &[
            ("add", |ctx| roles::users::roles_users_add(ctx, true)),
            ("remove", |ctx| roles::users::roles_users_add(ctx, false)),
            ("list", roles::users::roles_users_list),
            ("set", not_implemented),
        ],
    ),
    Resource::new(
        "roles.snippets",
        &[
            ("add", |ctx| roles::snippets::roles_snippets_change(ctx, true)),
            ("remove", |ctx| roles::snippets::roles_snippets_change(ctx, false)),
            ("list", not_implemented),
            ("set", not_implemented),
        ],
    ),
    Resource::new(
        "roles.dataSourceResources",
        &[
            ("create", roles::data_sources::roles_data_source_resources_save),
            ("update", roles::data_sources::roles_data_source_resources_save),
            ("get", roles::data_sources::roles_data_source_resources_get),
            ("list", not_implemented),
        ],
    ),
    Resource::new(
        "roles.dataSourcesCollections",
        &[("list", roles::data_sources::roles_data_sources_collections_list)],
    ),
    Resource::new(
        "users",
        &[
            ("create", users::users_create),
            ("destroy", users::users_destroy),
            ("get", records::records_get),
            ("list", records::records_list),
            ("update", records::records_update),
        ],
    )
    .with_default_actions(),
    Resource::new(
        "users.roles",
        &[
            ("list", users::users_roles_list),
            ("add", not_implemented),
            ("remove", not_implemented),
            ("set", not_implemented),
        ],
    ),
    Resource::new("rolesUsers", &[("get", records::records_get), ("list", records::records_list)])
        .with_default_actions(),
    Resource::new(
        "collections",
        &[
            ("create", collections::collections_create),
            ("get", collections::collections_get),
            ("list", collections::collections_list),
            ("destroy", collections::collections_destroy),
        ],
    )
    .with_default_actions(),
    Resource::new(
        "collections.fields",
        &[
            ("create", collections::fields::collections_fields_create),
            ("list", collections::fields::collections_fields_list),
            ("get", not_implemented),
            ("destroy", collections::fields::collections_fields_destroy),
            ("update", not_implemented),
        ],
    ),
];

/// The record actions of a user collection's resource (`todos:list`, `todos:create`, …).
const COLLECTION_RECORDS: &[(&str, Handler)] = &[
    ("list", records::records_list),
    ("get", records::records_get),
    ("create", records::records_create),
    ("update", records::records_update),
    ("destroy", records::records_destroy),
];

/// Actions NocoBase registers for every collection resource (`packages/core/actions`).
const DEFAULT_ACTIONS: &[&str] = &[
    "add",
    "create",
    "destroy",
    "get",
    "list",
    "remove",
    "set",
    "toggle",
    "update",
    "move",
    "firstOrCreate",
    "updateOrCreate",
    "query",
];

impl Resource {
    const fn new(name: &'static str, actions: &'static [(&'static str, Handler)]) -> Self {
        Self { name, plugin: None, actions, default_actions: false }
    }

    const fn of_plugin(self, plugin: &'static str) -> Self {
        Self { plugin: Some(plugin), ..self }
    }

    const fn with_default_actions(self) -> Self {
        Self { default_actions: true, ..self }
    }

    fn handler(&self, action: &str) -> Option<Handler> {
        let listed = self.actions.iter().find(|(name, _)| *name == action).map(|(_, handler)| *handler);
        listed.or_else(|| (self.default_actions && DEFAULT_ACTIONS.contains(&action)).then_some(not_implemented))
    }
}

/// The handler of `route`, when NocoBase would have that resource and action (plugin state and
/// the catalog of collections included); `None` is NocoBase's plain 404.
pub(crate) fn find(store: &Store, catalog: &CatalogView, route: &Route) -> Option<Handler> {
    let action = route.action.as_str();
    if let Some(resource) = ROUTES.iter().find(|r| r.name == route.resource) {
        if resource.plugin.is_some_and(|plugin| !store.plugin_enabled(plugin)) {
            return None;
        }
        return resource.handler(action);
    }
    let collection = catalog.get(&route.resource);
    if collection.is_none() && !store.lingering_resource(&route.resource) {
        return None;
    }
    if !DEFAULT_ACTIONS.contains(&action) {
        return None;
    }
    let records = collection
        .filter(|c| c.user_defined)
        .and_then(|_| COLLECTION_RECORDS.iter().find(|(name, _)| *name == action))
        .map(|(_, handler)| *handler);
    Some(records.unwrap_or(not_implemented))
}

/// Runs the action with the handler [`find`] gave.
pub(crate) fn dispatch(ctx: &Ctx<'_>, handler: Handler) -> ApiResult<Reply> {
    if ctx.state.store().lingering_resource(&ctx.route.resource) {
        // The resource outlived its collection: its repository is gone (probe 123).
        return Err(ApiError::server("Cannot read properties of undefined (reading 'collection')"));
    }
    handler(ctx)
}

/// An action NocoBase has that the reference server does not implement.
pub(crate) fn not_implemented(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    Err(not_implemented_error(ctx))
}

/// The 501 of [`not_implemented`].
pub(crate) fn not_implemented_error(ctx: &Ctx<'_>) -> ApiError {
    ApiError::Client {
        status: StatusCode::NOT_IMPLEMENTED,
        message: format!("The reference server does not implement {}:{}", ctx.route.resource, ctx.route.action),
        code: None,
    }
}
