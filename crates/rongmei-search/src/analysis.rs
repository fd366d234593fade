//! Text analysis: folding, jieba word segmentation, character bigrams and aliases.
//!
//! Folding is strictly one character in, one character out, so a character index in the
//! folded text is the same character index in the original. Snippets depend on that: they
//! search the folded body and cut the original one.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Bumped whenever tokenisation changes in a way that makes an existing index stale.
const ANALYSIS_VERSION: &str = "rongmei-analysis-2";

/// Longer runs are junk (base64, URLs glued to text); tantivy would reject a huge token.
pub(crate) const MAX_TOKEN_CHARS: usize = 64;

pub(crate) const WORD_TOKENIZER: &str = "rongmei_words";
pub(crate) const BIGRAM_TOKENIZER: &str = "rongmei_bigrams";
pub(crate) const EXACT_TOKENIZER: &str = "rongmei_exact";

/// Titles longer than this get no whole-title token: nobody types them in full.
pub(crate) const MAX_EXACT_CHARS: usize = 128;

/// The whole-title key of a folded string: its letters and digits, nothing else, so
/// `校党委中心组（扩大）学习会议举行` and `校党委中心组扩大学习会议举行` meet. `None` when
/// empty or too long to be typed.
pub(crate) fn exact_key(folded: &str) -> Option<String> {
    let key: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    let n = key.chars().count();
    (n > 0 && n <= MAX_EXACT_CHARS).then_some(key)
}

struct FoldTable {
    bmp: Box<[u16]>,
    astral: HashMap<char, char>,
}

fn fold_table() -> &'static FoldTable {
    static TABLE: OnceLock<FoldTable> = OnceLock::new();
    TABLE.get_or_init(build_fold_table)
}

fn build_fold_table() -> FoldTable {
    let mut bmp: Vec<u16> = (0..=u16::MAX).collect();
    let mut astral = HashMap::new();
    // Only single-character pairs are taken from zhconv: phrase rules would change
    // lengths and make folding context-dependent, which the index cannot afford.
    for table in zhconv::get_builtin_tables(zhconv::Variant::ZhHans) {
        for (from, to) in zhconv::tables::expand_table(*table) {
            let mut f = from.chars();
            let mut t = to.chars();
            let (Some(fc), None, Some(tc), None) = (f.next(), f.next(), t.next(), t.next()) else {
                continue;
            };
            set_fold(&mut bmp, &mut astral, fc, tc);
        }
    }
    for u in 0xFF01u32..=0xFF5E {
        if let (Some(full), Some(half)) = (char::from_u32(u), char::from_u32(u - 0xFEE0)) {
            set_fold(&mut bmp, &mut astral, full, half.to_ascii_lowercase());
        }
    }
    set_fold(&mut bmp, &mut astral, '\u{3000}', ' ');
    for u in 0x80u32..=0xFFFF {
        let Some(c) = char::from_u32(u) else { continue };
        if bmp[u as usize] as u32 != u {
            continue;
        }
        let mut lower = c.to_lowercase();
        if let (Some(l), None) = (lower.next(), lower.next())
            && l != c
        {
            set_fold(&mut bmp, &mut astral, c, l);
        }
    }
    FoldTable {
        bmp: bmp.into_boxed_slice(),
        astral,
    }
}

fn set_fold(bmp: &mut [u16], astral: &mut HashMap<char, char>, from: char, to: char) {
    match (u16::try_from(from as u32), u16::try_from(to as u32)) {
        (Ok(f), Ok(t)) => bmp[f as usize] = t,
        _ => {
            astral.insert(from, to);
        }
    }
}

/// Traditional → simplified, full-width → half-width, lower case; never changes the
/// number of characters.
#[inline]
pub(crate) fn fold_char(c: char) -> char {
    let u = c as u32;
    if u < 0x80 {
        return c.to_ascii_lowercase();
    }
    let table = fold_table();
    match u16::try_from(u) {
        Ok(i) => char::from_u32(u32::from(table.bmp[i as usize])).unwrap_or(c),
        Err(_) => table.astral.get(&c).copied().unwrap_or(c),
    }
}

pub(crate) fn fold_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    out.extend(text.chars().map(fold_char));
}

pub(crate) fn fold(text: &str) -> String {
    let mut out = String::new();
    fold_into(text, &mut out);
    out
}

