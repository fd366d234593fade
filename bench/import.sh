#!/usr/bin/env bash
# Import throughput on ../shared/corpus/articles.jsonl, SQLite and PostgreSQL, release build.
#   bench/import.sh [--copies N]   (N: replicate the corpus N times with distinct source ids; default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
COPIES=1
[[ ${1:-} == --copies ]] && COPIES=$2
source bench/lib.sh
[[ -f $CORPUS ]] || { echo "skipped: $CORPUS absent"; exit 0; }
cargo build --release -q -p rongmei
BIN=${CARGO_TARGET_DIR:-target}/release/rongmei
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
INPUT=$CORPUS
if ((COPIES > 1)); then
    INPUT=$WORK/replicated.jsonl
    replicate_corpus "$(( COPIES * $(wc -l <"$CORPUS") ))" "$INPUT"
fi
N=$(wc -l <"$INPUT")
run() {
    local label=$1 url=$2
    local t0 t1
    t0=$(date +%s.%N)
    RONGMEI_DATABASE_URL=$url $BIN --data "$WORK/data-$label" import "$INPUT" 2>/dev/null | tail -n1
    t1=$(date +%s.%N)
    awk -v n="$N" -v a="$t0" -v b="$t1" -v l="$label" 'BEGIN { printf "%-9s %7d articles in %6.2f s = %7.0f articles/s (whole command)\n", l, n, b - a, n / (b - a) }'
}
run sqlite "sqlite://$WORK/import.sqlite"
if command -v psql >/dev/null && psql -h 127.0.0.1 -U postgres -qc 'SELECT 1' postgres >/dev/null 2>&1; then
    DB=rongmei_bench_import_$$
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" postgres
    run postgres "postgres://postgres@127.0.0.1:5432/$DB"
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $DB WITH (FORCE)" postgres
else
    echo "postgres  skipped: no server on 127.0.0.1:5432"
fi
