#!/usr/bin/env bash
# Article page req/s, wrk -t2 -c64 -d10s on one server, 127.0.0.1 only:
#   1. nothing counted: no User-Agent (the crawler path: raw count only)
#   2. counting on: a browser User-Agent, each request deduped against the reader's earlier ones
#   3. worst case: every request a new reader (distinct X-Forwarded-For and User-Agent), so each
#      one is counted, written and claimed in the shared reader table
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
cargo build --release -q -p rongmei
WORK=$(mktemp -d)
PORT=${PORT:-18095}
${CARGO_TARGET_DIR:-target}/release/rongmei --data "$WORK" import fixtures/seed >/dev/null 2>&1
${CARGO_TARGET_DIR:-target}/release/rongmei --data "$WORK" --listen 127.0.0.1:$PORT --trust-proxy serve >"$WORK/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/articles/1"
cat >"$WORK/readers.lua" <<'LUA'
local threads = 0
function setup(thread) threads = threads + 1; thread:set("t", threads) end
local n = 0
request = function()
  n = n + 1
  local k = n * 2 + (t or 0)
  local ip = string.format("198.%d.%d.%d", 18 + math.floor(k / 65536) % 2, math.floor(k / 256) % 256, k % 256)
  return wrk.format("GET", nil, { ["User-Agent"] = "Mozilla/5.0 Chrome/126.0 reader/" .. k, ["X-Forwarded-For"] = ip })
end
LUA
before=$(curl -fs "http://127.0.0.1:$PORT/api/v1/articles/1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["views"])')
echo "== nothing counted (no User-Agent) =="
wrk -t2 -c64 -d10s --latency "$URL" | grep -E "Requests/sec|99%"
echo "== counting on: browser User-Agent, repeat reader =="
wrk -t2 -c64 -d10s --latency -H "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0" "$URL" | grep -E "Requests/sec|99%"
echo "== every request a new reader, counted =="
wrk -t2 -c64 -d10s --latency -s "$WORK/readers.lua" "$URL" | grep -E "Requests/sec|99%"
sleep 2
after=$(curl -fs "http://127.0.0.1:$PORT/api/v1/articles/1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["views"])')
echo "views counted during the runs: $((after - before)); peak RSS $(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$PID/status)"
