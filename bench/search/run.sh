#!/usr/bin/env bash
# Search benchmarks in release mode. Needs ../shared/corpus/articles.jsonl beside the
# project (each bench prints "skipped: ../shared/corpus absent" otherwise).
#   bench/search/run.sh                 # both: known-item quality, then latency at 100k
#   bench/search/run.sh known           # known-item MRR/recall vs SQLite FTS5 (trigram; jieba words)
#   bench/search/run.sh latency 20000   # indexing rate and search latency at N docs
# Extra flags after N go to the latency bench (--queries N, --upsert-batch N).
set -euo pipefail
cd "$(dirname "$0")/../.."

what="${1:-all}"
docs="${2:-100000}"
extra=("${@:3}")

known() {
    echo "== known-item benchmark (rongmei vs SQLite FTS5 trigram and FTS5 over jieba words)"
    cargo bench -p rongmei-search --bench known_item
}

latency() {
    echo "== latency benchmark at ${docs} documents"
    cargo bench -p rongmei-search --bench latency -- --docs "${docs}" "${extra[@]}"
}

case "$what" in
    known) known ;;
    latency) latency ;;
    all) known; latency ;;
    *) echo "usage: $0 [all|known|latency] [DOCS] [latency flags...]" >&2; exit 2 ;;
esac
