//! The two dictionary files: parsing with `FILE:LINE: message` errors, and the starter set.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::normalize::normalize;

pub const SENSITIVE_FILE: &str = "sensitive.txt";
pub const EXPRESSIONS_FILE: &str = "expressions.txt";

/// The subfolder of the data folder that holds both files.
pub const DICTIONARY_DIR: &str = "dictionaries";

const DEFAULT_SENSITIVE: &str = include_str!("defaults/sensitive.txt");
const DEFAULT_EXPRESSIONS: &str = include_str!("defaults/expressions.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Publishing is refused until the text is changed.
    Block,
    /// Shown to the editor; publishing goes on.
    Warn,
}

#[derive(Debug, thiserror::Error)]
pub enum DictError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("building the matcher: {0}")]
    Build(#[from] aho_corasick::BuildError),
}

/// One of the two dictionaries, by the name the API and the database use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DictionaryKind {
    /// 敏感词: `word<TAB>block|warn|allow[<TAB>note]`.
    Sensitive,
    /// 规范表述: `wrong<TAB>right|=[<TAB>note]`.
    Expressions,
}

impl DictionaryKind {
    pub const ALL: [DictionaryKind; 2] = [DictionaryKind::Sensitive, DictionaryKind::Expressions];

    /// `sensitive` or `expressions`: the name in URLs and in the database.
    pub fn name(self) -> &'static str {
        match self {
            DictionaryKind::Sensitive => "sensitive",
            DictionaryKind::Expressions => "expressions",
        }
    }

    pub fn parse(name: &str) -> Option<DictionaryKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The file that holds it in an import/export folder.
    pub fn file_name(self) -> &'static str {
        match self {
            DictionaryKind::Sensitive => SENSITIVE_FILE,
            DictionaryKind::Expressions => EXPRESSIONS_FILE,
        }
    }

    /// The starter text a new site begins with.
    pub fn default_text(self) -> &'static str {
        match self {
            DictionaryKind::Sensitive => DEFAULT_SENSITIVE,
            DictionaryKind::Expressions => DEFAULT_EXPRESSIONS,
        }
    }

    /// Checks a text in this dictionary's format; errors are `FILE:LINE: message`.
    pub fn validate(self, text: &str) -> Result<usize, DictError> {
        let path = Path::new(self.file_name());
        Ok(match self {
            DictionaryKind::Sensitive => parse_sensitive(text, path)?.len(),
            DictionaryKind::Expressions => parse_expressions(text, path)?.len(),
        })
    }
}

/// What a sensitive entry does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SensitiveAction {
    Report(Severity),
    /// A harmless word containing a listed one: it wins the leftmost-longest match and hides it.
    Allow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensitiveEntry {
    pub word: String,
    pub action: SensitiveAction,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpressionEntry {
    pub wrong: String,
    /// `None` for a correct form (`=` in the file) that shields the shorter wrong forms inside it.
    pub right: Option<String>,
    pub note: Option<String>,
}

/// The parsed content of both dictionary files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dictionaries {
    pub sensitive: Vec<SensitiveEntry>,
    pub expressions: Vec<ExpressionEntry>,
}

impl Dictionaries {
    /// Writes the starter files into `dir` (created if needed) where they are missing, so a new
    /// data folder has something to edit; existing files are never touched.
    pub fn ensure_defaults(dir: &Path) -> Result<(), DictError> {
        fs::create_dir_all(dir).map_err(|source| DictError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        for (name, content) in [
            (SENSITIVE_FILE, DEFAULT_SENSITIVE),
            (EXPRESSIONS_FILE, DEFAULT_EXPRESSIONS),
        ] {
            let path = dir.join(name);
            // create_new so two nodes starting together never overwrite an editor's file.
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => io::Write::write_all(&mut f, content.as_bytes())
                    .map_err(|source| DictError::Io { path, source })?,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(source) => return Err(DictError::Io { path, source }),
            }
        }
        Ok(())
    }

