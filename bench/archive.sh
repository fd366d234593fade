#!/usr/bin/env bash
# The archive (issue 15's figure) at N articles (default 100,000: the corpus replicated) and
# M images (default 10,000 files of 20 KB in the media folder): export time, rate and peak
# memory, then restore into an empty SQLite database: time and peak memory. Release build.
#   bench/archive.sh [N M]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
M=${2:-10000}
source bench/lib.sh
[[ -f $CORPUS ]] || { echo "skipped: $CORPUS absent"; exit 0; }
cargo build --release -q -p rongmei
BIN=${CARGO_TARGET_DIR:-target}/release/rongmei
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
replicate_corpus "$N" "$WORK/articles.jsonl"
$BIN --data "$WORK/a" import "$WORK/articles.jsonl" 2>/dev/null | tail -n1
python3 - "$WORK/a/media" "$M" <<'PY'
import hashlib, os, sys
root, m = sys.argv[1], int(sys.argv[2])
for i in range(m):
    data = os.urandom(20 * 1024)
    h = hashlib.blake2b(data, digest_size=8).hexdigest()
    os.makedirs(os.path.join(root, h[:2]), exist_ok=True)
    open(os.path.join(root, h[:2], h + ".jpg"), "wb").write(data)
PY
timed() {
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>/dev/null
    read -r secs kb <"$WORK/time"
    awk -v l="$label" -v s="$secs" -v k="$kb" -v n="$N" \
        'BEGIN { printf "%-8s %d articles in %.2f s = %.0f articles/s, peak RSS %d MB\n", l, n, s, n / s, k / 1024 }'
    tail -n1 "$WORK/out"
}
timed export $BIN --data "$WORK/a" export archive "$WORK/site.rongmei" --with-secrets
echo "archive: $(du -h "$WORK/site.rongmei" | cut -f1)"
timed restore $BIN --data "$WORK/b" import "$WORK/site.rongmei"
