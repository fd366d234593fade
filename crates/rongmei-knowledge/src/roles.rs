//! Roles of one mention: the appositive chain before the name (西工大党委副书记、党委宣传部部长杨晓),
//! a title straight after it (叶青教授), "X（Y）" and "X任Y".

use crate::lexicon::Lexicon;
use crate::phrase::{PhraseRules, ROLE, Toks};
use crate::text::{Doc, is_punct};

/// A role longer than this after 任 or inside brackets is a clause, not a title.
const MAX_ROLE: usize = 30;

pub(crate) struct RoleCtx<'a, 'b> {
    pub doc: &'a Doc,
    pub toks: &'a Toks<'b>,
    pub lex: &'a Lexicon,
    pub rules: &'a PhraseRules,
    /// Chars that belong to a person mention: a chain never reaches across another name.
    pub people: &'a [bool],
}

impl RoleCtx<'_, '_> {
    /// Roles of the mention `s..e`, each with the position it was written at.
    pub fn roles(&self, s: usize, e: usize) -> Vec<(usize, String)> {
        let mut out = self.before(s);
        if let Some(n) = Lexicon::match_at(&self.lex.title_after, &self.doc.chars, e) {
            out.push((e, self.doc.slice(e, e + n)));
        }
        if let Some(r) = self.bracketed(e) {
            out.push(r);
        }
        if let Some(r) = self.appointed(e) {
            out.push(r);
        }
        out
    }

    pub fn before(&self, s: usize) -> Vec<(usize, String)> {
        let doc = self.doc;
        let mut out = Vec::new();
        let mut end = s;
        while let Some(n) = Lexicon::match_before(&self.lex.role_suffixes, &doc.chars, end) {
            let head = end - n;
            if (head..end).any(|i| self.people.get(i).copied().unwrap_or(false)) {
                break;
            }
            let start = self
                .rules
                .left_extend(doc, self.toks, self.lex, head, self.people, ROLE);
            // Function words jieba glued to the role's first word (大会由…, 及…, 现为…).
            let mut start = start;
            if let Some(k) = (start..(start + 4).min(head)).find(|&k| doc.at(k) == '由') {
                start = k + 1;
            }
            if doc.starts_with(start, "现为") {
                start += 2;
            } else if start < head && "及与和由为".contains(doc.at(start)) {
                start += 1;
            }
            out.push((start, doc.slice(start, end)));
            // Chains continue over 、 and 兼 (党委副书记兼工会主席).
            if start > 0 && matches!(doc.at(start - 1), '、' | '兼') {
                end = start - 1;
            } else if start > 1
                && matches!(doc.at(start - 1), '现' | '原' | '前')
                && doc.at(start - 2) == '、'
            {
                // 法学院2017届本科毕业生、现清华大学硕士研究生李凯.
                end = start - 2;
            } else {
                break;
            }
        }
        out.reverse();
        out
    }

    /// 邓子恢（中共中央委员之一）.
    fn bracketed(&self, e: usize) -> Option<(usize, String)> {
        let doc = self.doc;
        if !matches!(doc.at(e), '（' | '(') {
            return None;
        }
        let s = e + 1;
        let mut j = s;
        while j < doc.len() && j - s <= MAX_ROLE && !matches!(doc.at(j), '）' | ')' | '\n') {
            j += 1;
        }
        if !matches!(doc.at(j), '）' | ')') || j == s {
            return None;
        }
        let role_end = Lexicon::match_before(&self.lex.role_suffixes, &doc.chars, j).is_some()
            || doc.ends_with(j, "之一");
        role_end.then(|| (s, doc.slice(s, j)))
    }

    /// 张三任学院院长.
    fn appointed(&self, e: usize) -> Option<(usize, String)> {
        let doc = self.doc;
        let s = if doc.starts_with(e, "担任") {
            e + 2
        } else if doc.at(e) == '任' {
            e + 1
        } else {
            return None;
        };
        let mut j = s;
        while j < doc.len() && j - s <= MAX_ROLE && !is_punct(doc.at(j)) {
            j += 1;
        }
        // The role is the longest prefix that ends in a role word.
        (s + 2..=j)
            .rev()
            .find(|&k| Lexicon::match_before(&self.lex.role_suffixes, &doc.chars, k).is_some())
            .map(|k| (s, doc.slice(s, k)))
    }
}
