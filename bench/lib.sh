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
