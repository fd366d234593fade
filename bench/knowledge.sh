#!/usr/bin/env bash
# Knowledge extraction (issue 17's figures), release build:
#   1. the committed evaluation over ../shared/knowledge/dev.jsonl (precision, recall and F1 per
#      kind, role recall, date F1, jieba's tags beside them) and the extractor alone over
#      ../shared/corpus (articles/s on one thread and on every core, the memory it takes);
#   2. end to end: the corpus imported into SQLite, then `rongmei knowledge extract --all`
#      (read, extract, apply corrections, write) — articles/s and peak memory of the command;
#   3. a server started on that folder: its memory once the worker has read the whole archive,
#      beside the same server with nothing left to read (the extractor stays loaded).
# Exits non-zero when a figure misses its goal or a step fails.
#   bench/knowledge.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
[[ -f $CORPUS ]] || { echo "skipped: $CORPUS absent"; [[ ${RONGMEI_REQUIRE_SHARED:-} == 1 ]] && exit 1; exit 0; }

echo "== 1. evaluation and extractor speed: cargo bench -p rongmei-knowledge --bench knowledge"
cargo bench -q -p rongmei-knowledge --bench knowledge

cargo build --release -q -p rongmei
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/rongmei
WORK=$(mktemp -d)
PORT=${PORT:-18195}
SERVER=
cleanup() {
    [[ -n $SERVER ]] && { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== 2. end to end: import the corpus, then rongmei knowledge extract --all"
$BIN --data "$WORK/data" import "$CORPUS" 2>/dev/null | tail -n1
/usr/bin/time -f "peak memory of the command: %M KB" \
    $BIN --data "$WORK/data" knowledge extract --all 2>&1 | grep -v '^\s*$' | tail -n2

echo "== 3. the memory extraction adds to a running server"
$BIN --data "$WORK/data" --listen 127.0.0.1:$PORT serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
# Step 2 read everything, so the worker has nothing to do and has not loaded the extractor yet.
sleep 3
rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }
BEFORE=$(rss)
# One new article (the seed) imported beside the running server: the change feed rings the
# worker, which loads the extractor and reads it.
$BIN --data "$WORK/data" import fixtures/seed/000_110ea0537603b210.txt >/dev/null 2>&1
ok=
for _ in $(seq 1 200); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/people/%E6%88%90%E8%BF%9B") == 200 ]] && { ok=1; break; }
    sleep 0.1
done
[[ -n $ok ]] || { echo "FAIL: the imported seed was never read (/people/成进 missing)"; exit 1; }
AFTER=$(rss)
echo "server RSS before extraction: $BEFORE KB; after the extractor loaded and read the seed: $AFTER KB; added: $((AFTER - BEFORE)) KB"
echo "reproduce: bench/knowledge.sh"
