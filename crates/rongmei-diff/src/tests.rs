use super::*;

#[test]
fn tokens_keep_words_punctuation_spaces_and_ascii_runs() {
    let t = tokenize("将“其它”改为“其他” COVID-19 2024年 hello  world");
    assert!(t.contains(&"其它") && t.contains(&"其他") && t.contains(&"改为"));
    assert!(t.contains(&"“") && t.contains(&"”"));
    assert!(t.contains(&"COVID") && t.contains(&"19") && t.contains(&"2024"));
    assert!(t.contains(&"hello") && t.contains(&"world"));
    assert!(t.iter().any(|w| w.chars().all(char::is_whitespace)));
    // Nothing is lost or reordered.
    assert_eq!(
        t.concat(),
        "将“其它”改为“其他” COVID-19 2024年 hello  world"
    );
}

#[test]
fn a_one_word_edit_marks_only_that_word() {
    let old = "学校党委宣传部和其它部门联合举办了这次活动，吸引了全校师生参加。";
    let new = "学校党委宣传部和其他部门联合举办了这次活动，吸引了全校师生参加。";
    let s = side_by_side(old, new);
    assert_eq!(s.rows.len(), 1);
    let row = &s.rows[0];
    assert_eq!(row.change, RowChange::Changed);
    assert_eq!(
        row.left.as_deref(),
        Some("学校党委宣传部和<del>其它</del>部门联合举办了这次活动，吸引了全校师生参加。")
    );
    assert_eq!(
        row.right.as_deref(),
        Some("学校党委宣传部和<ins>其他</ins>部门联合举办了这次活动，吸引了全校师生参加。")
    );
    assert_eq!(
        inline_html(old, new),
        "学校党委宣传部和<del>其它</del><ins>其他</ins>部门联合举办了这次活动，吸引了全校师生参加。"
    );
    assert_eq!(stats(old, new), (1, 1));
}

#[test]
fn an_added_paragraph_is_one_added_row() {
    let old = "第一段。\n第二段讲了学校的发展。\n第三段。";
    let new = "第一段。\n第二段讲了学校的发展。\n新加的一段，介绍获奖情况。\n第三段。";
    let s = side_by_side(old, new);
    let changes: Vec<RowChange> = s.rows.iter().map(|r| r.change).collect();
    assert_eq!(
        changes,
        [
            RowChange::Same,
            RowChange::Same,
            RowChange::Added,
            RowChange::Same
        ]
    );
    assert_eq!(s.rows[2].left, None);
    assert_eq!(
        s.rows[2].right.as_deref(),
        Some("<ins>新加的一段，介绍获奖情况。</ins>")
    );
    let (added, removed) = stats(old, new);
    assert!(added > 0);
    assert_eq!(removed, 0);
}

#[test]
fn an_edit_next_to_an_insertion_pairs_with_its_own_old_paragraph() {
    let old = "开头。\n今年共有三千名新生报到，其它学院也在准备。\n结尾。";
    let new = "开头。\n全新的一段说明。\n今年共有三千名新生报到，其他学院也在准备。\n结尾。";
    let s = side_by_side(old, new);
    let changes: Vec<RowChange> = s.rows.iter().map(|r| r.change).collect();
    assert_eq!(
        changes,
        [
            RowChange::Same,
            RowChange::Added,
            RowChange::Changed,
            RowChange::Same
        ]
    );
    assert!(
        s.rows[2]
            .left
            .as_deref()
            .is_some_and(|l| l.contains("<del>其它</del>"))
    );
}

#[test]
fn rewritten_paragraphs_are_removed_and_added() {
    let s = side_by_side("完全不同的旧内容", "另外一段新写的文字");
    let changes: Vec<RowChange> = s.rows.iter().map(|r| r.change).collect();
    assert_eq!(changes, [RowChange::Removed, RowChange::Added]);
}

#[test]
fn identical_inputs_give_only_same_rows() {
    let text = "标题<b>\n第一段，其它。\n\n第三段 & more";
    let s = side_by_side(text, text);
    assert_eq!(s.rows.len(), 4);
    assert!(s.is_unchanged());
    assert_eq!(s.rows[0].left.as_deref(), Some("标题&lt;b&gt;"));
    assert_eq!(s.rows[0].left, s.rows[0].right);
    assert_eq!(stats(text, text), (0, 0));
    assert_eq!(inline_html(text, text), escape_html(text));
    assert!(side_by_side("", "").rows.is_empty());
}

#[test]
fn everything_is_escaped() {
    let old = "标题<script>alert(1)</script>";
    let new = "标题<script>alert(2)</script>\"'&";
    for html in [
        inline_html(old, new),
        inline_html("", new),
        inline_html(old, ""),
        side_by_side(old, new)
            .rows
            .iter()
            .flat_map(|r| [r.left.clone(), r.right.clone()])
            .flatten()
            .collect::<Vec<_>>()
            .join("\n"),
    ] {
        let without_marks = html
            .replace("<del>", "")
            .replace("</del>", "")
            .replace("<ins>", "")
            .replace("</ins>", "");
        assert!(!without_marks.contains('<'), "{html}");
        assert!(!without_marks.contains('>'), "{html}");
        assert!(!without_marks.contains('"'), "{html}");
        assert!(!without_marks.contains('\''), "{html}");
        assert!(
            !without_marks
                .replace("&lt;", "")
                .replace("&gt;", "")
                .replace("&amp;", "")
                .replace("&quot;", "")
                .replace("&#39;", "")
                .contains('&'),
            "{html}"
        );
    }
    let s = side_by_side(old, new);
    assert_eq!(s.rows[0].change, RowChange::Changed);
    assert!(
        s.rows[0]
            .left
            .as_deref()
            .is_some_and(|l| l.contains("&lt;script&gt;"))
    );
}

#[test]
fn titles_diff_on_one_line() {
    let html = inline_html(
        "【学术】我校召开2024年学术会议",
        "【学术】我校举办2025年学术会议",
    );
    assert_eq!(
        html,
        "【学术】我校<del>召开2024</del><ins>举办2025</ins>年学术会议"
    );
}

#[test]
fn removed_paragraph_and_serialisation() {
    let s = side_by_side("甲。\n乙段落。", "甲。");
    assert_eq!(s.rows[1].change, RowChange::Removed);
    assert_eq!(s.rows[1].left.as_deref(), Some("<del>乙段落。</del>"));
    let json = serde_json::to_value(&s).expect("json");
    assert_eq!(json["rows"][1]["change"], "removed");
    assert_eq!(json["rows"][1]["right"], serde_json::Value::Null);
}
