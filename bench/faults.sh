#!/usr/bin/env bash
# Fault campaign, 127.0.0.1 only, every run bounded in count and time:
#   1. PostgreSQL restarted under load: what readers get while it is away (503, never 500), the
#      views acknowledged against those written once it is back, and the seconds from its return
#      to /readyz 200 (goal < 5 s).
#   2. A database migrated by a newer version: the node refuses to start and says why.
# Needs the local PostgreSQL cluster (pg_ctlcluster) and restarts it: run it on a machine of your
# own, never beside anything that uses that cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pg_ctlcluster >/dev/null || { echo "skipped: needs pg_ctlcluster (Debian's PostgreSQL)"; exit 0; }
PGVER=$(ls /etc/postgresql | head -n1)
cargo build --release -q -p rongmei
cargo build --release -q -p rongmei-web --example viewload
BIN=target/release/rongmei
LOAD=target/release/examples/viewload
WORK=$(mktemp -d)
PGDB=rongmei_bench_faults_$$
PG="postgres://postgres@127.0.0.1:5432/$PGDB"
PORT=${PORT:-18121}
PID=
cleanup() {
    [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    pg_isready -h 127.0.0.1 -q || pg_ctlcluster --skip-systemctl-redirect "$PGVER" main start
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" postgres >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $PGDB" postgres
RONGMEI_DATABASE_URL=$PG $BIN --data "$WORK/a" import fixtures/seed >/dev/null 2>&1
RONGMEI_DATABASE_URL=$PG $BIN --data "$WORK/a" --listen 127.0.0.1:$PORT --trust-proxy serve >"$WORK/a.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
ID=$(curl -fs "http://127.0.0.1:$PORT/api/v1/articles" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
views() { curl -fs "http://127.0.0.1:$PORT/api/v1/articles/$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["views"])'; }
V0=$(views)

echo "== PostgreSQL restarted under load =="
# Readers keep coming (each a new reader, so each page load counts one view) for 12 s in all;
# PostgreSQL stops after 3 s and starts again 4 s later.
$LOAD --url "http://127.0.0.1:$PORT/articles/$ID" --requests 400000 --clients 400000 --first-client 100000 --connections 16 --max-seconds 12 >"$WORK/load.out" &
LPID=$!
# A sampler of API answers (the uncached path) and readiness, 20 a second.
python3 - "$PORT" 12 >"$WORK/statuses.out" <<'PY' &
import sys, time, urllib.request, urllib.error, collections
port, seconds = sys.argv[1], float(sys.argv[2])
seen = collections.Counter()
end = time.time() + seconds
i = 0
while time.time() < end:
    i += 1
    for path in (f"/api/v1/articles?page={1 + i % 50}", "/readyz"):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                seen[(path.split("?")[0], r.status)] += 1
        except urllib.error.HTTPError as e:
            seen[(path.split("?")[0], e.code)] += 1
        except Exception as e:
            seen[(path.split("?")[0], type(e).__name__)] += 1
    time.sleep(0.05)
for (path, status), n in sorted(seen.items(), key=str):
    print(f"{path} {status}: {n}")
PY
SPID=$!
sleep 3
pg_ctlcluster --skip-systemctl-redirect "$PGVER" main stop -m fast
echo "PostgreSQL stopped"
sleep 4
pg_ctlcluster --skip-systemctl-redirect "$PGVER" main start
BACK=$(date +%s.%N)
echo "PostgreSQL started again"
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.05; done
READY=$(date +%s.%N)
wait "$LPID" || true
wait "$SPID" || true
awk -v a="$BACK" -v b="$READY" 'BEGIN { printf "from PostgreSQL back to /readyz 200: %.2f s\n", b - a }'
cat "$WORK/load.out"
cat "$WORK/statuses.out"
if grep -q ' 500:' "$WORK/statuses.out"; then echo "MISMATCH: a reader got 500 while PostgreSQL was away"; fi
sleep 2
V1=$(views)
ACKED=$(awk '{print $4}' "$WORK/load.out")
awk -v a="$ACKED" -v p="$((V1 - V0))" 'BEGIN { printf "views acknowledged %d, written %d, lost %d\n", a, p, a - p }'

echo "== a database migrated by a newer version =="
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
psql -h 127.0.0.1 -U postgres -q "$PGDB" -c "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'from the future', TRUE, '\\x00', 0)"
if RONGMEI_DATABASE_URL=$PG $BIN --data "$WORK/a" --listen 127.0.0.1:$PORT serve 2>"$WORK/newer.err" >/dev/null; then
    echo "MISMATCH: the node started"
else
    tail -n1 "$WORK/newer.err"
fi
