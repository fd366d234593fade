#!/usr/bin/env bash
# Webhook figures (issue 14): the delay from publishing to delivery (p50, p99) over 200 articles
# published one after another, and deliveries per second while 16 editors write 2,000 edits of
# published articles, to a receiver on 127.0.0.1 run by the example. SQLite by default,
# PostgreSQL with DATABASE=postgres://postgres@127.0.0.1:5432/postgres.
#   bench/webhooks.sh [ARTICLES EVENTS WORKERS]
set -euo pipefail
cd "$(dirname "$0")/.."
ARTICLES=${1:-200}
EVENTS=${2:-2000}
WORKERS=${3:-16}
cargo build --release -q -p rongmei
cargo build --release -q -p rongmei-web --example webhook_load
WORK=$(mktemp -d)
PORT=${PORT:-18096}
DB=${DATABASE:-sqlite://$WORK/rongmei.sqlite}
NAME=rongmei_webhook_bench
ADMIN_DB=$DB
if [[ $DB == postgres* ]]; then
    psql "$ADMIN_DB" -qc "DROP DATABASE IF EXISTS $NAME" -c "CREATE DATABASE $NAME" >/dev/null 2>&1
    DB=${DB%/*}/$NAME
fi
BIN=${CARGO_TARGET_DIR:-target}/release/rongmei
PASSWORD='webhook bench password'
for account in reporter:reporter r1:reviewer1 r2:reviewer2 chief:chief admin:admin; do
    echo "$PASSWORD" | $BIN --data "$WORK" --database "$DB" user add "${account%%:*}" --role "${account##*:}" >/dev/null
done
$BIN --data "$WORK" --database "$DB" --listen 127.0.0.1:$PORT --webhook-allow-private serve >"$WORK/serve.log" 2>&1 &
PID=$!
cleanup() {
    kill $PID 2>/dev/null; wait $PID 2>/dev/null
    [[ $DB == postgres* ]] && psql "$ADMIN_DB" -qc "DROP DATABASE IF EXISTS $NAME WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "database: ${DB%%://*}; $(nproc) cores"
${CARGO_TARGET_DIR:-target}/release/examples/webhook_load --url "http://127.0.0.1:$PORT" --password "$PASSWORD" \
    --articles "$ARTICLES" --events "$EVENTS" --workers "$WORKERS"
