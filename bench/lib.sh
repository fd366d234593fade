# Shared by the bench scripts: the corpus, replicated with distinct source ids.
CORPUS=${CORPUS:-../shared/corpus/articles.jsonl}

# replicate_corpus N OUT: the first N lines of the corpus repeated with source ids c1-…, c2-…
replicate_corpus() {
    local n=$1 out=$2 lines copies i
    lines=$(wc -l <"$CORPUS")
    copies=$(((n + lines - 1) / lines))
    for i in $(seq 1 "$copies"); do sed "s/\"source_id\": \"/\"source_id\": \"c$i-/" "$CORPUS"; done >"$out.all"
    head -n "$n" "$out.all" >"$out"
    rm -f "$out.all"
}

# peaks PID: samples the process every 0.1 s until it exits; prints the peaks of its resident
# memory (VmHWM), of the anonymous part (heap: what the process itself holds) and of the
# file-backed part (memory-mapped index files being read, which the kernel reclaims at will).
peaks() {
    local pid=$1 anon=0 file=0 hwm=0 a f h
    while read -r a f h < <(awk '/RssAnon/ {a=$2} /RssFile/ {f=$2} /VmHWM/ {h=$2} END {print a+0, f+0, h+0}' /proc/"$pid"/status 2>/dev/null) && [[ $h -gt 0 ]]; do
        ((a > anon)) && anon=$a; ((f > file)) && file=$f; ((h > hwm)) && hwm=$h
        sleep 0.1
    done
    echo "peak RSS $((hwm / 1024)) MB (anonymous $((anon / 1024)) MB, mapped index files $((file / 1024)) MB)"
}