/// Han ideographs plus kana and hangul: scripts written without spaces, which get bigrams.
#[inline]
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005 | 0x3007
        | 0x3040..=0x30FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F
        | 0x30000..=0x3134F)
}

/// Letters and digits of space-separated scripts (Latin, Cyrillic, ...).
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Function words that carry no meaning on their own; dropped from queries only, so the
/// index stays complete and a quoted phrase can still contain them.
pub(crate) fn is_stop_word(word: &str) -> bool {
    const STOP: &[&str] = &[
        "的", "了", "和", "与", "及", "或", "在", "是", "也", "都", "就", "而", "之", "其", "等",
        "被", "把", "对", "于", "为", "以", "将", "着", "过", "啊", "吗", "呢", "吧", "这", "那",
        "个", "我", "你", "他", "她", "它", "们", "有", "从", "向", "并", "又", "很", "a", "an",
        "the", "of", "and", "or", "to", "in", "on", "for", "is", "are", "was", "with", "by", "at",
        "as", "be",
    ];
    STOP.contains(&word)
}

/// Question and filler words: a reader's question (西迁精神的内涵是什么, 成进讲话全文) adds them
/// to what it is about. They score where they occur but are never required.
pub(crate) fn is_filler_word(word: &str) -> bool {
    const FILLER: &[&str] = &[
        "什么",
        "是什么",
        "为什么",
        "什么时候",
        "怎么回事",
        "怎么办",
        "为何",
        "啥",
        "哪天",
        "哪年",
        "怎么",
        "怎么样",
        "怎样",
        "如何",
        "哪里",
        "哪儿",
        "在哪",
        "在哪里",
        "哪些",
        "哪个",
        "哪",
        "多少",
        "几时",
        "何时",
        "是否",
        "能否",
        "可以",
        "请问",
        "一下",
        "吗",
        "呢",
        "吧",
        "全文",
        "报道",
        "相关",
        "有关",
        "情况",
        "内容",
        "介绍",
        "消息",
        "详情",
        "原文",
        "视频",
        "图片",
        "最新",
    ];
    FILLER.contains(&word)
}

/// Jieba plus the alias table, loaded once per [`crate::SearchIndex`] and shared by every
/// tokenizer clone through an `Arc` (tantivy clones tokenizers per field and segment).
pub(crate) struct Analyzer {
    jieba: Jieba,
    alias_of: HashMap<String, usize>,
    alias_groups: Vec<Vec<String>>,
    fingerprint: u64,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("alias_groups", &self.alias_groups.len())
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl Analyzer {
    pub(crate) fn new(user_dict: &str, aliases: &str) -> Self {
        let mut jieba = Jieba::new();
        for (line_no, line) in user_dict.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(word) = parts.next() else { continue };
            let word = fold(word);
            let (freq, tag) = match parts.next() {
                Some(f) => match f.parse::<usize>() {
                    Ok(n) => (Some(n), parts.next()),
                    // "word tag" without a frequency is a common slip; keep the word.
                    Err(_) => (None, Some(f)),
                },
                None => (None, None),
            };
            if freq.is_none() && tag.is_some_and(|t| t.chars().any(|c| c.is_ascii_digit())) {
                tracing::warn!(
                    line = line_no + 1,
                    "user dictionary: unreadable line skipped"
                );
                continue;
            }
            // jieba's own loader reads a missing frequency as 0, which would make the
            // word lose every segmentation; suggest_freq keeps it whole.
            jieba.add_word(&word, freq, tag);
        }

        let mut alias_of = HashMap::new();
        let mut alias_groups: Vec<Vec<String>> = Vec::new();
        for line in aliases.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut group: Vec<String> = Vec::new();
            for name in line.split(['=', '＝']) {
                let name = fold(name.trim());
                if !name.is_empty() && !group.contains(&name) {
                    group.push(name);
                }
            }
            if group.len() < 2 {
                continue;
            }
            let idx = alias_groups.len();
            for name in &group {
                if !jieba.has_word(name) && name.chars().any(is_cjk) {
                    jieba.add_word(name, None, None);
                }
                alias_of.insert(name.clone(), idx);
            }
            alias_groups.push(group);
        }

