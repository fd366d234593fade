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
# Every line is kept, so that a MISMATCH anywhere fails the run (exit 1) once all is printed.
MISMATCHES=$(mktemp)
exec > >(tee >(grep MISMATCH >"$MISMATCHES")) 2>&1
trap_mismatch() { sleep 0.2; [[ ! -s $MISMATCHES ]] || { echo "a figure missed its promise"; exit 1; }; }
command -v pg_ctlcluster >/dev/null || { echo "skipped: needs pg_ctlcluster (Debian's PostgreSQL)"; exit 0; }
PGVER=$(ls /etc/postgresql | head -n1)
cargo build --release -q -p rongmei
cargo build --release -q -p rongmei-web --example viewload
BIN=${CARGO_TARGET_DIR:-target}/release/rongmei
LOAD=${CARGO_TARGET_DIR:-target}/release/examples/viewload
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
slowest = collections.defaultdict(float)
end = time.time() + seconds
i = 0
while time.time() < end:
    i += 1
    for path in (f"/api/v1/articles?page={1 + i % 50}", "/readyz"):
        t0 = time.time()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=4) as r:
                seen[(path.split("?")[0], r.status)] += 1
        except urllib.error.HTTPError as e:
            seen[(path.split("?")[0], e.code)] += 1
        except Exception as e:
            seen[(path.split("?")[0], type(e).__name__)] += 1
        slowest[path.split("?")[0]] = max(slowest[path.split("?")[0]], time.time() - t0)
    time.sleep(0.05)
for (path, status), n in sorted(seen.items(), key=str):
    print(f"{path} {status}: {n}")
for path, t in sorted(slowest.items()):
    print(f"{path} slowest answer: {t:.2f} s")
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

echo "== kill -9 a node while it publishes scheduled articles, a second node running =="
for u in reporter:reporter r1:reviewer1 r2:reviewer2 chief:chief; do
    echo 'fault-campaign' | RONGMEI_DATABASE_URL=$PG $BIN --data "$WORK/a" user add "${u%%:*}" --role "${u##*:}" >/dev/null
done
RONGMEI_DATABASE_URL=$PG $BIN --data "$WORK/b" --listen 127.0.0.1:$((PORT + 1)) serve >"$WORK/b.log" 2>&1 &
PID_B=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$((PORT + 1))/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
python3 - "$PORT" "$((PORT + 1))" "$PID" <<'PY'
import datetime, json, os, signal, sys, time, urllib.request, urllib.error
a, b, pid_a = f"http://127.0.0.1:{sys.argv[1]}", f"http://127.0.0.1:{sys.argv[2]}", int(sys.argv[3])
def call(base, path, body=None, token=None):
    req = urllib.request.Request(base + path, method="GET" if body is None else "POST",
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None
tok = {u: call(a, "/api/v1/session", {"login": u, "password": "fault-campaign"})[1]["token"] for u in ("reporter", "r1", "r2", "chief")}
N = 100
due = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=25)
ids = []
for i in range(N):
    s, v = call(a, "/api/v1/articles", {"title": f"定时稿件 {i}", "column": "news", "body": "<p>定时发布。</p>"}, tok["reporter"])
    aid = v["id"]
    for who, action in (("reporter", "submit"), ("r1", "approve"), ("r2", "approve"), ("chief", "approve")):
        assert call(a, f"/api/v1/articles/{aid}/actions", {"action": action}, tok[who])[0] == 200
    s, _ = call(a, f"/api/v1/articles/{aid}/actions", {"action": "schedule", "at": due.isoformat()}, tok["chief"])
    assert s == 200, s
    ids.append(aid)
print(f"{N} articles scheduled for one instant")
while datetime.datetime.now(datetime.timezone.utc) < due + datetime.timedelta(milliseconds=700):
    time.sleep(0.01)
os.kill(pid_a, signal.SIGKILL)
print("node A killed 0.7 s after they fell due")
deadline = time.time() + 15
while time.time() < deadline:
    states = [call(b, f"/api/v1/newsroom/articles/{i}", token=tok["chief"])[1]["status"] for i in ids]
    if all(s == "published" for s in states):
        break
    time.sleep(0.5)
published = sum(s == "published" for s in states)
twice = 0
for i in ids:
    _, lines = call(b, f"/api/v1/audit?article={i}", token=tok["chief"])
    n = sum(1 for l in lines if l.get("to") == "published")
    twice += n > 1
print(f"published {published} of {N}; published more than once: {twice}")
if twice or published != N:
    print("MISMATCH: not every scheduled article was published exactly once")
PY
kill "$PID_B" 2>/dev/null || true; wait "$PID_B" 2>/dev/null || true

echo "== a database migrated by a newer version =="
kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=
psql -h 127.0.0.1 -U postgres -q "$PGDB" -c "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'from the future', TRUE, '\\x00', 0)"
if RONGMEI_DATABASE_URL=$PG $BIN --data "$WORK/a" --listen 127.0.0.1:$PORT serve 2>"$WORK/newer.err" >/dev/null; then
    echo "MISMATCH: the node started"
else
    tail -n1 "$WORK/newer.err"
fi
trap_mismatch
