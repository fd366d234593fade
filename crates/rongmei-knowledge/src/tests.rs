use std::sync::OnceLock;

use super::*;

/// Building an extractor loads jieba's dictionary; the tests share one.
fn ex() -> &'static Extractor {
    static EX: OnceLock<Extractor> = OnceLock::new();
    EX.get_or_init(|| Extractor::new(Known::default()))
}

fn extract_with(ex: &Extractor, title: &str, body: &str, year: i32) -> Found {
    ex.extract(&ArticleText {
        title,
        body,
        published: NaiveDate::from_ymd_opt(year, 6, 1),
    })
}

fn article(body: &str) -> Found {
    extract_with(ex(), "", body, 2023)
}

fn person<'a>(f: &'a Found, name: &str) -> Option<&'a FoundPerson> {
    f.people.iter().find(|p| p.name == name)
}

fn names(list: &[FoundName]) -> Vec<&str> {
    list.iter().map(|n| n.name.as_str()).collect()
}

#[test]
fn role_chain_before_a_name() {
    let f = article(
        "西工大党委副书记、党委宣传部部长杨晓，西安交大党委常委、党委宣传部部长成进及两支部党员参加活动。会议由成进主持。",
    );
    assert_eq!(
        person(&f, "杨晓").map(|p| p.roles.clone()),
        Some(vec![
            "西工大党委副书记".to_string(),
            "党委宣传部部长".to_string()
        ])
    );
    assert_eq!(
        person(&f, "成进").map(|p| p.roles.clone()),
        Some(vec![
            "西安交大党委常委".to_string(),
            "党委宣传部部长".to_string()
        ])
    );
    assert!(names(&f.organizations).contains(&"西工大党委"));
    assert!(names(&f.organizations).contains(&"西安交大党委"));
}

#[test]
fn titles_after_names_and_concurrent_roles() {
    let f = article(
        "叶青教授首先介绍了情况。金融学院院长宋清华、党委书记江克宁、党委副书记兼工会主席吉群等前往竹苑小区。",
    );
    assert_eq!(
        person(&f, "叶青").map(|p| p.roles.clone()),
        Some(vec!["教授".into()])
    );
    assert_eq!(
        person(&f, "吉群").map(|p| p.roles.clone()),
        Some(vec!["党委副书记".to_string(), "工会主席".to_string()])
    );
    assert_eq!(
        person(&f, "宋清华").map(|p| p.roles.clone()),
        Some(vec!["金融学院院长".to_string()])
    );
    assert!(names(&f.places).contains(&"竹苑小区"));
}

#[test]
fn bylines_and_datelines() {
    let f = article(
        "新闻网讯（学生记者 龙德君 张萍 学生通讯员 胡念竹）3月20日晚，报告会举行。\n（供稿：招生办公室 撰稿：秦璐 审核：贾彦彬 编辑：周南）",
    );
    for (name, role) in [
        ("龙德君", "学生记者"),
        ("张萍", "学生记者"),
        ("胡念竹", "学生通讯员"),
        ("秦璐", "撰稿"),
        ("贾彦彬", "审核"),
        ("周南", "编辑"),
    ] {
        assert_eq!(
            person(&f, name).map(|p| p.roles.clone()),
            Some(vec![role.to_string()]),
            "{name}"
        );
    }
    let f = article("新华社北京5月28日电(盖博铭王奕涵)记者28日获悉。【编辑:苏亦瑜】");
    assert!(person(&f, "盖博铭").is_some() && person(&f, "王奕涵").is_some());
    assert_eq!(
        person(&f, "苏亦瑜").map(|p| p.roles.clone()),
        Some(vec!["编辑".into()])
    );
}

#[test]
fn compound_surnames() {
    let f = article(
        "同济大学党委常委、宣传部部长端木怡雯，西安交大党委常委参加座谈会。端木怡雯表示，要守正创新。",
    );
    let p = person(&f, "端木怡雯").expect("端木怡雯");
    assert_eq!(p.roles, ["同济大学党委常委", "宣传部部长"]);
    assert!(p.evidence.starts_with("同济大学"));
}