        let mut h = Fnv::new();
        h.write(ANALYSIS_VERSION.as_bytes());
        h.write(&[0]);
        h.write(user_dict.as_bytes());
        h.write(&[0]);
        h.write(aliases.as_bytes());
        Analyzer {
            jieba,
            alias_of,
            alias_groups,
            fingerprint: h.finish(),
        }
    }

    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Other names of the same thing, `word` included; `word` must be folded.
    pub(crate) fn aliases(&self, word: &str) -> Option<&[String]> {
        self.alias_of
            .get(word)
            .map(|&i| self.alias_groups[i].as_slice())
    }

    /// Query-side segmentation: jieba's default mode gives the words the user meant.
    pub(crate) fn cut_query<'a>(&self, folded: &'a str) -> Vec<&'a str> {
        self.jieba
            .cut(folded, true)
            .into_iter()
            .map(|t| t.word)
            .collect()
    }

    /// Words as jieba cuts them without guessing at unknown ones, covering all of `folded`
    /// in order: pinyin reads polyphones by these words.
    pub(crate) fn cut_plain<'a>(&self, folded: &'a str) -> Vec<&'a str> {
        self.jieba
            .cut(folded, false)
            .into_iter()
            .map(|t| t.word)
            .collect()
    }

    /// Byte offsets (in `text`) where jieba would let a word start: snippet cuts land there.
    pub(crate) fn word_starts(&self, text: &str) -> Vec<usize> {
        self.jieba
            .cut(text, false)
            .into_iter()
            .map(|t| t.byte_start)
            .collect()
    }

    /// Index-side segmentation into `spans` (byte ranges of `folded`).
    fn word_spans(&self, folded: &str, spans: &mut Vec<Span>) {
        spans.clear();
        for t in self.jieba.cut_for_search(folded, true) {
            let w = t.word;
            if !w.chars().any(char::is_alphanumeric) {
                continue;
            }
            if w.chars().count() > MAX_TOKEN_CHARS {
                continue;
            }
            // jieba keeps runs like "WES-5.4.5" whole; trailing or leading spaces never
            // belong to a word.
            let trimmed_start = w.len() - w.trim_start().len();
            let trimmed = w.trim();
            if trimmed.is_empty() {
                continue;
            }
            let start = t.byte_start + trimmed_start;
            spans.push((start, start + trimmed.len(), spans.len()));
        }
    }
}

/// A token of the bigram analyser: byte range in the folded text and its position.
pub(crate) type Span = (usize, usize, usize);

/// Character-bigram tokens of `folded`: overlapping pairs inside a CJK run, a lone CJK
/// character on its own, and whole runs of other letters or digits.
///
/// Punctuation and spaces leave a one-position gap, so a phrase cannot match across
/// them: without it, "甲乙。乙丙" would match the phrase 甲乙丙.
pub(crate) fn bigram_spans(folded: &str, spans: &mut Vec<Span>) {
    spans.clear();
    let mut pos = 0usize;
    let mut gap = false;
    let mut iter = folded.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_cjk(c) {
            if std::mem::take(&mut gap) && !spans.is_empty() {
                pos += 1;
            }
            let mut prev = i;
            let mut single = true;
            while let Some(&(j, d)) = iter.peek() {
                if !is_cjk(d) {
                    break;
                }
                spans.push((prev, j + d.len_utf8(), pos));
                pos += 1;
                prev = j;
                single = false;
                iter.next();
            }
            if single {
                spans.push((i, i + c.len_utf8(), pos));
                pos += 1;
            }
        } else if is_word_char(c) {
            if std::mem::take(&mut gap) && !spans.is_empty() {
                pos += 1;
            }
            let mut end = i + c.len_utf8();
            let mut n = 1;
            while let Some(&(j, d)) = iter.peek() {
                if !is_word_char(d) {
                    break;
                }
                end = j + d.len_utf8();
                n += 1;
                iter.next();
            }
            if n <= MAX_TOKEN_CHARS {
                spans.push((i, end, pos));
            }
            pos += 1;
        } else {
            gap = true;
        }
    }
}

/// Tokens of the bigram analyser for an already folded string, with their positions.
pub(crate) fn bigrams(folded: &str) -> Vec<(&str, usize)> {
    let mut spans = Vec::new();
    bigram_spans(folded, &mut spans);
    spans
        .into_iter()
        .map(|(s, e, p)| (&folded[s..e], p))
        .collect()
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    Words,
    Bigrams,
    Exact,
}

/// The tantivy side of the analysis: folds, then segments with jieba (search mode) or
/// cuts bigrams. Cloning copies an `Arc` and two empty buffers, never the dictionary.
#[derive(Clone)]
pub(crate) struct ChineseTokenizer {
    analyzer: Arc<Analyzer>,
    mode: Mode,
    folded: String,
    spans: Vec<Span>,
}