    /// Reads both files from `dir`.
    pub fn load(dir: &Path) -> Result<Dictionaries, DictError> {
        let sp = dir.join(SENSITIVE_FILE);
        let ep = dir.join(EXPRESSIONS_FILE);
        Ok(Dictionaries {
            sensitive: parse_sensitive(&read(&sp)?, &sp)?,
            expressions: parse_expressions(&read(&ep)?, &ep)?,
        })
    }

    /// Parses both dictionaries from their texts (as stored in the database).
    pub fn parse(sensitive: &str, expressions: &str) -> Result<Dictionaries, DictError> {
        Ok(Dictionaries {
            sensitive: parse_sensitive(sensitive, Path::new(SENSITIVE_FILE))?,
            expressions: parse_expressions(expressions, Path::new(EXPRESSIONS_FILE))?,
        })
    }

    /// The built-in starter set, as written by [`Dictionaries::ensure_defaults`].
    pub fn defaults() -> Dictionaries {
        // The starter files are part of this crate and covered by a test, so they always parse.
        Dictionaries {
            sensitive: parse_sensitive(DEFAULT_SENSITIVE, Path::new(SENSITIVE_FILE))
                .unwrap_or_default(),
            expressions: parse_expressions(DEFAULT_EXPRESSIONS, Path::new(EXPRESSIONS_FILE))
                .unwrap_or_default(),
        }
    }
}

fn read(path: &Path) -> Result<String, DictError> {
    fs::read_to_string(path).map_err(|source| DictError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Lines that carry an entry, numbered from 1, split into trimmed fields.
fn entries(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let line = line.trim_start_matches('\u{feff}').trim_end();
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            return None;
        }
        Some((i + 1, line.split('\t').map(str::trim).collect()))
    })
}

