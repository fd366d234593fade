#!/usr/bin/env bash
# The static export (issue 16's figures), release build, N articles (default 100,000: the corpus
# replicated) plus five published stories with pictures (the home page's 图片新闻):
#   1. `rongmei export site` of everything: pages rendered per second and peak memory;
#   2. one article edited through the API, then the export again: wall time (the whole command,
#      start-up included) and the files it wrote;
#   3. the same article page from nginx serving the export and from the live server:
#      wrk -t2 -c64 -d10s each, in the same run (needs wrk; skipped without);
#   4. the home page opened by headless Chromium at phone size (390×844): the bytes nginx sent
#      for it (page, stylesheet, the pictures a phone loads on its first view).
#   bench/export.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
source bench/lib.sh
[[ -f $CORPUS ]] || { echo "skipped: $CORPUS absent"; exit 0; }
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || { echo "skipped: nginx absent (apt-get install nginx)"; exit 0; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
cargo build --release -q -p rongmei
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/rongmei
WORK=$(mktemp -d)
LIVE_PORT=${LIVE_PORT:-18190}
SITE_PORT=${SITE_PORT:-18191}
LOG_PORT=${LOG_PORT:-18192}
LIVE=http://127.0.0.1:$LIVE_PORT
SITE=http://127.0.0.1:$SITE_PORT
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

replicate_corpus "$N" "$WORK/articles.jsonl"
$BIN --data "$WORK/data" import "$WORK/articles.jsonl" 2>/dev/null | tail -n1
for u in reporter:reporter r1:reviewer1 r2:reviewer2 chief:chief; do
    echo bench-password | $BIN --data "$WORK/data" user add "${u%%:*}" --role "${u#*:}" >/dev/null 2>&1
done
$BIN --data "$WORK/data" --listen 127.0.0.1:$LIVE_PORT serve >"$WORK/serve.log" 2>&1 &
LIVE_PID=$!
PIDS+=("$LIVE_PID")
for _ in $(seq 1 600); do curl -fs "$LIVE/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
token() {
    curl -fs "$LIVE/api/v1/session" -H 'content-type: application/json' \
        -d "{\"login\":\"$1\",\"password\":\"bench-password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
REPORTER=$(token reporter)
TOKEN=$(token chief)
declare -A BY=([submit]=$REPORTER [approve1]=$(token r1) [approve2]=$(token r2) [approve3]=$TOKEN [publish]=$TOKEN)

# Five stories with a 1200×800 photo each, written, reviewed and published through the API.
python3 - "$WORK/photos" <<'PY'
import os, struct, sys, zlib
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
def png(w, h, shade):
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        for x in range(w):
            raw += bytes(((x // 5 + y // 9) % 256, (y // 4) % 256, (shade + x // 40) % 256))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 6)) + chunk(b"IEND", b""))
for i in range(5):
    open(os.path.join(out, f"photo{i}.png"), "wb").write(png(1200, 800, i * 50))
PY
for i in 0 1 2 3 4; do
    URL=$(curl -fs "$LIVE/api/v1/media" -H "authorization: Bearer $REPORTER" -F "file=@$WORK/photos/photo$i.png" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
    BODY=$(python3 -c 'import json,sys; print(json.dumps({"title": f"图片新闻第{int(sys.argv[2]) + 1}条：校园新貌", "column": "news", "body": f"<p>校园一景。</p><figure><img src=\"{sys.argv[1]}\" alt=\"校园新貌\"><figcaption>校园新貌</figcaption></figure><p>摄影：新闻中心</p>"}, ensure_ascii=False))' "$URL" "$i")
    NEW=$(curl -fs "$LIVE/api/v1/articles" -H "authorization: Bearer $REPORTER" -H 'content-type: application/json' -d "$BODY" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    for step in submit approve1 approve2 approve3 publish; do
        curl -fs "$LIVE/api/v1/articles/$NEW/actions" -H "authorization: Bearer ${BY[$step]}" \
            -H 'content-type: application/json' -d "{\"action\":\"${step%[0-9]}\"}" >/dev/null
    done
done

timed() {
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
    read -r SECS KB <"$WORK/time"
    RENDERED=$(sed -n 's/.*(\([0-9]*\) rendered.*/\1/p' "$WORK/out" | tail -n1)
    WRITTEN=$(sed -n 's/.*, \([0-9]*\) written.*/\1/p' "$WORK/out" | tail -n1)
    awk -v l="$label" -v s="$SECS" -v k="$KB" -v r="$RENDERED" -v w="$WRITTEN" \
        'BEGIN { printf "%-10s %d files rendered, %d written in %.2f s = %.0f files/s, peak RSS %d MB\n", l, r, w, s, r / s, k / 1024 }'
}
EXPORT=("$BIN" --data "$WORK/data" --base-url "$SITE" export site "$WORK/site" --api-base "$LIVE")
timed export "${EXPORT[@]}"
ARTICLES=$(find "$WORK/site/articles" -name index.html | wc -l)
echo "           article pages: $ARTICLES; export size $(du -sh "$WORK/site" | cut -f1)"

# One edit through the API, then the export again.
ID=$(curl -fs "$LIVE/api/v1/articles?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
curl -fs -X PUT "$LIVE/api/v1/articles/$ID" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"title":"图片新闻：校园新貌（更正）"}' >/dev/null
timed re-export "${EXPORT[@]}" --list-changes
sed -n 's/^wrote /           wrote /p' "$WORK/out"

cat >"$WORK/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    log_format bytes '\$request_uri \$body_bytes_sent';
    access_log $WORK/access.log bytes;
    client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy; fastcgi_temp_path $WORK/fastcgi;
    uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
    server { listen 127.0.0.1:$SITE_PORT; access_log off; include $WORK/site/.rongmei-nginx.conf; }
    # The same site, logging the bytes of each response: for the phone's first view.
    server { listen 127.0.0.1:$LOG_PORT; include $WORK/site/.rongmei-nginx.conf; }
}
EOF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" -g 'daemon off; user root;' 2>/dev/null &
PIDS+=("$!")
for _ in $(seq 1 50); do curl -fs "$SITE/" >/dev/null 2>&1 && break; sleep 0.1; done

PAGE=/articles/$ID
if command -v wrk >/dev/null; then
    for row in "nginx export|$SITE$PAGE" "rongmei live|$LIVE$PAGE"; do
        label=${row%%|*}; url=${row#*|}
        wrk -t2 -c64 -d3s -H 'User-Agent: Mozilla/5.0 (bench) Chrome/131.0' "$url" >/dev/null 2>&1
        RPS=$(wrk -t2 -c64 -d10s -H 'User-Agent: Mozilla/5.0 (bench) Chrome/131.0' "$url" 2>/dev/null | awk '/Requests\/sec/ {print $2}')
        printf '%-14s %s req/s  %s\n' "$label" "$RPS" "$url"
    done
else
    echo "nginx vs live: skipped (wrk absent: apt-get install wrk)"
fi

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    # chromedriver's phone emulation: a headless window cannot be narrower than 500 pixels.
    for dpr in 1 3; do
        : >"$WORK/access.log"
        python3 - "http://127.0.0.1:$LOG_PORT/" "$dpr" <<'PY'
import json, socket, subprocess, sys, time, urllib.request
url, dpr = sys.argv[1], float(sys.argv[2])
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
driver = subprocess.Popen(["/usr/bin/chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=60))
try:
    for _ in range(100):
        try:
            if call("GET", "/status")["value"]["ready"]: break
        except OSError: pass
        time.sleep(0.1)
    caps = {"browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu"],
            "mobileEmulation": {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": dpr},
                                "userAgent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"}}}
    sid = call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["value"]["sessionId"]
    call("POST", f"/session/{sid}/url", {"url": url})
    time.sleep(2)
    call("DELETE", f"/session/{sid}")
finally:
    driver.kill()
PY
        sleep 0.3
        awk -v d="$dpr" '{ n++; b += $2; print "           " $1 " " $2 } END { printf "home, phone 390x844 at %sx, first view: %d requests, %d bytes (%.1f KB) from nginx\n", d, n, b, b / 1024 }' "$WORK/access.log"
    done
else
    echo "home page bytes: skipped (chromium or chromedriver absent)"
fi
