#!/usr/bin/env bash
# WordPress import (issue 15's figure): posts per second and peak memory of `rongmei import`
#   - on the real 1.66 MB Chinese export in ../shared/fixtures/wxr (104 posts: 97 published, 7 drafts);
#   - on a synthetic WXR of N published posts (default 100,000) made from the corpus, each a
#     classic-editor post with paragraphs, a category, two tags and an author.
# SQLite, release build, 127.0.0.1 only (nothing is served).
#   bench/wxr.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
source bench/lib.sh
FIXTURE=../shared/fixtures/wxr/everet-org_zh-blog_wordpress.xml
cargo build --release -q -p rongmei
BIN=${CARGO_TARGET_DIR:-target}/release/rongmei
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

measure() {
    local label=$1 posts=$2 file=$3 t0 t1 pid
    t0=$(date +%s.%N)
    $BIN --data "$WORK/data-$label" import "$file" >"$WORK/$label.out" 2>"$WORK/$label.err" &
    pid=$!
    peaks "$pid" >"$WORK/$label.mem" &
    wait "$pid" || { cat "$WORK/$label.err"; exit 1; }
    t1=$(date +%s.%N)
    wait
    awk -v n="$posts" -v a="$t0" -v b="$t1" -v l="$label" -v s="$(du -h "$file" | cut -f1)" \
        'BEGIN { printf "%-10s %7d posts (%s) in %6.2f s = %7.0f posts/s (whole command); ", l, n, s, b - a, n / (b - a) }'
    cat "$WORK/$label.mem"
    tail -n1 "$WORK/$label.out"
}

if [[ -f $FIXTURE ]]; then
    measure fixture 104 "$FIXTURE"
else
    echo "fixture: skipped, $FIXTURE absent"
fi
[[ -f $CORPUS ]] || { echo "synthetic: skipped, $CORPUS absent"; exit 0; }
python3 - "$CORPUS" "$N" "$WORK/synthetic.xml" <<'PY'
import json, sys
from xml.sax.saxutils import escape
corpus, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
articles = [json.loads(l) for l in open(corpus, encoding="utf-8") if l.strip()]
with open(out, "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<wp:wxr_version>1.2</wp:wxr_version>\n'
            '<wp:base_site_url>http://bench.example.edu.cn</wp:base_site_url>\n'
            '<wp:author><wp:author_login>editor</wp:author_login><wp:author_display_name><![CDATA[新闻中心]]></wp:author_display_name></wp:author>\n')
    for i in range(n):
        a = articles[i % len(articles)]
        body = (a.get("body") or "").replace("]]>", "]]]]><![CDATA[>").replace("\n", "\n\n")
        date = (a.get("published_at") or "2020-01-01T08:00:00+08:00")[:19].replace("T", " ")
        col = escape(a.get("column") or "新闻")
        f.write(f"<item><title>{escape(a['title'])}</title><link>http://bench.example.edu.cn/?p={i+1}</link>"
                f"<dc:creator>editor</dc:creator><content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{i+1}</wp:post_id>"
                f"<wp:post_date>{date}</wp:post_date><wp:post_date_gmt></wp:post_date_gmt>"
                f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f"<category domain=\"category\" nicename=\"c\"><![CDATA[{col}]]></category>"
                f"<category domain=\"post_tag\" nicename=\"t1\"><![CDATA[校园]]></category>"
                f"<category domain=\"post_tag\" nicename=\"t2\"><![CDATA[新闻]]></category></item>\n")
    f.write("</channel>\n</rss>\n")
PY
measure synthetic "$N" "$WORK/synthetic.xml"
