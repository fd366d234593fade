#!/usr/bin/env bash
# Mutation score of the rules: each crate in CRATES goes through cargo-mutants, and the share of
# its viable mutants (those that compile) that make a test fail must reach MIN_SHARE percent.
# A mutant whose tests time out counts as viable and not caught.
#   bench/mutants.sh        JOBS=1, TIMEOUT=40m per crate, MIN_SHARE=90, OUT=a fresh temp dir
# Installs cargo-mutants (cargo install --locked) when absent; builds in $CARGO_TARGET_DIR when
# set. Exits 1 when a crate misses the share, or a run fails or outlasts its TIMEOUT.
set -euo pipefail
cd "$(dirname "$0")/.."
# A crate, or crate:file,file for some of its files (paths inside the crate).
CRATES=(rongmei-core rongmei-checks rongmei-html:src/sanitize.rs,src/urls.rs)
MIN_SHARE=${MIN_SHARE:-90}
JOBS=${JOBS:-1}
TIMEOUT=${TIMEOUT:-40m}
OUT=${OUT:-$(mktemp -d)}
export PATH="$HOME/.cargo/bin:$PATH"
cargo mutants --version >/dev/null 2>&1 || cargo install --locked cargo-mutants
cargo mutants --version

FAILED=0
count() { # count FILE → its lines, 0 when absent
    if [[ -f $1 ]]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}
for entry in "${CRATES[@]}"; do
    crate=${entry%%:*}
    echo "== $entry =="
    out=$OUT/$crate
    mkdir -p "$out"
    cmd=(cargo mutants -p "$crate" -j "$JOBS" --output "$out")
    if [[ $entry == *:* ]]; then
        IFS=',' read -r -a files <<<"${entry#*:}"
        for f in "${files[@]}"; do cmd+=(-f "crates/$crate/$f"); done
    fi
    start=$SECONDS
    rc=0
    timeout --kill-after=60 "$TIMEOUT" "${cmd[@]}" >"$out/run.log" 2>&1 || rc=$?
    wall=$((SECONDS - start))
    # cargo-mutants: 0 all caught, 2 some missed, 3 some timed out; anything else is a failed run.
    case $rc in
        0 | 2 | 3) ;;
        124) echo "MISMATCH: $crate ran past $TIMEOUT"; FAILED=1 ;;
        *) echo "MISMATCH: cargo mutants failed on $crate (exit $rc), see $out/run.log"; tail -n 20 "$out/run.log"; FAILED=1 ;;
    esac
    dir=$out/mutants.out
    caught=$(count "$dir/caught.txt")
    missed=$(count "$dir/missed.txt")
    unviable=$(count "$dir/unviable.txt")
    timeouts=$(count "$dir/timeout.txt")
    viable=$((caught + missed + timeouts))
    printf '%-16s %d mutants: %d caught, %d missed, %d timeout, %d unviable, in %dm%02ds\n' \
        "$crate" $((viable + unviable)) "$caught" "$missed" "$timeouts" "$unviable" $((wall / 60)) $((wall % 60))
    if ((viable == 0)); then
        echo "MISMATCH: $crate has no viable mutant to score"
        FAILED=1
    else
        share=$(awk -v c="$caught" -v v="$viable" 'BEGIN { printf "%.1f", 100 * c / v }')
        if awk -v s="$share" -v m="$MIN_SHARE" 'BEGIN { exit !(s >= m) }'; then
            printf '%-16s viable caught %s%% (want >= %s%%)\n' "$crate" "$share" "$MIN_SHARE"
        else
            printf '%-16s viable caught %s%% (want >= %s%%) MISMATCH\n' "$crate" "$share" "$MIN_SHARE"
            FAILED=1
        fi
    fi
    ((missed == 0)) || { echo "missed:"; sed 's/^/  /' "$dir/missed.txt"; }
    echo "reproduce: ${CARGO_TARGET_DIR:+CARGO_TARGET_DIR=$CARGO_TARGET_DIR }${cmd[*]}"
done
[[ $FAILED == 0 ]] || { echo "mutants benchmark: a crate missed its mutation score"; exit 1; }
