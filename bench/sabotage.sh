#!/usr/bin/env bash
# The promises that matter most, broken on purpose: each sabotage below removes one safeguard
# from a copy of the working tree and runs the tests that TESTING.md names for it. A sabotage
# that leaves every one of its tests green is a promise no test guards, and the script exits 1.
# Each test is first run on the untouched copy, so a failure is the sabotage's, not the copy's.
#
#   flush   — the final flush of view counts when the server stops
#   lock    — the advisory lock that lets one node at a time sweep the schedule (PostgreSQL)
#   csrf    — the CSRF layer on the route table
#   escape  — the escaping of the article title in the article page's template
#
# Usage: bench/sabotage.sh [NAME…]   (all four by default). Needs PostgreSQL for `lock`
# (RONGMEI_TEST_DATABASE_URL, default the local server). Builds in $CARGO_TARGET_DIR
# (default /tmp/target-sabotage): about 10 minutes the first time on 2 cores, then a few
# minutes per sabotage.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/target-sabotage}
export RONGMEI_TEST_DATABASE_URL=${RONGMEI_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}

wanted=("$@")
COPY=$(mktemp -d /tmp/rongmei-sabotage.XXXXXX)
trap 'rm -rf "$COPY"' EXIT
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$COPY"
echo "copy of the working tree in $COPY; builds in $CARGO_TARGET_DIR"
failures=0

# sabotage NAME FILE PERL-SUBSTITUTION CARGO-TEST-ARGUMENTS…
sabotage() {
    local name=$1 file=$2 subst=$3 start
    shift 3
    if ((${#wanted[@]})) && [[ " ${wanted[*]} " != *" $name "* ]]; then return; fi
    if ! (cd "$COPY" && cargo test -q --workspace "$@" >"$COPY/$name.control.log" 2>&1); then
        echo "$name: the untouched tests already fail; see the log:"
        tail -n 30 "$COPY/$name.control.log"
        failures=$((failures + 1))
        return
    fi
    cp "$COPY/$file" "$COPY/$file.orig"
    perl -0pi -e "$subst" "$COPY/$file"
    if cmp -s "$COPY/$file" "$COPY/$file.orig"; then
        echo "$name: the sabotage no longer applies to $file (the code moved); update this script"
        failures=$((failures + 1))
        return
    fi
    start=$(date +%s)
    if (cd "$COPY" && cargo test -q --workspace "$@" >"$COPY/$name.log" 2>&1); then
        echo "$name: MISSED — with it removed, cargo test --workspace $* still passes"
        failures=$((failures + 1))
    else
        echo "$name: caught in $(($(date +%s) - start)) s by cargo test --workspace $*:"
        grep -E '^test .* FAILED$|panicked at|^---- ' "$COPY/$name.log" | head -n 8 | sed 's/^/    /'
    fi
    mv "$COPY/$file.orig" "$COPY/$file"
}

sabotage flush crates/rongmei-app/src/background.rs \
    's/self\.app\.counter\(\)\.flush\(\)\.await/std::future::ready(Ok::<(), String>(())).await/' \
    --test stop
sabotage lock crates/rongmei-store/src/newsroom.rs \
    's/pg_try_advisory_xact_lock\(\$1\)/(\$1::bigint IS NOT NULL)/' \
    --test races -- sweep
sabotage csrf crates/rongmei-web/src/routes.rs \
    's/\n\s*\.layer\(from_fn_with_state\(state\.clone\(\), csrf_guard\)\)//' \
    --test csrf_routes
sabotage escape crates/rongmei-render/templates/article.html \
    's/<h1 class="title">\{\{ a\.title \}\}/<h1 class="title">{{ a.title|safe }}/' \
    --test xss

echo "reproduce: bench/sabotage.sh ${wanted[*]}"
if ((failures)); then
    echo "$failures sabotage(s) not caught"
    exit 1
fi
echo "every sabotage made a test fail"
