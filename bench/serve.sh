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
target/release/rongmei --data "$WORK" import fixtures/seed >/dev/null 2>&1
target/release/rongmei --data "$WORK" --listen 127.0.0.1:$PORT serve --demo >"$WORK/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
ID=$(curl -fs "http://127.0.0.1:$PORT/api/v1/articles?per_page=100" | python3 -c 'import json,sys; print(next(a["id"] for a in json.load(sys.stdin)["items"] if a["views"]==1774))')
"$ANCHORS" "$@" --extra "rongmei=http://127.0.0.1:$PORT/articles/$ID" --extra-pid "$PID"
