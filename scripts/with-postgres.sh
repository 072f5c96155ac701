#!/usr/bin/env bash
# Runs a command with a PostgreSQL server reachable through ATOLL_PG_URL.
#
# If ATOLL_PG_URL is already set, it is used as it is. Otherwise the machine's local
# PostgreSQL 15 cluster is started (pg_ctlcluster) and a role and database for the
# tests are created once. The PostgreSQL tests fail, rather than skip, when no server
# can be reached: a suite that silently skips an engine would look green while
# testing less.
set -euo pipefail

if [ -z "${ATOLL_PG_URL:-}" ]; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    if ! pg_lsclusters 2>/dev/null | grep -q '^15 *main .*online'; then
      echo "Starting local PostgreSQL 15 cluster (pg_ctlcluster 15 main start)..." >&2
      pg_ctlcluster 15 main start
    fi
    as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sh -c "$1"; fi; }
    for i in $(seq 1 30); do
      as_postgres "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
      sleep 1
    done
    as_postgres "psql -qAtc \"select 1 from pg_roles where rolname='atoll'\"" | grep -q 1 ||
      as_postgres "psql -qc \"create role atoll login superuser password 'atoll'\""
    as_postgres "psql -qAtc \"select 1 from pg_database where datname='atoll_test'\"" | grep -q 1 ||
      as_postgres "psql -qc 'create database atoll_test owner atoll'"
    export ATOLL_PG_URL="postgres://atoll:atoll@127.0.0.1:5432/atoll_test"
  else
    echo "warning: no PostgreSQL found and ATOLL_PG_URL is not set; PostgreSQL tests will fail" >&2
  fi
fi

exec "$@"
