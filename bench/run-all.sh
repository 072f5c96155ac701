#!/usr/bin/env bash
# Runs every benchmark in turn; each prints its own figures and ratios against a baseline
# measured in the same run. Results are recorded by hand in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo; echo "### $*"; npx tsx --conditions=@atoll/source "$@"; }
# Server: logins/s, function-call latency, find on 100k documents, memory at rest;
# the cost of evaluating a user's pipeline in a bounded worker process.
run bench/server/logins.ts
run bench/server/functions.ts
run bench/server/find.ts
run bench/server/memory.ts
run bench/server/storageCommit.ts
run bench/server/aggregate.ts
# Triggers: database trigger deliveries against direct calls of their function.
run bench/server/triggers.ts
# HTTPS endpoints: an endpoint call against functions/call for the same function.
run bench/server/endpoints.ts
# Moving data in: insertMany until recorded in sync history, and `atoll import` of a
# mongoexport file, each against raw better-sqlite3.
run bench/server/bulkInsert.ts
run bench/server/importFile.ts
# RQL: parse + bind time; filtering 100k objects in JS and as compiled SQL on SQLite.
run bench/rql/parse-bind.ts
run bench/rql/filter.ts
# Client: the local database against raw better-sqlite3 doing the same work.
run bench/client/local.ts
# Sync: the server in its own process, real devices and raw protocol clients over
# loopback; each against the baseline named in its header.
run bench/sync/latency.ts
run bench/sync/upload.ts
run bench/sync/bootstrap.ts
run bench/sync/ingest.ts
run bench/sync/connections.ts
run bench/sync/listInserts.ts
# Cluster: one, two and three server processes on one PostgreSQL database.
run bench/cluster/cluster.ts
