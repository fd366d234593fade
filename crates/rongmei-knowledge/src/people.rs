//! People: a surname and a one- or two-char given name, accepted only in a context that shows a
//! person (a title or verb after it, a role or byline label before it, a list of names), plus
//! bylines and datelines. Every later occurrence of an accepted name is a mention too.

use std::collections::HashSet;

use jieba_rs::Jieba;

use crate::lexicon::Lexicon;
use crate::phrase::Toks;
use crate::text::{Doc, is_cjk, is_punct};

/// Chars that end a two-char given name only rarely but follow names all the time (郑强说).
const NOT_FINAL: &str =
    "说曾等和与及在是将也还都就为对向从率作以的了被把到于并而或已又则给让由带赴副";
/// Words that open a title (原常务副校长): a given name never starts with them.
const TITLE_PREFIXES: [&str; 6] = ["常务", "执行", "名誉", "荣誉", "资深", "首席"];
/// One-char organisation heads: a "name" ending in one before a title is an organisation.
const ORG_HEAD_CHARS: &str = "局部处院委办厅所馆校系科室组队";
/// Chars no given name starts with.
const NOT_FIRST: &str = "的了在是和与及等说将也都就被把之于";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Post {
    /// A multi-char title, verb or 同志 after the name.
    Strong,
    /// A one-char verb or conjunction after the name (说, 和).
    Weak,
    Punct,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pre {
    Role,
    Org,
    Boundary,
    Other,
}

pub(crate) struct Mention {
    pub start: usize,
    pub end: usize,
}

pub(crate) struct PeopleFound {
    /// Accepted names, each with the byline or count roles found while accepting it.
    pub names: Vec<(String, Vec<(usize, String)>)>,
    /// Lists of names joined by 、: a role before the first item belongs to all of them.
    pub lists: Vec<Vec<(usize, usize)>>,
}

/// The items of a list of names, and the title a count after it gives them all.
type NameList = (Vec<(usize, usize)>, Option<(usize, String)>);

/// After a list of names, a count and a title (三位教授, 5位教师): where the title starts.
fn count_at(doc: &Doc, e: usize) -> Option<usize> {
    let mut j = e;
    while doc.at(j).is_ascii_digit() || "一二三四五六七八九十两".contains(doc.at(j)) {
        j += 1;
    }
    (j > e && matches!(doc.at(j), '位' | '名')).then_some(j + 1)
}

pub(crate) struct PeopleRules<'a> {
    pub lex: &'a Lexicon,
    pub jieba: &'a Jieba,
}

