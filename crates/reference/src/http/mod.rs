//! The HTTP plumbing every layer shares: NocoBase's URL grammar and action parameters
//! ([`request`], [`qs`]), request bodies ([`body`], [`json_body`]), CORS ([`cors`]) and the
//! request's own origin ([`origin`]), the auth [`cookies`], the request's locale ([`locale`]),
//! what an action answers ([`reply`]) and NocoBase's error format ([`error`]).

pub(crate) mod body;
pub(crate) mod cookies;
pub(crate) mod cors;
pub(crate) mod error;
pub(crate) mod json_body;
pub(crate) mod locale;
pub(crate) mod origin;
pub(crate) mod qs;
pub(crate) mod reply;
pub(crate) mod request;
