-- Tables of the reference server that are not collections with their own CRUD resource.
-- users, roles, apiKeys and iframeHtml are created from their collection definitions (schema.rs).

CREATE TABLE IF NOT EXISTS "rolesUsers" (
  "createdAt" DATETIME, "updatedAt" DATETIME, "default" TINYINT(1),
  "roleName" VARCHAR(255) NOT NULL, "userId" BIGINT NOT NULL,
  PRIMARY KEY ("roleName", "userId")
);

CREATE TABLE IF NOT EXISTS "dataSourcesRolesResources" (
  "id" BIGINT PRIMARY KEY, "createdAt" DATETIME, "updatedAt" DATETIME,
  "dataSourceKey" VARCHAR(255), "roleName" VARCHAR(255), "name" VARCHAR(255),
  "usingActionsConfig" TINYINT(1)
);

CREATE TABLE IF NOT EXISTS "dataSourcesRolesResourcesActions" (
  "id" BIGINT PRIMARY KEY, "createdAt" DATETIME, "updatedAt" DATETIME,
  "name" VARCHAR(255), "fields" JSON, "scopeId" BIGINT, "rolesResourceId" BIGINT
);

CREATE TABLE IF NOT EXISTS "tokenBlacklist" (
  "token" VARCHAR(255) PRIMARY KEY, "expiration" DATETIME
);

CREATE TABLE IF NOT EXISTS "issuedTokens" (
  "jti" VARCHAR(255) PRIMARY KEY, "userId" BIGINT, "signInTime" BIGINT, "issuedTime" BIGINT
);

-- plugin-auth's token policy: one row, `token-policy-config` (auth/policy.rs).
CREATE TABLE IF NOT EXISTS "tokenControlConfig" (
  "createdAt" DATETIME, "updatedAt" DATETIME, "key" VARCHAR(255) NOT NULL PRIMARY KEY,
  "config" JSON NOT NULL DEFAULT '{}', "createdById" BIGINT, "updatedById" BIGINT
);

CREATE TABLE IF NOT EXISTS "collections" (
  "key" VARCHAR(255) PRIMARY KEY, "name" VARCHAR(255) UNIQUE, "title" VARCHAR(255),
  "inherit" TINYINT(1), "hidden" TINYINT(1), "description" TEXT, "options" JSON, "sort" BIGINT
);

CREATE TABLE IF NOT EXISTS "fields" (
  "key" VARCHAR(255) PRIMARY KEY, "name" VARCHAR(255), "type" VARCHAR(255),
  "interface" VARCHAR(255), "description" TEXT, "collectionName" VARCHAR(255),
  "options" JSON, "sort" BIGINT
);

CREATE TABLE IF NOT EXISTS "applicationPlugins" (
  "name" VARCHAR(255) PRIMARY KEY, "enabled" TINYINT(1), "installed" TINYINT(1)
);