impl PeopleRules<'_> {
    pub(crate) fn surname_len(&self, doc: &Doc, i: usize) -> Option<usize> {
        let c = doc.at(i);
        if self.lex.compound_surnames.contains(&[c, doc.at(i + 1)]) {
            return Some(2);
        }
        self.lex.surnames.contains(c).then_some(1)
    }

    fn post(&self, doc: &Doc, e: usize) -> Post {
        let c = doc.at(e);
        if e >= doc.len() || is_punct(c) || c.is_whitespace() {
            return Post::Punct;
        }
        for list in [
            &self.lex.title_after,
            &self.lex.not_roles,
            &self.lex.post_words,
        ] {
            if let Some(n) = Lexicon::match_at(list, &doc.chars, e) {
                return if n >= 2 { Post::Strong } else { Post::Weak };
            }
        }
        Post::None
    }

    fn pre(&self, doc: &Doc, toks: &Toks<'_>, s: usize) -> Pre {
        if s == 0 {
            return Pre::Boundary;
        }
        let c = doc.at(s - 1);
        if is_punct(c) || c.is_whitespace() {
            return Pre::Boundary;
        }
        // A one-char cue must end where a word ends (处于 is no 处).
        let cue = |list: &crate::lexicon::WordSet| {
            Lexicon::match_before(list, &doc.chars, s).is_some_and(|n| n >= 2 || toks.is_end(s))
        };
        if cue(&self.lex.role_suffixes) || cue(&self.lex.byline_labels) {
            return Pre::Role;
        }
        if cue(&self.lex.org_suffixes) {
            return Pre::Org;
        }
        Pre::Other
    }

    /// A given name may not begin with a title (张书记, 黄教授) or a function char.
    fn given_ok(&self, doc: &Doc, gs: usize, ge: usize) -> bool {
        if !(gs..ge).all(|i| is_cjk(doc.at(i))) {
            return false;
        }
        if self.starts_word(doc, gs) || TITLE_PREFIXES.iter().any(|p| doc.starts_with(gs, p)) {
            return false;
        }
        if ge - gs == 2 && NOT_FINAL.contains(doc.at(ge - 1)) {
            return false;
        }
        !NOT_FIRST.contains(doc.at(gs))
    }

    /// Whether a title, role or organisation word starts at `i` (党委, 书记, 学院).
    pub(crate) fn starts_word(&self, doc: &Doc, i: usize) -> bool {
        [
            &self.lex.title_after,
            &self.lex.not_roles,
            &self.lex.role_suffixes,
            &self.lex.org_suffixes,
        ]
        .iter()
        .any(|list| Lexicon::match_at(list, &doc.chars, i).is_some_and(|n| n >= 2))
    }

    /// Whether the name is really a common word (方面, 高度) rather than a personal name.
    pub(crate) fn common_word(&self, name: &str) -> bool {
        if !self.jieba.has_word(name) {
            return false;
        }
        let tags = self.jieba.tag(name, false);
        !(tags.len() == 1 && tags[0].tag.starts_with("nr"))
    }

    /// Whether jieba itself reads `name` as one personal name.
    fn jieba_name(&self, name: &str) -> bool {
        let tags = self.jieba.tag(name, true);
        tags.len() == 1 && tags[0].tag.starts_with("nr")
    }

    fn acceptable(&self, pre: Pre, post: Post, in_list: bool, aligned: bool) -> bool {
        match post {
            Post::Strong => true,
            Post::Weak | Post::Punct => {
                matches!(pre, Pre::Role | Pre::Org)
                    || in_list
                    || (pre == Pre::Boundary && post == Post::Weak && aligned)
            }
            Post::None => pre == Pre::Role && aligned,
        }
    }

    /// Names in a table row or a contact line (1 刘恩源 2012170042, 联系方式：…，石秀选，).
    fn listed_alone(&self, doc: &Doc, s: usize, e: usize) -> bool {
        let table = doc.at(s.wrapping_sub(1)) == ' '
            && doc.at(s.wrapping_sub(2)).is_ascii_digit()
            && doc.at(e) == ' '
            && doc.at(e + 1).is_ascii_digit();
        let contact = is_punct(doc.at(s.wrapping_sub(1)))
            && is_punct(doc.at(e))
            && (s.saturating_sub(16)..s).any(|i| doc.starts_with(i, "联系"));
        table || contact
    }

    /// The name starting at surname position `i`, if the context shows a person.
    fn candidate(&self, doc: &Doc, toks: &Toks<'_>, i: usize, in_list: bool) -> Option<usize> {
        let sl = self.surname_len(doc, i)?;
        if self.starts_word(doc, i) {
            return None;
        }
        // After a number the char is a count word (100余人), not a surname.
        if i > 0 && doc.at(i - 1).is_ascii_digit() {
            return None;
        }
        let pre = self.pre(doc, toks, i);
        // A surname char inside a word (研究 → 究) is no name start.
        if pre == Pre::Other && !in_list && !toks.is_start(i) {
            return None;
        }
        let eval = |e: usize| -> Option<Post> {
            if !self.given_ok(doc, i + sl, e) {
                return None;
            }
            let post = self.post(doc, e);
            // The name must end where jieba ends a word (高中|班主任 is no 高中班 + 主任).
            let unknown_chunk = toks
                .get(e - 1)
                .is_some_and(|t| t.tag == "x" || t.tag.starts_with("nr"));
            if post != Post::Punct && !toks.is_end(e) && !unknown_chunk {
                return None;
            }
            // An organisation's one-char head before a title (卫计局局长) is no given name.
            if post == Post::Strong && ORG_HEAD_CHARS.contains(doc.at(e - 1)) {
                return None;
            }
            let ok = self.acceptable(pre, post, in_list, toks.is_end(e))
                || (post == Post::Punct && self.listed_alone(doc, i, e));
            ok.then_some(post)
        };
        let short = i + sl + 1;
        let long = i + sl + 2;
        let (s_res, l_res) = (eval(short), eval(long));
        let pick = if s_res == Some(Post::Strong) && l_res != Some(Post::Strong) {
            short
        } else if l_res.is_some() {
            long
        } else if s_res.is_some() {
            short
        } else {
            return None;
        };
        if self.common_word(&doc.slice(i, pick)) {
            return None;
        }
        // Two-char dictionary words are words even where jieba files them as names (荣誉主席):
        // only a role before one makes it a person.
        if pick - i == 2 && pre != Pre::Role && self.jieba.has_word(&doc.slice(i, pick)) {
            return None;
        }
        // 文化相结合, 单位应: surname and first given char already form a common word.
        let name = doc.slice(i, pick);
        if matches!(pre, Pre::Other | Pre::Boundary)
            && pick - i == 3
            && sl == 1
            && !self.jieba_name(&name)
            && self.common_word(&doc.slice(i, i + 2))
        {
            return None;
        }
        // Only a role before it and nothing after: jieba must read it as a name too
        // (本科生符双喜连续…, not 学生班配备…).
        let post = self.post(doc, pick);
        if post == Post::None
            && !self.jieba_name(&name)
            && (pick - i - sl == 1 || self.common_word(&doc.slice(i + sl, pick)))
        {
            return None;
        }
        // Weak evidence and a given name that is an ordinary word (政府史研究和…).
        let strong = pre == Pre::Role || post == Post::Strong;
        if !strong && pick - i - sl == 2 && self.common_word(&doc.slice(i + sl, pick)) {
            return None;
        }
        Some(pick)
    }

    /// A list of two or more names joined by 、 (刘继增、毛磊、袁继成三位教授): the items, and the
    /// title a count after the list gives them all.
    fn list_at(&self, doc: &Doc, toks: &Toks<'_>, i: usize) -> Option<NameList> {
        // Cheap test first: a list has a 、 right after its first name.
        if !(3..=5).any(|k| doc.at(i + k - 1) == '、') || self.surname_len(doc, i).is_none() {
            return None;
        }
        // A list that began with a word before (睦邻、安邻、富邻) is no list of names.
        if i > 0 && doc.at(i - 1) == '、' {
            return None;
        }
        let mut items = Vec::new();
        let mut s = i;
        loop {
            if !toks.is_start(s) {
                break;
            }
            let Some(sl) = self.surname_len(doc, s) else {
                break;
            };
            if self.starts_word(doc, s) {
                break;
            }
            let fits =
                |e: usize| self.given_ok(doc, s + sl, e) && !self.common_word(&doc.slice(s, e));
            let (short, long) = (s + sl + 1, s + sl + 2);
            if doc.at(long) == '、' && fits(long) {
                items.push((s, long));
                s = long + 1;
                continue;
            }
            if doc.at(short) == '、' && fits(short) {
                items.push((s, short));
                s = short + 1;
                continue;
            }
            // The last item: ended by punctuation, a verb or a count.
            for e in [long, short] {
                if fits(e) && (self.post(doc, e) != Post::None || count_at(doc, e).is_some()) {
                    items.push((s, e));
                    break;
                }
            }
            break;
        }
        if items.len() < 2 {
            return None;
        }
        let last = items.last().map_or(i, |x| x.1);
        // jieba must see at least one personal name in it, or a count must follow (三位教授).
        let named = items
            .iter()
            .any(|&(s, _)| toks.get(s).is_some_and(|t| t.tag.starts_with("nr")));
        if !named && count_at(doc, last).is_none() {
            return None;
        }
        let role = count_at(doc, last).and_then(|c| {
            let n = Lexicon::match_at(&self.lex.role_suffixes, &doc.chars, c)?;
            let role = doc.slice(c, c + n);
            (!["老师", "同学", "同志"].contains(&role.as_str())).then_some((c, role))
        });
        Some((items, role))
    }

    pub fn find(&self, doc: &Doc, toks: &Toks<'_>) -> PeopleFound {
        let mut found = PeopleFound {
            names: Vec::new(),
            lists: Vec::new(),
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut add = |found: &mut PeopleFound, name: String, role: Option<(usize, String)>| {
            if seen.insert(name.clone()) {
                found.names.push((name.clone(), Vec::new()));
            }
            if let Some(r) = role
                && let Some(entry) = found.names.iter_mut().find(|(n, _)| *n == name)
            {
                entry.1.push(r);
            }
        };
        self.bylines(doc, &mut |n, r| add(&mut found, n, r));
        self.datelines(doc, &mut |n| add(&mut found, n, None));
        let n = doc.len();
        let mut i = 0;
        let mut list_open = false;
        while i < n {
            if doc.excluded(i, i + 1) {
                i += 1;
                list_open = false;
                continue;
            }
            if !list_open && let Some((items, role)) = self.list_at(doc, toks, i) {
                let end = items.last().map_or(i + 1, |x| x.1);
                for &(s, e) in &items {
                    add(&mut found, doc.slice(s, e), role.clone());
                }
                found.lists.push(items);
                i = end;
                continue;
            }
            if let Some(e) = self.candidate(doc, toks, i, list_open) {
                add(&mut found, doc.slice(i, e), None);
                // A name followed by 、 opens a list: the next name needs no other cue.
                list_open = matches!(doc.at(e), '、' | ' ');
                i = e;
                continue;
            }
            if !matches!(doc.at(i), '、' | ' ') {
                list_open = false;
            }
            i += 1;
        }
        found
    }

    /// Every occurrence of an accepted name that is not part of a longer name.
    pub fn mentions(&self, doc: &Doc, name: &str) -> Vec<Mention> {
        let chars: Vec<char> = name.chars().collect();
        doc.find_all(&chars)
            .into_iter()
            .map(|s| Mention {
                start: s,
                end: s + chars.len(),
            })
            .collect()
    }
}
