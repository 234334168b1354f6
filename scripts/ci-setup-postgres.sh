#!/usr/bin/env bash
# Install and start a real PostgreSQL server on 127.0.0.1:5432 for the store tests.
#
# Why a script: CI machines (and fresh developer machines) start bare, so the PostgreSQL
# variants of tests/test_store.py need the server installed from Debian's packages and
# started here. It is idempotent: run it again and it only checks that the server is up
# and the role and databases exist.
#
# It creates the role `conflictlens` (password `conflictlens`) owning two databases,
# `conflictlens` (for trying `conflictlens ... --db postgresql://...` by hand) and
# `conflictlens_test` (for the test suite), and prints the test database's URL on stdout.
# It exports nothing: the caller sets CONFLICTLENS_TEST_PG_URL itself.
#
# Root cannot run the postgres server directly, so the server always runs as the
# `postgres` user: through pg_ctlcluster (Debian's cluster wrapper) when the packaged
# cluster can start, else from a data directory made by initdb under /tmp
# (CONFLICTLENS_PG_FALLBACK=1 takes that path directly, to test it).
set -euo pipefail

PG_USER=conflictlens
PG_PASSWORD=conflictlens
PG_DBS=(conflictlens conflictlens_test)
PG_HOST=127.0.0.1
PG_PORT=5432
FALLBACK_DIR=/tmp/conflictlens-pgdata

log() { echo "ci-setup-postgres: $*" >&2; }

as_postgres() {
  # runuser ships with util-linux (always there on Debian); su needs a login shell.
  runuser -u postgres -- "$@"
}

pg_bin_dir() {
  # The newest installed major version's binaries (15 on Debian 12).
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$dir" ]] && echo "$dir"
}

is_up() {
  local bin
  bin=$(pg_bin_dir) || return 1
  "$bin/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT"
}

install_server() {
  if [[ -n "$(pg_bin_dir || true)" ]] && command -v pg_ctlcluster >/dev/null; then
    return
  fi
  log "installing postgresql from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
}

start_packaged_cluster() {
  command -v pg_lsclusters >/dev/null || return 1
  local version name
  read -r version name < <(pg_lsclusters -h | awk '$3 == "'"$PG_PORT"'" {print $1, $2; exit}')
  if [[ -z "${version:-}" ]]; then
    version=$(basename "$(dirname "$(pg_bin_dir)")")
    name=main
    log "creating cluster $version/$name on port $PG_PORT"
    pg_createcluster "$version" "$name" --port "$PG_PORT" >&2 || return 1
  fi
  log "starting cluster $version/$name"
  pg_ctlcluster "$version" "$name" start >&2 || return 1
}

start_fallback_server() {
  local bin
  bin=$(pg_bin_dir)
  if [[ ! -s "$FALLBACK_DIR/PG_VERSION" ]]; then
    log "initdb into $FALLBACK_DIR"
    rm -rf "$FALLBACK_DIR"
    install -d -o postgres -g postgres -m 700 "$FALLBACK_DIR"
    as_postgres "$bin/initdb" -D "$FALLBACK_DIR" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
      --auth-local=trust \
      --auth-host=scram-sha-256 >&2
  fi
  install -d -o postgres -g postgres /var/run/postgresql
  log "starting postgres from $FALLBACK_DIR"
  as_postgres "$bin/pg_ctl" -D "$FALLBACK_DIR" -l "$FALLBACK_DIR/server.log" -w \
    -o "-h $PG_HOST -p $PG_PORT -k /var/run/postgresql" start >&2
}

psql_admin() {
  # Over the Unix socket as the postgres superuser (peer/trust authentication).
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -h /var/run/postgresql "$@"
}

create_role_and_databases() {
  psql_admin -d postgres >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
SQL
  local db
  for db in "${PG_DBS[@]}"; do
    if [[ -z "$(psql_admin -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]]; then
      log "creating database $db"
      # UTF-8 whatever the machine's locale, so lower() folds all letters, not ASCII only.
      psql_admin -d postgres -c "CREATE DATABASE $db OWNER $PG_USER ENCODING 'UTF8' \
        LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0" >&2
    fi
    # PostgreSQL 15 no longer lets every role create in schema public.
    psql_admin -d "$db" -c "ALTER SCHEMA public OWNER TO $PG_USER" >&2
  done
}

main() {
  if [[ $EUID -ne 0 ]]; then
    echo "ci-setup-postgres: must run as root (installs packages, starts the server)" >&2
    exit 1
  fi
  install_server
  if ! is_up; then
    if [[ "${CONFLICTLENS_PG_FALLBACK:-}" == 1 ]] || ! start_packaged_cluster; then
      start_fallback_server
    fi
  fi
  local i
  for i in $(seq 1 30); do
    is_up && break
    sleep 1
  done
  if ! is_up; then
    echo "ci-setup-postgres: server did not come up on $PG_HOST:$PG_PORT" >&2
    exit 1
  fi
  create_role_and_databases
  echo "postgresql://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/conflictlens_test"
}

main "$@"
