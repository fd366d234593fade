#!/usr/bin/env bash
# Sign-in under attack (issue 13's figure): 10,000 wrong passwords for `chief` from 1,000
# addresses in one minute, while the real chief signs in every 5 s from an address that never
# failed. Reports the attacker's success rate (must be 0) and the chief's waits. One server on
# 127.0.0.1 with --trust-proxy (the addresses are X-Forwarded-For headers), SQLite by default,
# PostgreSQL with DATABASE=postgres://postgres@127.0.0.1:5432/postgres.
#   bench/signin-attack.sh [ATTEMPTS ADDRESSES SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ATTEMPTS=${1:-10000}
ADDRESSES=${2:-1000}
SECONDS_=${3:-60}
cargo build --release -q -p rongmei
cargo build --release -q -p rongmei-web --example signin_attack
WORK=$(mktemp -d)
PORT=${PORT:-18097}
DB=${DATABASE:-sqlite://$WORK/rongmei.sqlite}
NAME=rongmei_signin_bench
ADMIN_DB=$DB
if [[ $DB == postgres* ]]; then
    psql "$ADMIN_DB" -qc "DROP DATABASE IF EXISTS $NAME" -c "CREATE DATABASE $NAME" >/dev/null 2>&1
    DB=${DB%/*}/$NAME
fi
BIN=${CARGO_TARGET_DIR:-target}/release/rongmei
PASSWORD='the chief knows this one'
echo "$PASSWORD" | $BIN --data "$WORK" --database "$DB" user add chief --role chief --name 终审 >/dev/null
$BIN --data "$WORK" --database "$DB" --listen 127.0.0.1:$PORT --trust-proxy serve >"$WORK/serve.log" 2>&1 &
PID=$!
cleanup() {
    kill $PID 2>/dev/null; wait $PID 2>/dev/null
    [[ $DB == postgres* ]] && psql "$ADMIN_DB" -qc "DROP DATABASE IF EXISTS $NAME WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "database: ${DB%%://*}; $(nproc) cores"
${CARGO_TARGET_DIR:-target}/release/examples/signin_attack --url "http://127.0.0.1:$PORT" --login chief \
    --password "$PASSWORD" --attempts "$ATTEMPTS" --addresses "$ADDRESSES" --seconds "$SECONDS_"
