#!/usr/bin/env bash
# Writes the upgrade fixtures in testdata/upgrade: a store made by the
# oldest triage whose data we still upgrade (schema 5, commit 545e8e0),
# on each store, filled through that version's own API: the demo data
# (tickets with history, comments, triage records, articles with
# versions, models, SLA records, vectors, agents, teams, rules, words),
# plus a webhook, a token and a solved ticket with its answered survey.
#
#   scripts/upgrade-fixture.sh [postgres://…/test]
#
# It builds the old binary from this repository's history in a temporary
# worktree. The PostgreSQL fixture is a plain pg_dump of a database it
# creates and drops on the server given (default: TRIAGE_TEST_POSTGRES).
set -euo pipefail
cd "$(dirname "$0")/.."
old=545e8e092915d2745416f157cef7f2e1c0822c8e
pg=${1:-${TRIAGE_TEST_POSTGRES:-}}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/src" "$old"
(cd "$work/src" && go build -o "$work/triage" ./cmd/triage)
export TRIAGE_ADMIN_TOKEN=trg_upgradefixtureadmintoken0000
H="Authorization: Bearer $TRIAGE_ADMIN_TOKEN"

# fill starts the old binary with the given store flags, loads the demo
# data and makes the records the demo lacks, then stops it.
fill() {
  "$work/triage" serve --demo --addr 127.0.0.1:18111 --log-level error "$@" >"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 120); do curl -fs 127.0.0.1:18111/readyz >/dev/null && break; sleep 1; done
  T=http://127.0.0.1:18111
  curl -fsS $T/v1/webhooks -H "$H" -d '{"url":"https://hooks.example.com/triage","events":["ticket.created"],"description":"升级测试"}' >/dev/null
  curl -fsS $T/v1/tokens -H "$H" -d '{"name":"升级测试","role":"agent"}' >/dev/null
  id=$(curl -fsS "$T/v1/tickets?status=open&limit=1" -H "$H" | jq -r '.items[0].id')
  etag=$(curl -fsS -D - -o /dev/null "$T/v1/tickets/$id" -H "$H" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
  curl -fsS -X PATCH "$T/v1/tickets/$id" -H "$H" -H "If-Match: $etag" -d '{"status":"solved"}' >/dev/null
  tok=$(curl -fsS -X POST "$T/v1/tickets/$id/csat" -H "$H" | jq -r .token)
  curl -fsS -X POST "$T/v1/csat/$tok" -d '{"rating":5,"comment":"很满意，谢谢"}' >/dev/null
  kill "$pid"; wait "$pid" || true
}

fill --data "$work/data"
sqlite3 "$work/data/triage.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
sqlite3 "$work/data/triage.db" "VACUUM INTO '$work/schema5.db'"
gzip -9 -n -c "$work/schema5.db" >testdata/upgrade/schema5.sqlite.gz

if [ -n "$pg" ]; then
  db=triage_upgrade_fixture
  psql "$pg" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  url=$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$pg" "$db")
  fill --data "$work/pgdata" --db "$url"
  pg_dump --format=plain --no-owner --no-privileges "$url" | gzip -9 -n >testdata/upgrade/schema5.postgres.sql.gz
  psql "$pg" -qc "DROP DATABASE $db"
fi
ls -l testdata/upgrade
