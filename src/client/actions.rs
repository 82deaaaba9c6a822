//! One method per NocoBase action the suite calls (`auth:signIn`, `todos:list`,
//! `roles/<role>/users:add`, …), each a request built for [`NocoClient::send`].

use reqwest::Method;
use serde_json::{Value, json};

use super::{ApiRequest, Credential, NocoClient, with_query};
use crate::error::Result;
use crate::exchange::Exchange;
use crate::secret::Secret;

impl NocoClient {
    /// `GET __health_check`.
    pub async fn health_check(&self) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, "__health_check", &Credential::None)).await
    }

    /// `GET app:getInfo`.
    pub async fn app_get_info(&self) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, "app:getInfo", &Credential::None)).await
    }

    /// `POST auth:signIn` with the basic authenticator.
    pub async fn auth_sign_in(&self, account: &str, password: &Secret) -> Result<Exchange> {
        let request = ApiRequest::new(Method::POST, "auth:signIn", &Credential::None)
            .header("X-Authenticator", "basic")
            .json(json!({"account": account, "password": password.expose()}));
        self.send(request).await
    }

    /// `GET auth:check`.
    pub async fn auth_check(&self, credential: &Credential) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, "auth:check", credential)).await
    }

    /// `POST auth:signOut`.
    pub async fn auth_sign_out(&self, credential: &Credential) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, "auth:signOut", credential)).await
    }

    /// `GET pm:get?filterByTk=<plugin>`.
    pub async fn pm_get(&self, credential: &Credential, plugin: &str) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, format!("pm:get?filterByTk={plugin}"), credential)).await
    }

    /// `POST pm:enable?filterByTk=<plugin>`.
    pub async fn pm_enable(&self, credential: &Credential, plugin: &str) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, format!("pm:enable?filterByTk={plugin}"), credential)).await
    }

    /// `GET swagger:getUrls`.
    pub async fn swagger_get_urls(&self, credential: &Credential) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, "swagger:getUrls", credential)).await
    }

    /// `GET swagger:get?ns=<ns>`.
    pub async fn swagger_get(&self, credential: &Credential, ns: &str) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, format!("swagger:get?ns={ns}"), credential)).await
    }

    /// `POST collections:create`.
    pub async fn collections_create(&self, credential: &Credential, body: Value) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, "collections:create", credential).json(body)).await
    }

    /// `GET collections:get?filterByTk=<name>&appends[]=fields`.
    pub async fn collections_get(&self, credential: &Credential, name: &str) -> Result<Exchange> {
        let path = format!("collections:get?filterByTk={name}&appends[]=fields");
        self.send(ApiRequest::new(Method::GET, path, credential)).await
    }

    /// `GET collections:list?filter=…` (used to find leftovers by name).
    pub async fn collections_list(&self, credential: &Credential, filter: &Value) -> Result<Exchange> {
        let path = format!("collections:list?paginate=false&filter={filter}");
        self.send(ApiRequest::new(Method::GET, path, credential)).await
    }

    /// `POST collections:destroy?filterByTk=<name>`.
    pub async fn collections_destroy(&self, credential: &Credential, name: &str) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, format!("collections:destroy?filterByTk={name}"), credential)).await
    }

    /// `POST collections/<name>/fields:create`.
    pub async fn collection_fields_create(
        &self,
        credential: &Credential,
        collection: &str,
        body: Value,
    ) -> Result<Exchange> {
        let path = format!("collections/{collection}/fields:create");
        self.send(ApiRequest::new(Method::POST, path, credential).json(body)).await
    }

    /// `GET <collection>:list?<query>`.
    pub async fn records_list(&self, credential: &Credential, collection: &str, query: &str) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, with_query(&format!("{collection}:list"), query), credential)).await
    }

    /// `GET <collection>:get?filterByTk=<id>`.
    pub async fn records_get(&self, credential: &Credential, collection: &str, id: &str) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, format!("{collection}:get?filterByTk={id}"), credential)).await
    }

    /// `POST <collection>:create`.
    pub async fn records_create(&self, credential: &Credential, collection: &str, body: Value) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, format!("{collection}:create"), credential).json(body)).await
    }

    /// `POST <collection>:update?filterByTk=<id>`.
    pub async fn records_update(
        &self,
        credential: &Credential,
        collection: &str,
        id: &str,
        body: Value,
    ) -> Result<Exchange> {
        let path = format!("{collection}:update?filterByTk={id}");
        self.send(ApiRequest::new(Method::POST, path, credential).json(body)).await
    }

    /// `POST <collection>:destroy?filterByTk=<id>`.
    pub async fn records_destroy(&self, credential: &Credential, collection: &str, id: &str) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, format!("{collection}:destroy?filterByTk={id}"), credential)).await
    }

    /// `POST roles:create`.
    pub async fn roles_create(&self, credential: &Credential, body: Value) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, "roles:create", credential).json(body)).await
    }

    /// `GET roles:get?filterByTk=<name>`.
    pub async fn roles_get(&self, credential: &Credential, name: &str) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, format!("roles:get?filterByTk={name}"), credential)).await
    }

    /// `GET roles:list?filter=…`.
    pub async fn roles_list(&self, credential: &Credential, filter: &Value) -> Result<Exchange> {
        let path = format!("roles:list?paginate=false&filter={filter}");
        self.send(ApiRequest::new(Method::GET, path, credential)).await
    }

    /// `POST roles:update?filterByTk=<name>`.
    pub async fn roles_update(&self, credential: &Credential, name: &str, body: Value) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, format!("roles:update?filterByTk={name}"), credential).json(body)).await
    }

    /// `POST roles:destroy?filterByTk=<name>`.
    pub async fn roles_destroy(&self, credential: &Credential, name: &str) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, format!("roles:destroy?filterByTk={name}"), credential)).await
    }

    /// `GET roles:check`.
    pub async fn roles_check(&self, credential: &Credential) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, "roles:check", credential)).await
    }

    /// `POST roles/<role>/dataSourceResources:create` as the admin UI sends it.
    pub async fn role_resources_create(
        &self,
        credential: &Credential,
        role: &str,
        collection: &str,
        body: Value,
    ) -> Result<Exchange> {
        let filter = json!({"dataSourceKey": "main", "name": collection});
        let path = format!("roles/{role}/dataSourceResources:create?filterByTk={collection}&filter={filter}");
        self.send(ApiRequest::new(Method::POST, path, credential).json(body)).await
    }

    /// `GET roles/<role>/dataSourceResources:get` with the actions appended, as the admin UI asks.
    pub async fn role_resources_get(&self, credential: &Credential, role: &str, collection: &str) -> Result<Exchange> {
        let filter = json!({"dataSourceKey": "main", "name": collection});
        let path = format!(
            "roles/{role}/dataSourceResources:get?filterByTk={collection}&appends[]=actions&appends[]=actions.scope&filter={filter}"
        );
        self.send(ApiRequest::new(Method::GET, path, credential)).await
    }

    /// `POST roles/<role>/users:add` with body `[ids]`.
    pub async fn role_users_add(&self, credential: &Credential, role: &str, ids: &[i64]) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, format!("roles/{role}/users:add"), credential).json(json!(ids))).await
    }

    /// `POST roles/<role>/users:remove` with body `[ids]`.
    pub async fn role_users_remove(&self, credential: &Credential, role: &str, ids: &[i64]) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, format!("roles/{role}/users:remove"), credential).json(json!(ids)))
            .await
    }

    /// `POST roles/<role>/snippets:add` (or `:remove`) with a list of snippets.
    pub async fn role_snippets(
        &self,
        credential: &Credential,
        role: &str,
        add: bool,
        snippets: Value,
    ) -> Result<Exchange> {
        let action = if add { "add" } else { "remove" };
        self.send(ApiRequest::new(Method::POST, format!("roles/{role}/snippets:{action}"), credential).json(snippets))
            .await
    }

    /// `POST users:create`.
    pub async fn users_create(&self, credential: &Credential, body: Value) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, "users:create", credential).json(body)).await
    }

    /// `GET users:list?filter=…`.
    pub async fn users_list(&self, credential: &Credential, filter: &Value) -> Result<Exchange> {
        let path = format!("users:list?paginate=false&filter={filter}");
        self.send(ApiRequest::new(Method::GET, path, credential)).await
    }

    /// `POST users:destroy?filterByTk=<id>`.
    pub async fn users_destroy(&self, credential: &Credential, id: i64) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, format!("users:destroy?filterByTk={id}"), credential)).await
    }

    /// `GET users/<id>/roles:list`.
    pub async fn user_roles_list(&self, credential: &Credential, id: i64) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, format!("users/{id}/roles:list"), credential)).await
    }

    /// `POST apiKeys:create`.
    pub async fn api_keys_create(&self, credential: &Credential, body: Value) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, "apiKeys:create", credential).json(body)).await
    }

    /// `GET apiKeys:list?<query>`.
    pub async fn api_keys_list(&self, credential: &Credential, query: &str) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, with_query("apiKeys:list", query), credential)).await
    }

    /// `POST apiKeys:destroy?filterByTk=<id>`.
    pub async fn api_keys_destroy(&self, credential: &Credential, id: i64) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::POST, format!("apiKeys:destroy?filterByTk={id}"), credential)).await
    }

    /// `GET /api/tokenControlConfig:get?filterByTk=token-policy-config`: the token policy.
    pub async fn token_policy_get(&self, credential: &Credential) -> Result<Exchange> {
        self.send(ApiRequest::new(Method::GET, "tokenControlConfig:get?filterByTk=token-policy-config", credential))
            .await
    }

    /// `POST /api/tokenControlConfig:update?filterByTk=token-policy-config` with `{"config": …}`.
    pub async fn token_policy_update(&self, credential: &Credential, config: Value) -> Result<Exchange> {
        let path = "tokenControlConfig:update?filterByTk=token-policy-config";
        self.send(ApiRequest::new(Method::POST, path, credential).json(json!({ "config": config }))).await
    }
}
