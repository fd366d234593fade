#!/usr/bin/env bash
# Fault: the disk of a SQLite data folder fills up while the newsroom writes and readers read.
# Checks that writes are refused with a clear 503 (never a 500), pages keep answering, counted
# views wait in memory, nothing is corrupt, and everything resumes once there is room again.
# Needs root (it mounts a small tmpfs as the data folder's disk); 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every line is kept, so that a MISMATCH anywhere fails the run (exit 1) once all is printed.
MISMATCHES=$(mktemp)
exec > >(tee >(grep MISMATCH >"$MISMATCHES")) 2>&1
trap_mismatch() { sleep 0.2; [[ ! -s $MISMATCHES ]] || { echo "a figure missed its promise"; exit 1; }; }
[[ $(id -u) == 0 ]] || { echo "skipped: needs root to mount a small disk"; exit 0; }
cargo build --release -q -p rongmei
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/rongmei
WORK=$(mktemp -d)
PORT=${PORT:-18131}
PID=
cleanup() {
    [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    umount "$WORK/disk" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir "$WORK/disk"
mount -t tmpfs -o size=48M tmpfs "$WORK/disk"
DATA=$WORK/disk/data
$BIN --data "$DATA" import fixtures/seed >/dev/null 2>&1
echo 'disk-full-test' | $BIN --data "$DATA" user add editor --role reporter >/dev/null
$BIN --data "$DATA" --listen 127.0.0.1:$PORT --trust-proxy serve >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "$PORT" "$WORK/disk" "$DATA" <<'PY' || { echo "the run failed; the server said:"; tail -n 15 "$WORK/serve.log"; }
import json, os, sqlite3, sys, time, urllib.request, urllib.error, collections
port, disk, data = sys.argv[1], sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}"

def call(method, path, body=None, token=None, headers=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

status, body = call("POST", "/api/v1/session", {"login": "editor", "password": "disk-full-test"})
token = json.loads(body)["token"]
article = json.loads(call("GET", "/api/v1/articles")[1])["items"][0]["id"]
def written():
    # A connection held open would keep a read snapshot that the server's writes wait for.
    with sqlite3.connect(os.path.join(data, "rongmei.sqlite")) as db:
        return db.execute("SELECT views FROM articles WHERE id = ?", (article,)).fetchall()[0][0]
views_before = written()
text = "<p>" + "磁盘已满测试。" * 4000 + "</p>"

# Fill the disk, leaving a little room.
st = os.statvfs(disk)
free = st.f_bavail * st.f_frsize
with open(os.path.join(disk, "filler"), "wb") as f:
    f.write(b"\0" * max(0, free - 64 * 1024))
print(f"disk filled: {os.statvfs(disk).f_bavail * st.f_frsize // 1024} KB left")

seen = collections.Counter()
messages = set()
slowest = 0.0
for i in range(6):
    t0 = time.time()
    s, b = call("POST", "/api/v1/articles", {"title": f"磁盘满时的稿件 {i}", "column": "news", "body": text}, token)
    slowest = max(slowest, time.time() - t0)
    seen[f"write {s}"] += 1
    if s >= 500:
        messages.add(json.loads(b)["error"]["message"] if b.startswith(b"{") else b[:80])
readers = 0
for i in range(200):
    s, _ = call("GET", f"/articles/{article}", headers={"x-forwarded-for": f"198.18.7.{i}", "user-agent": "Mozilla/5.0 Chrome/126.0"})
    seen[f"page {s}"] += 1
    readers += s == 200
print(", ".join(f"{k}: {v}" for k, v in sorted(seen.items())) + f"; slowest refused write {slowest:.2f} s")
for m in messages:
    print(f"message: {m}")
if any(k.endswith(" 500") for k in seen):
    print("MISMATCH: a 500 while the disk was full")

os.remove(os.path.join(disk, "filler"))
print("room made again")
time.sleep(3)
s, b = call("POST", "/api/v1/articles", {"title": "有空间之后的稿件", "column": "news", "body": text}, token)
print(f"write after room: {s}" + ("" if s == 201 else f" {b[:300]!r}"))
views_after = written()
print(f"readers acknowledged while full: {readers}, views written in the database since: {views_after - views_before}")
with sqlite3.connect(os.path.join(data, "rongmei.sqlite")) as db:
    print("integrity_check:", db.execute("PRAGMA integrity_check").fetchall()[0][0])
PY
grep -c "disk is full" "$WORK/serve.log" | xargs echo "log lines naming the full disk:"
grep -E "ERROR|WARN" "$WORK/serve.log" | grep -v "disk is full" | cut -c1-400 | tail -n 5
trap_mismatch
