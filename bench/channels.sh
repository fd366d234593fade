#!/usr/bin/env bash
# Channels at N published articles (default 100,000, the corpus replicated), 127.0.0.1 only:
#   - writing the whole sitemap set (the first /sitemap.xml after a start) and the server's
#     memory before and after;
#   - /feed.xml requests/s under wrk -t2 -c64 -d10s, beside nginx serving the same feed as a
#     static file in the same run (installs nginx and wrk with apt when missing).
#   bench/channels.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
source bench/lib.sh
[[ -f $CORPUS ]] || { echo "skipped: $CORPUS absent"; exit 0; }
for tool in nginx wrk; do
    command -v $tool >/dev/null || { apt-get install -y -qq nginx wrk >/dev/null 2>&1 || { echo "needs $tool"; exit 1; }; }
done
cargo build --release -q -p rongmei
BIN=${CARGO_TARGET_DIR:-target}/release/rongmei
WORK=$(mktemp -d)
PORT=${PORT:-18098}
STATIC_PORT=${STATIC_PORT:-18099}
replicate_corpus "$N" "$WORK/articles.jsonl"
$BIN --data "$WORK/data" import "$WORK/articles.jsonl" 2>/dev/null | tail -n1
$BIN --data "$WORK/data" --listen 127.0.0.1:$PORT serve >"$WORK/serve.log" 2>&1 &
PID=$!
mkdir -p "$WORK/www" "$WORK/tmp"
cat >"$WORK/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    sendfile on; tcp_nopush on; tcp_nodelay on; keepalive_requests 1000; access_log off;
    open_file_cache max=100 inactive=60s;
    client_body_temp_path $WORK/tmp/body; proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi; uwsgi_temp_path $WORK/tmp/uwsgi; scgi_temp_path $WORK/tmp/scgi;
    types { application/rss+xml xml; }
    server { listen 127.0.0.1:$STATIC_PORT; root $WORK/www; }
}
CONF
cleanup() {
    kill $PID 2>/dev/null; wait $PID 2>/dev/null
    [[ -n ${NGINX:-} ]] && { kill "$NGINX" 2>/dev/null; wait "$NGINX" 2>/dev/null; }
    rm -rf "$WORK"
}
trap cleanup EXIT
# Ready means the search index is built: measured on a server that is not indexing 100,000
# articles in the background at the same time.
for _ in $(seq 1 6000); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "the server never became ready"; exit 1; }
rss_kb() { awk -v k="$1" '$1 == k":" {print $2}' /proc/$PID/status; }
BEFORE=$(rss_kb VmRSS)
T=$(curl -fs -o "$WORK/sitemap.xml" -w '%{time_total}' "http://127.0.0.1:$PORT/sitemap.xml")
AFTER=$(rss_kb VmRSS)
HWM=$(rss_kb VmHWM)
CHILDREN=$(grep -o '<sitemap>' "$WORK/sitemap.xml" | wc -l)
LARGEST=0
for n in $(seq 1 "$CHILDREN"); do
    size=$(curl -fs "http://127.0.0.1:$PORT/sitemaps/$n.xml" | wc -c)
    ((size > LARGEST)) && LARGEST=$size
done
echo "sitemaps: whole set written in ${T} s for the first /sitemap.xml; $CHILDREN children, largest $LARGEST bytes; server RSS $((BEFORE / 1024)) MB before, $((AFTER / 1024)) MB after, peak $((HWM / 1024)) MB"
curl -fs "http://127.0.0.1:$PORT/feed.xml" -o "$WORK/www/feed.xml"
chmod -R a+rX "$WORK"
nginx -c "$WORK/nginx.conf" &
NGINX=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$STATIC_PORT/feed.xml" >/dev/null 2>&1 && break; sleep 0.1; done
echo "feed: $(wc -c <"$WORK/www/feed.xml") bytes, $N articles; $(nproc) cores"
rate() { wrk -t2 -c64 -d10s "$1" | awk '/Requests\/sec/ {print $2}'; }
wrk -t2 -c64 -d3s "http://127.0.0.1:$PORT/feed.xml" >/dev/null
RONGMEI=$(rate "http://127.0.0.1:$PORT/feed.xml")
NGINX_RATE=$(rate "http://127.0.0.1:$STATIC_PORT/feed.xml")
awk -v r="$RONGMEI" -v n="$NGINX_RATE" 'BEGIN { printf "rongmei /feed.xml %.0f req/s, nginx static %.0f req/s: %.2f x nginx\n", r, n, r / n }'
