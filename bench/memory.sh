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
target/release/rongmei --data "$WORK/data" import "$WORK/input.jsonl" 2>/dev/null | tail -n1
# Build the search index first, as an operator does after a large import; a server that finds no
# index builds it itself at start, and its peak then includes the index writer's heap.
[[ ${FIRST_START:-0} == 1 ]] || /usr/bin/time -f "reindex peak RSS: %M KB" target/release/rongmei --data "$WORK/data" reindex 2>&1 | tail -n2
target/release/rongmei --data "$WORK/data" --listen 127.0.0.1:$PORT serve >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "idle RSS: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$PID/status)"
# Read 5,000 different articles, the home page and column pages, as a crawl would.
python3 - "$PORT" "$N" <<'PY'
import sys, urllib.request, concurrent.futures, random
port, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
ids = random.sample(range(1, n + 1), min(5000, n))
def get(path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            r.read()
    except Exception:
        pass
paths = [f"/articles/{i}" for i in ids] + ["/"] * 50 + [f"/columns/news?page={p}" for p in range(1, 50)]
with concurrent.futures.ThreadPoolExecutor(8) as ex:
    list(ex.map(get, paths))
PY
echo "articles: $N; peak RSS (VmHWM) after reading 5,000 article pages: $(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$PID/status)"
