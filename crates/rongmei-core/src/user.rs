//! Newsroom accounts and the roles that decide what each may do.

use serde::{Deserialize, Serialize};

/// A newsroom role. A user holds one or more; the workflow asks which stage each may pass.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 记者: writes and submits.
    Reporter,
    /// 初审 (first review).
    Reviewer1,
    /// 复审 (second review).
    Reviewer2,
    /// 终审 (final review), publishes, schedules and retracts.
    Chief,
    /// Manages accounts and reads the audit log; passes no review stage.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Reporter,
        Role::Reviewer1,
        Role::Reviewer2,
        Role::Chief,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reporter => "reporter",
            Role::Reviewer1 => "reviewer1",
            Role::Reviewer2 => "reviewer2",
            Role::Chief => "chief",
            Role::Admin => "admin",
        }
    }

    /// The name a Chinese newsroom uses for the role.
    pub fn label(self) -> &'static str {
        match self {
            Role::Reporter => "记者",
            Role::Reviewer1 => "初审",
            Role::Reviewer2 => "复审",
            Role::Chief => "终审",
            Role::Admin => "管理员",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s) || r.label() == s)
    }

    /// Reads a comma-separated role list (`reviewer1,reviewer2`), sorted and without repeats.
    pub fn parse_list(s: &str) -> Result<Vec<Role>, String> {
        let mut roles = Vec::new();
        for part in s.split([',', ' ', '，']).filter(|p| !p.trim().is_empty()) {
            let role = Role::parse(part).ok_or_else(|| {
                format!(
                    "未知角色 {:?}（可选：记者 reporter、初审 reviewer1、复审 reviewer2、终审 chief、管理员 admin）",
                    part.trim()
                )
            })?;
            roles.push(role);
        }
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            return Err("至少选择一个角色".into());
        }
        Ok(roles)
    }

    pub fn join(roles: &[Role]) -> String {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A newsroom account as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    pub fn roles_label(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Logins are short ASCII names, so they are safe in URLs, logs and audit lines.
/// Longest display name: it shows in bylines, lists and audit lines.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest login; longer input cannot name an account and is refused before the database.
pub const MAX_LOGIN_CHARS: usize = 32;
/// Longest password accepted (a passphrase fits; the hash's cost stays bounded).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The one spelling of a login: logins are ASCII and compared without case, so `REPORTER`
/// and `reporter` are the same account.
pub fn normalize_login(login: &str) -> String {
    login.trim().to_ascii_lowercase()
}

/// Display names: trimmed, not empty, at most [`MAX_NAME_CHARS`] characters.
pub fn validate_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if n == 0 {
        return Err("姓名不能为空".into());
    }
    if n > MAX_NAME_CHARS {
        return Err(format!("姓名最多 {MAX_NAME_CHARS} 个字符"));
    }
    Ok(())
}

pub fn validate_login(login: &str) -> Result<(), String> {
    let n = login.chars().count();
    if !(2..=MAX_LOGIN_CHARS).contains(&n) {
        return Err(format!("登录名须为 2 到 {MAX_LOGIN_CHARS} 个字符"));
    }
    if !login
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err("登录名只能包含英文字母、数字和 _ - .".into());
    }
    Ok(())
}

/// Passwords are checked for length only: long passphrases beat composition rules.
pub fn validate_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 8 {
        return Err("密码至少 8 个字符".into());
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!("密码最多 {MAX_PASSWORD_CHARS} 个字符"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_name_and_label() {
        assert_eq!(Role::parse("reviewer1"), Some(Role::Reviewer1));
        assert_eq!(Role::parse("终审"), Some(Role::Chief));
        assert_eq!(Role::parse("editor"), None);
        assert_eq!(
            Role::parse_list("reviewer2, reviewer1,reviewer1"),
            Ok(vec![Role::Reviewer1, Role::Reviewer2])
        );
        assert!(Role::parse_list("").is_err());
        assert!(Role::parse_list("boss").is_err());
    }

    #[test]
    fn logins_and_passwords_are_validated() {
        assert!(validate_login("reporter.zhang").is_ok());
        assert!(validate_login("a").is_err());
        assert!(validate_login("张三").is_err());
        assert_eq!(normalize_login("  Reporter.Zhang "), "reporter.zhang");
        assert!(validate_name("张三").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name(&"长".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(validate_password("short").is_err());
        assert!(validate_password("correct horse").is_ok());
    }

    #[test]
    fn every_limit_holds_exactly_at_its_edge() {
        assert!(validate_name(&"长".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(validate_login(&"a".repeat(MAX_LOGIN_CHARS)).is_ok());
        assert!(validate_login(&"a".repeat(MAX_LOGIN_CHARS + 1)).is_err());
        assert!(validate_login("ab").is_ok());
        assert!(validate_password(&"密".repeat(7)).is_err());
        assert!(validate_password(&"密".repeat(8)).is_ok());
        assert!(validate_password(&"密".repeat(MAX_PASSWORD_CHARS)).is_ok());
        assert!(validate_password(&"密".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }

    #[test]
    fn roles_are_written_and_shown_in_one_order() {
        let roles = Role::parse_list("chief,reviewer1").expect("roles");
        assert_eq!(Role::join(&roles), "reviewer1,chief");
        assert_eq!(Role::parse_list(&Role::join(&roles)), Ok(roles.clone()));
        let u = User {
            id: 1,
            login: "u".into(),
            name: "U".into(),
            roles,
            disabled: false,
        };
        assert_eq!(u.roles_label(), "初审、终审");
    }
}
