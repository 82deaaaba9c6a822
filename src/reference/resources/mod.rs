//! The resources the reference server serves and the actions each has. [`exists`] is NocoBase's
//! resource/action lookup (a miss is the plain 404, before authentication); [`dispatch`] runs the
//! action. Handlers are named `resource_action` after NocoBase's `resource:action`.

mod api_keys;
mod app_info;
mod collections;
mod iframe_html;
mod plugins;
mod records;
mod roles;
mod session;
mod users;

use super::Ctx;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use super::request::Route;
use super::store::{CatalogView, Store};

/// Actions NocoBase registers for every collection resource.
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

/// Actions the reference server implements for collection resources.
const RECORD_ACTIONS: &[&str] = &["create", "destroy", "get", "list", "update"];

/// Whether `route` names a resource and action NocoBase would have (plugin state included).
pub(crate) fn exists(store: &Store, catalog: &CatalogView, route: &Route) -> bool {
    let action = route.action.as_str();
    match route.resource.as_str() {
        "app" => matches!(action, "getInfo"),
        "auth" => matches!(action, "signIn" | "check" | "signOut"),
        "pm" => matches!(action, "list" | "get" | "enable" | "disable" | "listEnabled"),
        "apiKeys" => store.plugin_enabled("api-keys") && matches!(action, "list" | "create" | "destroy"),
        "swagger" => store.plugin_enabled("api-doc") && matches!(action, "get" | "getUrls"),
        "availableActions" => action == "list",
        "iframeHtml" => matches!(action, "create" | "get" | "getHtml"),
        "roles" => action == "check" || DEFAULT_ACTIONS.contains(&action),
        "roles.users" => matches!(action, "add" | "remove" | "list" | "set"),
        "roles.snippets" => matches!(action, "add" | "remove" | "list" | "set"),
        "roles.dataSourceResources" => matches!(action, "create" | "get" | "update" | "list"),
        "roles.dataSourcesCollections" => action == "list",
        "users.roles" => matches!(action, "list" | "add" | "remove" | "set"),
        "collections" => DEFAULT_ACTIONS.contains(&action),
        "collections.fields" => matches!(action, "create" | "list" | "get" | "destroy" | "update"),
        name => (catalog.get(name).is_some() || store.lingering_resource(name)) && DEFAULT_ACTIONS.contains(&action),
    }
}

/// Runs the action.
pub(crate) fn dispatch(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let action = ctx.route.action.as_str();
    if ctx.state.store().lingering_resource(&ctx.route.resource) {
        // The resource outlived its collection: its repository is gone (probe 123).
        return Err(ApiError::server("Cannot read properties of undefined (reading 'collection')"));
    }
    match (ctx.route.resource.as_str(), action) {
        ("app", "getInfo") => app_info::app_get_info(ctx),
        ("auth", "signIn") => session::auth_sign_in(ctx),
        ("auth", "check") => session::auth_check(ctx),
        ("auth", "signOut") => session::auth_sign_out(ctx),
        ("pm", "list" | "listEnabled") => plugins::pm_list(ctx),
        ("pm", "get") => plugins::pm_get(ctx),
        ("pm", "enable") => plugins::pm_set_enabled(ctx, true),
        ("pm", "disable") => plugins::pm_set_enabled(ctx, false),
        ("swagger", "get") => super::swagger::swagger_get(ctx),
        ("swagger", "getUrls") => super::swagger::swagger_get_urls(ctx),
        ("apiKeys", "create") => api_keys::api_keys_create(ctx),
        ("apiKeys", "list") => api_keys::api_keys_list(ctx),
        ("apiKeys", "destroy") => api_keys::api_keys_destroy(ctx),
        ("availableActions", "list") => roles::available_actions_list(ctx),
        ("roles", "create") => roles::roles_create(ctx),
        ("roles", "update") => roles::roles_update(ctx),
        ("roles", "destroy") => roles::roles_destroy(ctx),
        ("roles", "check") => roles::roles_check(ctx),
        ("roles", "get" | "list") => records::records(ctx),
        ("roles.users", "add") => roles::roles_users_add(ctx, true),
        ("roles.users", "remove") => roles::roles_users_add(ctx, false),
        ("roles.users", "list") => roles::roles_users_list(ctx),
        ("roles.snippets", "add") => roles::roles_snippets_change(ctx, true),
        ("roles.snippets", "remove") => roles::roles_snippets_change(ctx, false),
        ("roles.dataSourceResources", "create" | "update") => roles::roles_data_source_resources_save(ctx),
        ("roles.dataSourceResources", "get") => roles::roles_data_source_resources_get(ctx),
        ("roles.dataSourcesCollections", "list") => roles::roles_data_sources_collections_list(ctx),
        ("users", "create") => users::users_create(ctx),
        ("users", "destroy") => users::users_destroy(ctx),
        ("users", "get" | "list" | "update") => records::records(ctx),
        ("users.roles", "list") => users::users_roles_list(ctx),
        ("rolesUsers", "get" | "list") => records::records(ctx),
        ("collections", "create") => collections::collections_create(ctx),
        ("collections", "get") => collections::collections_get(ctx),
        ("collections", "list") => collections::collections_list(ctx),
        ("collections", "destroy") => collections::collections_destroy(ctx),
        ("collections.fields", "create") => collections::collections_fields_create(ctx),
        ("collections.fields", "list") => collections::collections_fields_list(ctx),
        ("iframeHtml", "create") => iframe_html::iframe_html_create(ctx),
        ("iframeHtml", "get" | "getHtml") => iframe_html::iframe_html_get_html(ctx),
        (_, action) if RECORD_ACTIONS.contains(&action) && is_user_collection(ctx) => records::records(ctx),
        (resource, action) => Err(ApiError::Client {
            status: axum::http::StatusCode::NOT_IMPLEMENTED,
            message: format!("The reference server does not implement {resource}:{action}"),
            code: None,
        }),
    }
}

fn is_user_collection(ctx: &Ctx<'_>) -> bool {
    ctx.state.store().catalog().get(&ctx.route.resource).is_some_and(|c| c.user_defined)
}

pub(crate) use app_info::NOCOBASE_VERSION;
