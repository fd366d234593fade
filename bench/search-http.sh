#!/usr/bin/env bash
# Search over HTTP at 100,000 articles: wrk with 32 connections against /api/v1/search, rotating
# queries, on a release build. The index is rebuilt with `rongmei reindex` before the server
# starts, so the figures are for a freshly built index.
#   bench/search-http.sh [--articles N] [--keep DIR]
# --keep DIR keeps the imported data in DIR and reuses it on the next run (the import of
# 100,000 articles takes minutes; the reindex is always redone).
set -euo pipefail
cd "$(dirname "$0")/.."
N=100000
KEEP=
while [[ $# -gt 0 ]]; do
  case $1 in
    --articles) N=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
source bench/lib.sh
[[ -f $CORPUS ]] || { echo "skipped: $CORPUS absent"; exit 0; }
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
cargo build --release -q -p rongmei
# Honour CARGO_TARGET_DIR, so the bench can run from a target directory of its own.
BIN=${CARGO_TARGET_DIR:-target}/release/rongmei
WORK=$(mktemp -d)
DATA=${KEEP:-$WORK/data}
PORT=${PORT:-18092}
PID=
trap '[[ -n $PID ]] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
if [[ -n $KEEP && -f $KEEP/imported-$N ]]; then
  echo "reusing the $N articles imported in $KEEP"
else
  replicate_corpus "$N" "$WORK/input.jsonl"
  "$BIN" --data "$DATA" import "$WORK/input.jsonl" 2>/dev/null | tail -n1
  [[ -n $KEEP ]] && touch "$KEEP/imported-$N"
fi
/usr/bin/time -f "reindex: %e s wall, peak RSS %M KB" "$BIN" --data "$DATA" reindex 2>&1 | tail -n2
"$BIN" --data "$DATA" --listen 127.0.0.1:$PORT serve >"$WORK/serve.log" 2>&1 &
PID=$!
# Ready, not just up: until the index is open, searches answer 503, which would count as fast answers.
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
cat >"$WORK/queries.lua" <<'LUA'
local queries = { "西迁精神", "融媒体中心", '"学习习近平"', "主题教育", "新闻联播", "研究生院 通知",
  "西迁 -同济", "人工智能", "乡村振兴", "创新港", "奖学金", "习近平总书记", "疫情防控", "毕业典礼" }
local function enc(s) return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end)) end
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 7919)
end
local i = 0
request = function()
  i = i + 1
  -- Each wrk thread walks the list from its own offset, so threads do not repeat each other.
  return wrk.format("GET", "/api/v1/search?q=" .. enc(queries[((offset or 0) + i) % #queries + 1]) .. "&limit=10")
end
LUA
echo "== 14 popular queries, rotating (answers cached after the first of each) =="
wrk -t2 -c32 -d10s --latency -s "$WORK/queries.lua" "http://127.0.0.1:$PORT" | sed -n '3,14p'
# 20,000 distinct queries (two-word pairs and 2-6 character runs from titles): almost every
# request misses the answer cache, so this measures the index itself.
python3 - "$CORPUS" >"$WORK/diverse.lua" <<'PY'
import json, random, re, sys
random.seed(11)
titles = [json.loads(l)["title"] for l in open(sys.argv[1], encoding="utf-8")]
qs = set()
while len(qs) < 20000:
    runs = re.findall(r"[\u4e00-\u9fff]{2,}", random.choice(titles))
    if not runs:
        continue
    r = random.choice(runs)
    n = random.randint(2, min(6, len(r)))
    i = random.randint(0, len(r) - n)
    qs.add(r[i:i + n])
print("local queries = {" + ",".join(json.dumps(q, ensure_ascii=False) for q in sorted(qs)) + "}")
PY
sed -n '/^local function enc/,$p' "$WORK/queries.lua" >>"$WORK/diverse.lua"
# wrk cycles through the list: once more requests have been sent than there are queries,
# the rest are answered from the cache, so the run says how many could have missed it.
cat >>"$WORK/diverse.lua" <<'LUA'
function done(summary, latency, requests)
  local n = summary.requests
  if n > #queries then
    io.write(string.format("%d requests for %d distinct queries: at most %d (%.0f%%) missed the answer cache\n",
      n, #queries, #queries, 100 * #queries / n))
  else
    io.write(string.format("%d requests, all distinct queries: none answered from the cache\n", n))
  end
end
LUA
echo "== 20,000 distinct queries (mostly uncached) =="
wrk -t2 -c32 -d10s --latency -s "$WORK/diverse.lua" "http://127.0.0.1:$PORT" | sed -n '3,$p'
