#!/usr/bin/env bash
# Peak RSS of `rongmei serve` holding 100,000 articles (the corpus replicated with distinct
# source ids), after reading a spread of pages.   bench/memory.sh [--articles N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=100000
[[ ${1:-} == --articles ]] && N=$2
source bench/lib.sh
[[ -f $CORPUS ]] || { echo "skipped: $CORPUS absent"; exit 0; }
cargo build --release -q -p rongmei
WORK=$(mktemp -d)
PORT=${PORT:-18091}
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
PID=
replicate_corpus "$N" "$WORK/input.jsonl"
${CARGO_TARGET_DIR:-target}/release/rongmei --data "$WORK/data" import "$WORK/input.jsonl" 2>/dev/null | tail -n1
# 1. `rongmei reindex`, as an operator runs it after a large import.
${CARGO_TARGET_DIR:-target}/release/rongmei --data "$WORK/data" reindex >"$WORK/reindex.out" 2>/dev/null &
echo "rongmei reindex: $(peaks $!); $(tail -n1 "$WORK/reindex.out")"
# 2. A server that finds no index builds it itself at start.
rm -rf "$WORK/data"/search-index*
${CARGO_TARGET_DIR:-target}/release/rongmei --data "$WORK/data" --listen 127.0.0.1:$PORT serve >"$WORK/serve.log" 2>&1 &
PID=$!
peaks "$PID" >"$WORK/first-start.peaks" &
PEAKS=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.2; done
echo "serve building its own index, until /readyz: $(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$PID/status) peak RSS"
kill "$PID"; wait "$PID" 2>/dev/null || true
wait "$PEAKS"; echo "  ($(cat "$WORK/first-start.peaks"))"
# 3. A server opening the index built above: idle, then after a crawl.
${CARGO_TARGET_DIR:-target}/release/rongmei --data "$WORK/data" --listen 127.0.0.1:$PORT serve >"$WORK/serve.log" 2>&1 &
PID=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.1; done
echo "idle RSS: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$PID/status) ($(awk '/RssAnon/ {print $2/1024 " MB"}' /proc/$PID/status) anonymous)"
# Read 5,000 different articles, the home page and column pages, as a crawl would.
python3 - "$PORT" "$N" <<'PY'
import sys, urllib.request, concurrent.futures, random
port, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
ids = random.sample(range(1, n + 1), min(5000, n))
def get(path):
    # A page that failed was not read: its memory is not in the figure, so failures are counted.
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            r.read()
            return None
    except Exception as e:
        return f"{path}: {e}"
import json
with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/columns", timeout=10) as r:
    listed = json.load(r)
columns = [c["slug"] for c in (listed["items"] if isinstance(listed, dict) else listed)][:5]
paths = [f"/articles/{i}" for i in ids] + ["/"] * 50
paths += [f"/columns/{c}/page/{p}" for c in columns for p in range(2, 4)]
with concurrent.futures.ThreadPoolExecutor(8) as ex:
    failed = [f for f in ex.map(get, paths) if f]
print(f"pages read: {len(paths) - len(failed)} of {len(paths)}")
if failed:
    print("MISMATCH: pages failed, first: " + "; ".join(failed[:3]))
    sys.exit(1)
PY
echo "articles: $N; peak RSS (VmHWM) after reading 5,000 article pages: $(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$PID/status)"
