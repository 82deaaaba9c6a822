# nocobase-db.sh - the database servers behind scripts/nocobase.sh: PostgreSQL and MariaDB from
# Debian's packages, installed, started and given a fresh database and user for one NocoBase.
# Sourced by nocobase.sh (not run on its own); SQLite needs none of this.
#
# Functions (each dies with a clear message when it cannot do its part):
#   db_server_up          postgres|mariadb: install the server with apt-get when missing (root), start it
#                         when down (pg_ctlcluster / the mariadb init script; there is no systemd here),
#                         wait until it accepts connections.
#   db_recreate           drop the run's database if it exists, create it empty, and the user that owns
#                         it (password reset to NOCOBASE_DB_PASSWORD).
#   db_server_status      one line: the server, its port, up or down.
#
# Reads NOCOBASE_DB, NOCOBASE_DB_NAME, NOCOBASE_DB_USER, NOCOBASE_DB_PASSWORD and NOCOBASE_DB_PORT
# (set by nocobase.sh); log and die come from nocobase.sh.
# Installing or starting a server and making the database need root (apt-get, the postgres account,
# MariaDB's unix-socket root); a server that already runs is used as it is.

require_root_for_db() {
  [[ "$(id -u)" == 0 ]] || die "managing the $NOCOBASE_DB server needs root (apt-get, pg_ctlcluster, mariadb's root); run as root"
}

apt_install() {
  log "running as root: apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  # No systemd here: keep the package scripts from starting the server; db_server_up starts it.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" || rc=$?
  rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || die "apt-get install $* failed (exit $rc)"
}

# ---- PostgreSQL ------------------------------------------------------------------------------

# "<version> <cluster> <port> <status>" of the newest cluster pg_lsclusters knows.
pg_cluster() {
  pg_lsclusters -h 2>/dev/null | sort -k1,1n | tail -n 1 | awk '{print $1, $2, $3, $4}'
}

pg_psql() {
  # Run from / so psql does not warn that it cannot read the caller's folder as postgres.
  (cd / && runuser -u postgres -- env PGOPTIONS="-c client_min_messages=warning" \
    psql -X -q -v ON_ERROR_STOP=1 -p "$NOCOBASE_DB_PORT" "$@")
}

pg_server_up() {
  if ! command -v pg_lsclusters >/dev/null 2>&1 || [[ -z "$(pg_cluster)" ]]; then
    require_root_for_db
    apt_install postgresql
  fi
  local ver name port status
  read -r ver name port status <<<"$(pg_cluster)"
  [[ -n "${ver:-}" ]] || die "no PostgreSQL cluster after installing postgresql (pg_lsclusters is empty)"
  if [[ "$status" != online* ]]; then
    require_root_for_db
    log "pg_ctlcluster $ver $name start (port $port)"
    pg_ctlcluster "$ver" "$name" start
  fi
  NOCOBASE_DB_PORT="${NOCOBASE_DB_PORT:-$port}"
  [[ "$NOCOBASE_DB_PORT" == "$port" ]] || die "NOCOBASE_DB_PORT=$NOCOBASE_DB_PORT but cluster $ver/$name listens on $port"
  local i
  for ((i = 0; i < 30; i++)); do
    pg_isready -q -h 127.0.0.1 -p "$port" && return 0
    sleep 1
  done
  die "PostgreSQL $ver/$name does not accept connections on 127.0.0.1:$port (log: /var/log/postgresql/postgresql-$ver-$name.log)"
}

pg_recreate() {
  local db="$NOCOBASE_DB_NAME" user="$NOCOBASE_DB_USER"
  # DB_SCHEMA needs nothing here: NocoBase creates its schema (CREATE SCHEMA IF NOT EXISTS) itself.
  log "PostgreSQL: fresh database $db owned by $user"
  pg_psql -d postgres -v user="$user" -v pw="$NOCOBASE_DB_PASSWORD" -v db="$db" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'user', :'pw') \gexec
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'db', :'user', 'UTF8') \gexec
SQL
}

# ---- MariaDB ---------------------------------------------------------------------------------

maria_root() {
  # Debian's MariaDB lets the system root in as its root over the unix socket.
  mariadb --protocol=socket -uroot "$@"
}

# 0 when the server answers on its port (mariadb-admin ping says so even when it refuses the user).
maria_up_now() {
  mariadb-admin --protocol=tcp -h 127.0.0.1 -P "${NOCOBASE_DB_PORT:-3306}" --connect-timeout=2 ping >/dev/null 2>&1
}

maria_server_up() {
  if ! command -v mariadbd >/dev/null 2>&1; then
    require_root_for_db
    apt_install mariadb-server
  fi
  NOCOBASE_DB_PORT="${NOCOBASE_DB_PORT:-3306}"
  maria_up_now && return 0
  require_root_for_db
  log "starting MariaDB (/etc/init.d/mariadb start: mysqld_safe in the background)"
  /etc/init.d/mariadb start >&2 || true
  local i
  for ((i = 0; i < 60; i++)); do
    maria_up_now && break
    sleep 1
  done
  maria_up_now || die "MariaDB does not answer on 127.0.0.1:$NOCOBASE_DB_PORT (see /var/log/mysql/error.log or syslog)"
}

maria_recreate() {
  local db="$NOCOBASE_DB_NAME" user="$NOCOBASE_DB_USER" pw="$NOCOBASE_DB_PASSWORD"
  [[ "$db$user" =~ ^[A-Za-z0-9_]+$ && "$pw" != *\'* ]] ||
    die "NOCOBASE_DB_NAME and NOCOBASE_DB_USER must be letters, digits and _, and the password must not hold '"
  log "MariaDB: fresh database $db (utf8mb4) for $user@localhost and $user@127.0.0.1"
  maria_root <<SQL
DROP DATABASE IF EXISTS \`$db\`;
CREATE DATABASE \`$db\` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER '$user'@'localhost' IDENTIFIED BY '$pw';
ALTER USER '$user'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON \`$db\`.* TO '$user'@'localhost';
GRANT ALL PRIVILEGES ON \`$db\`.* TO '$user'@'127.0.0.1';
SQL
}

# ---- by dialect ------------------------------------------------------------------------------

db_server_up() {
  case "$NOCOBASE_DB" in
  postgres) pg_server_up ;;
  mariadb) maria_server_up ;;
  esac
}

db_recreate() {
  case "$NOCOBASE_DB" in
  postgres) pg_recreate ;;
  mariadb) maria_recreate ;;
  esac
}

db_server_status() {
  case "$NOCOBASE_DB" in
  postgres)
    if command -v pg_lsclusters >/dev/null 2>&1 && [[ -n "$(pg_cluster)" ]]; then
      local ver name port status
      read -r ver name port status <<<"$(pg_cluster)"
      echo "PostgreSQL $ver/$name on port $port: $status"
    else
      echo "PostgreSQL: not installed"
    fi
    ;;
  mariadb)
    if ! command -v mariadbd >/dev/null 2>&1; then
      echo "MariaDB: not installed"
    elif maria_up_now; then
      echo "MariaDB on port ${NOCOBASE_DB_PORT:-3306}: online"
    else
      echo "MariaDB: down"
    fi
    ;;
  esac
}
