use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};

/// A 栏目: columns nest (综合新闻 under 新闻), and each has a URL slug and a Chinese name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub parent_id: Option<i64>,
}

const MAX_SLUG_LEN: usize = 64;

/// A readable ASCII slug from a column name: Chinese in toneless pinyin (综合新闻 → zong-he-xin-wen),
/// Latin letters lowercased, everything else a separator. Falls back to `column` when nothing is left.
pub fn slugify(name: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut word = String::new();
    for (c, py) in name.chars().zip(name.to_pinyin()) {
        if let Some(p) = py {
            if !word.is_empty() {
                parts.push(std::mem::take(&mut word));
            }
            parts.push(p.plain().to_string());
        } else if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !word.is_empty() {
            parts.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        parts.push(word);
    }
    let mut slug = parts.join("-");
    if slug.len() > MAX_SLUG_LEN {
        slug.truncate(MAX_SLUG_LEN);
        slug = slug.trim_end_matches('-').to_string();
    }
    if slug.is_empty() {
        "column".to_string()
    } else {
        slug
    }
}

/// A slug is safe in a URL path segment without escaping.
pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SLUG_LEN * 2
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_pinyin() {
        assert_eq!(slugify("综合新闻"), "zong-he-xin-wen");
        assert_eq!(slugify("新闻联播"), "xin-wen-lian-bo");
        assert_eq!(slugify("IT 资讯 2024"), "it-zi-xun-2024");
        assert_eq!(slugify("！！"), "column");
        assert!(is_valid_slug(&slugify("深圳大学·研究生院")));
    }

    #[test]
    fn latin_words_stay_whole_between_chinese_words() {
        assert_eq!(slugify("AI赋能教育"), "ai-fu-neng-jiao-yu");
        assert_eq!(
            slugify("校园 COVID-19 防控"),
            "xiao-yuan-covid-19-fang-kong"
        );
    }

    #[test]
    fn a_long_name_gives_a_slug_cut_at_64_bytes_on_a_word_boundary() {
        let name = "中国共产党西安交通大学第十四次代表大会隆重开幕暨学习贯彻党的二十大精神";
        let slug = slugify(name);
        assert_eq!(
            slug,
            "zhong-guo-gong-chan-dang-xi-an-jiao-tong-da-xue-di-shi-si-ci-dai"
        );
        assert!(slug.len() <= MAX_SLUG_LEN);
        assert!(is_valid_slug(&slug));
    }

    #[test]
    fn a_valid_slug_is_lower_case_ascii_words_up_to_128_bytes() {
        for ok in [
            "news",
            "2024",
            "zong-he-xin-wen",
            "xue_shu_2024",
            "a",
            &"a".repeat(100),
            &"a".repeat(128),
        ] {
            assert!(is_valid_slug(ok), "{ok}");
        }
        for bad in [
            "",
            "News",
            "综合新闻",
            "xin wen",
            "xin/wen",
            "a.b",
            &"a".repeat(129),
        ] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }
}
