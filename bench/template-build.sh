#!/usr/bin/env bash
# How long a one-line template change takes to rebuild the binary (debug profile, warm target/).
# Usage: bench/template-build.sh [TEMPLATE] [ROUNDS]
#   TEMPLATE defaults to the public article page; try crates/rongmei-web/templates/newsroom/editor.html.
set -euo pipefail
cd "$(dirname "$0")/.."
template=${1:-crates/rongmei-render/templates/article.html}
rounds=${2:-3}
[ -f "$template" ] || { echo "no such template: $template" >&2; exit 1; }
backup=$(mktemp)
cp "$template" "$backup"
trap 'cp "$backup" "$template"; rm -f "$backup"' EXIT
echo "warming up: cargo build -p rongmei" >&2
cargo build -q -p rongmei
for i in $(seq 1 "$rounds"); do
  cp "$backup" "$template"
  printf '{# template-build bench %s %s #}\n' "$i" "$(date +%s%N)" >> "$template"
  start=$(date +%s.%N)
  cargo build -q -p rongmei
  end=$(date +%s.%N)
  printf '%s round %d: %.2f s\n' "$template" "$i" "$(echo "$end - $start" | bc)"
done
