#!/usr/bin/env bash
# Natural-question benchmark in release mode: title words plus words the article lacks
# (question forms, synonyms, an unrelated word), rongmei beside an OR-semantics BM25
# baseline over jieba words in the same run. Needs ../shared/corpus/articles.jsonl beside
# the project (prints "skipped: ../shared/corpus absent" otherwise, and fails instead
# with RONGMEI_REQUIRE_SHARED=1).
#   bench/search/questions.sh                      # output also in bench/out/questions-<time>.txt
#   QUESTIONS_MISSES=10 bench/search/questions.sh  # more example misses per variant
# Exits non-zero when rongmei misses a goal (top-10 share ≥ 0.9, zero-result ≤ 5%).
set -euo pipefail
cd "$(dirname "$0")/../.."

mkdir -p bench/out
out="bench/out/questions-$(date +%Y%m%d-%H%M%S).txt"
echo "== natural-question benchmark (rongmei vs BM25 OR over jieba words)" | tee "$out"
# Only stdout is kept: cargo's compile lines on stderr are not results. pipefail carries
# the bench's exit status (a missed goal) through tee.
status=0
cargo bench -p rongmei-search --bench questions | tee -a "$out" || status=$?
echo "results: $out"
exit "$status"
