#!/usr/bin/env bash
# Article page requests/s under wrk -t2 -c64 -d10s, beside nginx serving the same article as a
# static file, using ../shared/bench/anchors.sh (its first run installs nginx and wrk with apt).
#   bench/serve.sh [anchors.sh options, e.g. --no-wordpress --tsv out.tsv]
set -euo pipefail
cd "$(dirname "$0")/.."
ANCHORS=../shared/bench/anchors.sh
[[ -x $ANCHORS ]] || { echo "skipped: $ANCHORS absent"; exit 0; }
cargo build --release -q -p rongmei
WORK=$(mktemp -d)
PORT=${PORT:-18090}
${CARGO_TARGET_DIR:-target}/release/rongmei --data "$WORK" import fixtures/seed >/dev/null 2>&1
${CARGO_TARGET_DIR:-target}/release/rongmei --data "$WORK" --listen 127.0.0.1:$PORT serve --demo >"$WORK/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
ID=$(curl -fs "http://127.0.0.1:$PORT/api/v1/articles?per_page=100" | python3 -c 'import json,sys; print(next(a["id"] for a in json.load(sys.stdin)["items"] if a["views"]==1774))')
"$ANCHORS" "$@" --extra "rongmei=http://127.0.0.1:$PORT/articles/$ID" --extra-pid "$PID"
# wrk sends no User-Agent, and a request without one is not a reader: the run above never
# reaches view counting, while WordPress's counter row writes on every view. The same run
# with a browser's User-Agent goes through counting (raw views for every request; one reader,
# so one counted view per window).
counted() { curl -fs "http://127.0.0.1:$PORT/api/v1/articles/$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["views"])'; }
echo "== rongmei, every request through view counting (User-Agent of a browser) =="
V0=$(counted)
wrk -t2 -c64 -d10s --latency -H "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36" \
    "http://127.0.0.1:$PORT/articles/$ID" | sed -n '3,14p'
sleep 2
echo "counted views: +$(($(counted) - V0)) (one reader)"
