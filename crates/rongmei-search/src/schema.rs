use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{BIGRAM_TOKENIZER, EXACT_TOKENIZER, WORD_TOKENIZER};

/// Bumped with every change to the fields below or the index settings; an index written with another version is
/// wiped and rebuilt on open.
pub(crate) const SCHEMA_VERSION: u32 = 5;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub id: Field,
    pub title: Field,
    pub body: Field,
    pub title_ngram: Field,
    /// The whole title as one token (folded, letters and digits only), with and without
    /// a leading 【label】: a query that is the title, give or take punctuation.
    pub title_exact: Field,
    /// Bigrams of everything searchable (title, body, column name, tags, bylines), each
    /// value apart: what decides whether an article matches.
    pub text_ngram: Field,
    pub column_slug: Field,
    pub column_name: Field,
    pub tags: Field,
    pub bylines: Field,
    /// Toneless pinyin syllables of titles, column names, tags and people, one value per
    /// run of Han characters (see `pinyin.rs`).
    pub pinyin: Field,
    /// Runs of two to six pinyin initials of the same text (`xqjs`).
    pub pinyin_initials: Field,
    /// The body's words, each spelled as one token (`xiqian`), each once.
    pub pinyin_words: Field,
    pub published_at: Field,
    /// Characters of title and body: breaks exact score ties (see `collect`).
    pub length: Field,
}

pub(crate) fn build_schema() -> (Schema, Fields) {
    // Word fields only need frequencies: phrases are matched on the bigram fields, which
    // is where positions pay for themselves.
    let words = |stored: bool| {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORD_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        if stored { opts.set_stored() } else { opts }
    };
    let ngrams = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(BIGRAM_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );

    let exact = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(EXACT_TOKENIZER)
            .set_index_option(IndexRecordOption::Basic),
    );

    // Pinyin is written out when the document is made (`pinyin::index_values`): syllables
    // and initials separated by spaces, lower case already.
    let spelled = |option| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("whitespace")
                .set_index_option(option),
        )
    };

    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", words(true)),
        body: b.add_text_field("body", words(true)),
        title_ngram: b.add_text_field("title_ngram", ngrams.clone()),
        title_exact: b.add_text_field("title_exact", exact),
        text_ngram: b.add_text_field("text_ngram", ngrams),
        column_slug: b.add_text_field("column_slug", STRING | STORED),
        column_name: b.add_text_field("column_name", words(false)),
        tags: b.add_text_field("tags", words(false)),
        bylines: b.add_text_field("bylines", words(false)),
        pinyin: b.add_text_field("pinyin", spelled(IndexRecordOption::WithFreqsAndPositions)),
        pinyin_initials: b.add_text_field("pinyin_initials", spelled(IndexRecordOption::WithFreqs)),
        pinyin_words: b.add_text_field("pinyin_words", spelled(IndexRecordOption::WithFreqs)),
        published_at: b.add_i64_field("published_at", STORED | FAST),
        length: b.add_u64_field("length", FAST),
    };
    (b.build(), fields)
}
