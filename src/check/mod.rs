//! What a step checks an answer against: the reviewed snapshots ([`snapshot`]; insta's file
//! format in `snap_file`) after normalisation ([`normalize`]), the target's own OpenAPI document
//! ([`openapi`]), and the claims of the JWTs NocoBase issues ([`jwt`]). `grants` reads
//! `roles:check`'s grants as sets, for the normalisation.

mod grants;
pub mod jwt;
pub mod normalize;
pub mod openapi;
mod snap_file;
pub mod snapshot;
