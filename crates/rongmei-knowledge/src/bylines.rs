//! Bylines and datelines: names written after a label (通讯员 王明, 撰稿：秦璐, 【编辑:苏亦瑜】)
//! or run together in a news agency dateline (电(盖博铭王奕涵)).

use crate::lexicon::Lexicon;
use crate::people::PeopleRules;
use crate::text::{Doc, is_cjk, is_punct};

impl PeopleRules<'_> {
    /// 通讯员 王明 李华, 撰稿：秦璐, 【编辑:苏亦瑜】: each name gets the label as its role.
    pub(crate) fn bylines(&self, doc: &Doc, emit: &mut dyn FnMut(String, Option<(usize, String)>)) {
        let n = doc.len();
        let mut i = 0;
        while i < n {
            let Some(ll) = Lexicon::match_at(&self.lex.byline_labels, &doc.chars, i) else {
                i += 1;
                continue;
            };
            let sep = doc.at(i + ll);
            let before = if i == 0 { '\n' } else { doc.at(i - 1) };
            let label_ok = matches!(sep, '：' | ':' | ' ' | '\u{3000}')
                && (is_punct(before) || before.is_whitespace() || i == 0);
            if !label_ok {
                i += 1;
                continue;
            }
            let mut label = (i, doc.slice(i, i + ll));
            let mut j = i + ll;
            loop {
                while matches!(doc.at(j), '：' | ':' | ' ' | '\u{3000}' | '、') {
                    j += 1;
                }
                let s = j;
                while j < n && is_cjk(doc.at(j)) {
                    j += 1;
                }
                if s == j {
                    break;
                }
                if let Some(l2) = Lexicon::match_at(&self.lex.byline_labels, &doc.chars, s)
                    && l2 == j - s
                {
                    label = (s, doc.slice(s, j));
                    continue;
                }
                let Some(name_end) =
                    self.byline_name(doc, s, j, label.0 + label.1.chars().count() + 2 < s)
                else {
                    break;
                };
                emit(doc.slice(s, name_end), Some(label.clone()));
                if name_end != j {
                    break;
                }
            }
            i = j.max(i + 1);
        }
    }

    /// The end of a name at the start of the run `s..e` (a title may follow: 黄海明博士).
    /// `strict` for a name further from its label, which must not be a common word.
    fn byline_name(&self, doc: &Doc, s: usize, e: usize, strict: bool) -> Option<usize> {
        let sl = self.surname_len(doc, s)?;
        for name_end in [s + sl + 2, s + sl + 1] {
            if name_end < e
                && Lexicon::match_at(&self.lex.title_after, &doc.chars, name_end)
                    .is_some_and(|t| name_end + t == e)
            {
                return Some(name_end);
            }
        }
        let len = e - s;
        let ok = (2..=4).contains(&len)
            && len > sl
            && !self.starts_word(doc, s + sl)
            && !(strict && self.common_word(&doc.slice(s, e)));
        ok.then_some(e)
    }

    /// 中新网福州5月28日电(郑江洛): the reporters in the dateline, names run together.
    pub(crate) fn datelines(&self, doc: &Doc, emit: &mut dyn FnMut(String)) {
        let n = doc.len();
        for i in 1..n {
            if !(doc.at(i - 1) == '电' && matches!(doc.at(i), '(' | '（')) {
                continue;
            }
            let s = i + 1;
            let mut e = s;
            while e < n && is_cjk(doc.at(e)) && e - s <= 9 {
                e += 1;
            }
            if !matches!(doc.at(e), ')' | '）') {
                continue;
            }
            for part in self.split_names(doc, s, e) {
                emit(part);
            }
        }
    }

    /// Names written without separators (盖博铭王奕涵): split where each part starts with a surname.
    fn split_names(&self, doc: &Doc, s: usize, e: usize) -> Vec<String> {
        let len = e - s;
        if len < 2 {
            return Vec::new();
        }
        if len <= 3 {
            return self
                .surname_len(doc, s)
                .map(|_| vec![doc.slice(s, e)])
                .unwrap_or_default();
        }
        for first in [3, 2, 4] {
            if len - first >= 2
                && len - first <= 4
                && self.surname_len(doc, s).is_some()
                && self.surname_len(doc, s + first).is_some()
            {
                return vec![doc.slice(s, s + first), doc.slice(s + first, e)];
            }
        }
        if len == 4 && self.surname_len(doc, s) == Some(2) {
            return vec![doc.slice(s, e)];
        }
        Vec::new()
    }
}