#[test]
fn organisation_abbreviations_and_maximal_spans() {
    let f = article(
        "西安交大党委宣传部党支部与西工大党委宣传部党支部开展活动。上海交大党委宣传部一行到交大西迁博物馆参观学习。",
    );
    let orgs = names(&f.organizations);
    for o in [
        "西安交大党委宣传部党支部",
        "西工大党委宣传部党支部",
        "上海交大党委宣传部",
        "交大西迁博物馆",
    ] {
        assert!(orgs.contains(&o), "{o} in {orgs:?}");
    }
    assert!(!orgs.contains(&"党委宣传部党支部"));
}

#[test]
fn exclusions() {
    let f = article(
        "张书记高度重视全校统战工作。深入学习习近平总书记重要讲话和习近平新时代中国特色社会主义思想。黄教授作报告。",
    );
    assert!(person(&f, "张书记").is_none() && person(&f, "黄教授").is_none());
    assert_eq!(
        person(&f, "习近平").map(|p| p.roles.clone()),
        Some(vec!["总书记".to_string()])
    );
    assert!(!names(&f.places).contains(&"中国"));
    let f = article("竹山县张振武小学教师高爱琼作为学员代表发言。");
    assert!(person(&f, "张振武").is_none());
    assert!(person(&f, "高爱琼").is_some());
    let f = article(
        "学习《推进文化自信自强》和“讲中国故事”。从上海迁至西安，创造了中国高教史上的奇迹。",
    );
    assert_eq!(names(&f.places), ["上海", "西安", "中国"]);
}

#[test]
fn lists_of_names_share_a_counted_title() {
    let f = article("在学术研究方面，刘继增、毛磊、袁继成三位教授领衔的研究处于领先地位。");
    for n in ["刘继增", "毛磊", "袁继成"] {
        assert_eq!(
            person(&f, n).map(|p| p.roles.clone()),
            Some(vec!["教授".to_string()]),
            "{n}"
        );
    }
}

#[test]
fn dates_relative_and_day_only() {
    let f = extract_with(
        ex(),
        "",
        "会议同意明年1月12日至14日召开全会。6月20日、21日，报告会召开。",
        2025,
    );
    let dates: Vec<String> = f.dates.iter().map(|d| d.date.to_string()).collect();
    assert_eq!(
        dates,
        ["2026-01-12", "2026-01-14", "2025-06-20", "2025-06-21"]
    );
    assert_eq!(f.dates[0].text, "1月12日至14日");
    let f = extract_with(ex(), "", "2022年6月22日至23日，调研组赴苏州。", 2022);
    assert_eq!(f.dates.len(), 2);
}

#[test]
fn known_names_are_always_found() {
    let known = Known {
        people: vec!["法新".into()],
        organizations: vec!["海尔海创汇".into()],
        places: vec!["创新港".into()],
    };
    let ex = Extractor::new(known);
    let f = extract_with(
        &ex,
        "",
        "新闻网讯（通讯员 法新）海尔海创汇项目对接会在创新港举行。",
        2020,
    );
    assert!(person(&f, "法新").is_some());
    assert_eq!(names(&f.organizations), ["海尔海创汇"]);
    assert_eq!(names(&f.places), ["创新港"]);
}

#[test]
fn lists_are_in_order_of_first_appearance() {
    let f = extract_with(
        ex(),
        "【毕业季】解孝林为化学与化工学院毕业生上最后一课",
        "副校长解孝林为化学与化工学院毕业生上课。习近平总书记指出。",
        2019,
    );
    let people: Vec<&str> = f.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(people, ["解孝林", "习近平"]);
    assert!(f.people[0].evidence.contains("最后一课"));
    assert_eq!(names(&f.organizations), ["化学与化工学院"]);
}

#[test]
fn odd_input_does_not_panic() {
    let long_line = "王".repeat(20_000) + &"，".repeat(5_000) + "张三表示";
    let inputs = [
        "",
        "。。。！！？？，，、、",
        "《《《“““（（（【【",
        "》》》”””）））】】",
        "电(",
        "通讯员 ",
        "撰稿：",
        "5月",
        "31日",
        "2023年13月45日 2023-02-30 99999年1月1日",
        "明年1月至",
        long_line.as_str(),
        "\n\n\n \u{3000}\t",
        "ＡＢＣ１２３ abc 😀 𠀀𠀁",
    ];
    for body in inputs {
        for title in ["", body] {
            let _ = extract_with(ex(), title, body, 2020);
            let _ = ex().extract(&ArticleText {
                title,
                body,
                published: None,
            });
            let _ = ex().jieba_baseline(&ArticleText {
                title,
                body,
                published: None,
            });
        }
    }
}
