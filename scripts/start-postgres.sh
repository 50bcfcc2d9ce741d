#!/bin/bash
# Starts the Debian PostgreSQL cluster on 127.0.0.1:5432 (if not running) and creates the test role and database.
set -euo pipefail
VER=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  pg_createcluster "$VER" main >/dev/null
fi
pg_ctlcluster "$VER" main start 2>/dev/null || true
for i in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
run() { su postgres -c "psql -qtA -c \"$1\""; }
[ "$(run "select 1 from pg_roles where rolname='herd'")" = 1 ] || run "create role herd login password 'herd' createdb"
[ "$(run "select 1 from pg_database where datname='herd_test'")" = 1 ] || run "create database herd_test owner herd"
echo "postgres ready on 127.0.0.1:5432"