impl ChineseTokenizer {
    pub(crate) fn words(analyzer: Arc<Analyzer>) -> Self {
        Self::new(analyzer, Mode::Words)
    }

    pub(crate) fn bigrams(analyzer: Arc<Analyzer>) -> Self {
        Self::new(analyzer, Mode::Bigrams)
    }

    pub(crate) fn exact(analyzer: Arc<Analyzer>) -> Self {
        Self::new(analyzer, Mode::Exact)
    }

    fn new(analyzer: Arc<Analyzer>, mode: Mode) -> Self {
        ChineseTokenizer {
            analyzer,
            mode,
            folded: String::new(),
            spans: Vec::new(),
        }
    }
}

pub(crate) struct SpanTokenStream<'a> {
    folded: &'a str,
    spans: std::slice::Iter<'a, Span>,
    token: Token,
}

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = SpanTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SpanTokenStream<'a> {
        fold_into(text, &mut self.folded);
        match self.mode {
            Mode::Words => self.analyzer.word_spans(&self.folded, &mut self.spans),
            Mode::Bigrams => bigram_spans(&self.folded, &mut self.spans),
            Mode::Exact => {
                self.spans.clear();
                if let Some(key) = exact_key(&self.folded) {
                    // The key replaces the folded text, so the span covers all of it.
                    self.spans.push((0, key.len(), 0));
                    self.folded = key;
                }
            }
        }
        SpanTokenStream {
            folded: &self.folded,
            spans: self.spans.iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for SpanTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(&(start, end, position)) = self.spans.next() else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(&self.folded[start..end]);
        // Offsets are into the folded text; nothing here reads them back (snippets are
        // built from the stored original), and folding keeps character positions anyway.
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = position;
        self.token.position_length = 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// FNV-1a: a fingerprint that, unlike std's hasher, is stable across Rust releases.
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(tok: &mut ChineseTokenizer, text: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut stream = tok.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position));
        }
        out
    }

    #[test]
    fn folding_keeps_length_and_simplifies() {
        assert_eq!(fold("西遷精神"), "西迁精神");
        assert_eq!(fold("ＡＢｃ１２"), "abc12");
        assert_eq!(fold("HELLO 學習"), "hello 学习");
        let s = "臺灣大學，ＸＪＴＵ。";
        assert_eq!(fold(s).chars().count(), s.chars().count());
    }

    #[test]
    fn bigrams_cover_runs_and_latin_words() {
        assert_eq!(
            bigrams("西迁精神"),
            vec![("西迁", 0), ("迁精", 1), ("精神", 2)]
        );
        assert_eq!(
            bigrams("5月23日 ok"),
            vec![("5", 0), ("月", 1), ("23", 2), ("日", 3), ("ok", 5)]
        );
        assert_eq!(bigrams("，。"), Vec::<(&str, usize)>::new());
        assert_eq!(bigrams("甲乙。乙丙"), vec![("甲乙", 0), ("乙丙", 2)]);
    }

    #[test]
    fn tokenizer_positions_are_consecutive() {
        let analyzer = Arc::new(Analyzer::new("", ""));
        let mut tok = ChineseTokenizer::bigrams(analyzer.clone());
        let t = tokens(&mut tok, "學習，AI");
        assert_eq!(t, vec![("学习".to_string(), 0), ("ai".to_string(), 2)]);
        let mut words = ChineseTokenizer::words(analyzer);
        let w: Vec<String> = tokens(&mut words, "西安交通大学，Rust 语言")
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert!(w.contains(&"西安交通大学".to_string()), "{w:?}");
        assert!(w.contains(&"rust".to_string()), "{w:?}");
        assert!(!w.iter().any(|t| t.trim().is_empty() || t == "，"), "{w:?}");
    }

    #[test]
    fn aliases_and_user_words() {
        let a = Analyzer::new(
            "端木怡雯 10 nr\n创新港\n",
            "西安交大 = 西安交通大学 = 交大\n",
        );
        assert!(a.cut_query("端木怡雯来了").contains(&"端木怡雯"));
        assert!(a.cut_query("创新港").contains(&"创新港"));
        let g = a.aliases("交大").map(|g| g.to_vec()).unwrap_or_default();
        assert_eq!(g, vec!["西安交大", "西安交通大学", "交大"]);
    }
}