fn line_error(path: &Path, line: usize, message: impl Into<String>) -> DictError {
    DictError::Line {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

fn note_of(fields: &[&str], i: usize) -> Option<String> {
    fields
        .get(i)
        .filter(|s| !s.is_empty())
        .map(|s| (*s).to_string())
}

/// A word typed with spaces instead of a tab before its second field would silently become a
/// different entry; catching the common case saves an editor a confusing miss.
fn looks_space_separated(word: &str, keywords: &[&str]) -> bool {
    word.rsplit_once(char::is_whitespace)
        .is_some_and(|(_, last)| keywords.contains(&last.to_ascii_lowercase().as_str()))
}

/// The longest word or expression an entry may hold: longer is a pasted paragraph, not a term.
pub const MAX_WORD_CHARS: usize = 100;

fn check_word(path: &Path, line: usize, word: &str, what: &str) -> Result<(), DictError> {
    if word.is_empty() {
        return Err(line_error(path, line, format!("{what}为空")));
    }
    if word.chars().count() > MAX_WORD_CHARS {
        return Err(line_error(
            path,
            line,
            format!("{what}过长（最多 {MAX_WORD_CHARS} 个字符）"),
        ));
    }
    if normalize(word).text.trim().is_empty() {
        return Err(line_error(
            path,
            line,
            format!("{what} {word:?} 没有可见字符"),
        ));
    }
    Ok(())
}

pub(crate) fn parse_sensitive(text: &str, path: &Path) -> Result<Vec<SensitiveEntry>, DictError> {
    let mut out = Vec::new();
    for (line, fields) in entries(text) {
        if fields.len() > 3 {
            return Err(line_error(
                path,
                line,
                "字段过多：应为 词语<TAB>block|warn|allow[<TAB>说明]",
            ));
        }
        let word = fields[0];
        check_word(path, line, word, "词语")?;
        let action = match fields.get(1).map(|s| s.to_ascii_lowercase()) {
            None => {
                if looks_space_separated(word, &["block", "warn", "allow"]) {
                    return Err(line_error(
                        path,
                        line,
                        "词语与级别之间请用 Tab 分隔，不要用空格",
                    ));
                }
                SensitiveAction::Report(Severity::Warn)
            }
            Some(s) => match s.as_str() {
                "block" => SensitiveAction::Report(Severity::Block),
                "warn" | "" => SensitiveAction::Report(Severity::Warn),
                "allow" => SensitiveAction::Allow,
                other => {
                    return Err(line_error(
                        path,
                        line,
                        format!("级别应为 block、warn 或 allow，不能是 {other:?}"),
                    ));
                }
            },
        };
        out.push(SensitiveEntry {
            word: word.to_string(),
            action,
            note: note_of(&fields, 2),
        });
    }
    Ok(out)
}

pub(crate) fn parse_expressions(
    text: &str,
    path: &Path,
) -> Result<Vec<ExpressionEntry>, DictError> {
    let mut out = Vec::new();
    for (line, fields) in entries(text) {
        if fields.len() > 3 {
            return Err(line_error(
                path,
                line,
                "字段过多：应为 错误写法<TAB>规范写法[<TAB>说明]",
            ));
        }
        let wrong = fields[0];
        check_word(path, line, wrong, "错误写法")?;
        let right = match fields.get(1) {
            None | Some(&"") => {
                return Err(line_error(
                    path,
                    line,
                    "缺少规范写法：应为 错误写法<TAB>规范写法[<TAB>说明]（标记正确写法时写作 写法<TAB>=）",
                ));
            }
            Some(&"=") => None,
            Some(r) => {
                if normalize(r).text == normalize(wrong).text {
                    return Err(line_error(
                        path,
                        line,
                        format!(
                            "{wrong:?} 的规范写法就是它本身；要标记正确写法，请写作 {wrong:?}<TAB>="
                        ),
                    ));
                }
                Some((*r).to_string())
            }
        };
        out.push(ExpressionEntry {
            wrong: wrong.to_string(),
            right,
            note: note_of(&fields, 2),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_files_parse_and_are_not_empty() {
        let p = Path::new("x");
        let s = parse_sensitive(DEFAULT_SENSITIVE, p).expect("sensitive defaults");
        let e = parse_expressions(DEFAULT_EXPRESSIONS, p).expect("expression defaults");
        assert!(s.len() >= 10);
        assert!(e.len() >= 20);
        assert!(
            e.iter()
                .any(|x| x.wrong == "其它" && x.right.as_deref() == Some("其他"))
        );
        assert!(DEFAULT_SENSITIVE.starts_with("# "));
        assert!(DEFAULT_EXPRESSIONS.contains("wrong<TAB>right"));
    }

    #[test]
    fn sensitive_formats() {
        let p = Path::new("sensitive.txt");
        let s = parse_sensitive(
            "\u{feff}# c\n\n  \n甲\n乙\tblock\n丙\tWARN\t说明 # 不是注释\n丁\tallow\n",
            p,
        )
        .expect("parses");
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].action, SensitiveAction::Report(Severity::Warn));
        assert_eq!(s[1].action, SensitiveAction::Report(Severity::Block));
        assert_eq!(s[2].note.as_deref(), Some("说明 # 不是注释"));
        assert_eq!(s[3].action, SensitiveAction::Allow);
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let p = Path::new("d/sensitive.txt");
        let e = parse_sensitive("# c\n甲\n乙\tblok\n", p).expect_err("bad severity");
        assert_eq!(
            e.to_string(),
            "d/sensitive.txt:3: 级别应为 block、warn 或 allow，不能是 \"blok\""
        );
        let e = parse_sensitive("甲 block\n", p).expect_err("spaces");
        assert!(
            e.to_string()
                .starts_with("d/sensitive.txt:1: 词语与级别之间请用 Tab 分隔")
        );
        let e = parse_sensitive("\u{200b}\twarn\n", p).expect_err("invisible");
        assert!(e.to_string().contains(":1: 词语"));

        let p = Path::new("expressions.txt");
        let e = parse_expressions("其它\n", p).expect_err("no right");
        assert!(e.to_string().starts_with("expressions.txt:1: 缺少规范写法"));
        let e = parse_expressions("ok\tright\n其它\t其它\n", p).expect_err("same");
        assert!(e.to_string().starts_with("expressions.txt:2: "));
        let e = parse_expressions("a\tb\tc\td\n", p).expect_err("fields");
        assert!(e.to_string().contains("字段过多"));
    }

    #[test]
    fn each_dictionary_has_one_name_and_one_file() {
        assert_eq!(DictionaryKind::Sensitive.name(), "sensitive");
        assert_eq!(DictionaryKind::Expressions.name(), "expressions");
        assert_eq!(DictionaryKind::Sensitive.file_name(), "sensitive.txt");
        assert_eq!(DictionaryKind::Expressions.file_name(), "expressions.txt");
        for kind in DictionaryKind::ALL {
            assert_eq!(DictionaryKind::parse(kind.name()), Some(kind));
        }
        for unknown in ["", "Sensitive", "sensitive.txt", "words", "敏感词"] {
            assert_eq!(DictionaryKind::parse(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn validation_counts_entries_and_names_the_file_of_a_bad_line() {
        let sensitive = "# 不文明用语\n脑残\twarn\n智障\twarn\t歧视性用语\n傻逼\tblock\n";
        assert_eq!(DictionaryKind::Sensitive.validate(sensitive).ok(), Some(3));
        let expressions = "其它\t其他\n做为\t作为\n";
        assert_eq!(
            DictionaryKind::Expressions.validate(expressions).ok(),
            Some(2)
        );
        assert_eq!(DictionaryKind::Expressions.validate("").ok(), Some(0));
        let e = DictionaryKind::Sensitive
            .validate("脑残\twarn\n智障\tban\n")
            .expect_err("bad severity");
        assert!(e.to_string().starts_with("sensitive.txt:2: "), "{e}");
        let e = DictionaryKind::Expressions
            .validate("其它\t其他\n截止到\n")
            .expect_err("no right form");
        assert!(
            e.to_string().starts_with("expressions.txt:2: 缺少规范写法"),
            "{e}"
        );
    }

    #[test]
    fn a_word_may_hold_up_to_a_hundred_characters() {
        let p = Path::new("sensitive.txt");
        let longest = "为人民服务".repeat(MAX_WORD_CHARS / 5);
        assert_eq!(longest.chars().count(), MAX_WORD_CHARS);
        let s = parse_sensitive(&format!("{longest}\tblock\n"), p).expect("100 chars");
        assert_eq!(s[0].word, longest);
        let e = parse_sensitive(&format!("{longest}！\tblock\n"), p).expect_err("101 chars");
        assert_eq!(
            e.to_string(),
            "sensitive.txt:1: 词语过长（最多 100 个字符）"
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_folder_the_starter_files_cannot_be_written_into_is_an_error() {
        // Only a file that is already there is left alone quietly; any other failure must stop
        // the start-up and name the file, not leave the node without dictionaries. Here the
        // folder can be made but the file's path is longer than Linux allows (4096 bytes).
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut dir = tmp.path().to_path_buf();
        // Folder: 4088 bytes, under the limit; file: 4088 + "/sensitive.txt", over it.
        while dir.as_os_str().len() + 201 < 4088 {
            dir.push("a".repeat(200));
        }
        dir.push("a".repeat(4088 - 1 - dir.as_os_str().len()));
        assert_eq!(dir.as_os_str().len(), 4088);
        let e = Dictionaries::ensure_defaults(&dir).expect_err("path too long");
        let file = dir.join(SENSITIVE_FILE);
        assert!(
            e.to_string().starts_with(&file.display().to_string()),
            "{e}"
        );
    }

    #[test]
    fn ensure_defaults_keeps_existing_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().join("dictionaries");
        fs::create_dir_all(&d).expect("mkdir");
        fs::write(d.join(SENSITIVE_FILE), "mine\tblock\n").expect("write");
        Dictionaries::ensure_defaults(&d).expect("defaults");
        assert_eq!(
            fs::read_to_string(d.join(SENSITIVE_FILE)).expect("read"),
            "mine\tblock\n"
        );
        assert_eq!(
            fs::read_to_string(d.join(EXPRESSIONS_FILE)).expect("read"),
            DEFAULT_EXPRESSIONS
        );
        let loaded = Dictionaries::load(&d).expect("load");
        assert_eq!(loaded.sensitive.len(), 1);
        assert_eq!(loaded.expressions, Dictionaries::defaults().expressions);
    }
}
