//! Who is acting: a signed-in newsroom member, or the machine itself (the command line, the
//! scheduler). Every use case takes one and decides from it; no adapter can skip the check.

use rongmei_core::{Role, User};

use crate::error::AppError;

#[derive(Debug, Clone)]
pub enum Who {
    User(User),
    /// The operator at the command line or a background task of the server, named in audit lines.
    System(&'static str),
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub who: Who,
    /// The client address, for the audit log (`local` for the machine itself).
    pub ip: String,
}

impl Actor {
    pub fn user(user: User, ip: impl Into<String>) -> Actor {
        Actor {
            who: Who::User(user),
            ip: ip.into(),
        }
    }

    /// The command line: it runs with the data folder's owner's rights, so it may add accounts.
    pub fn command_line() -> Actor {
        Actor {
            who: Who::System("cli"),
            ip: "local".into(),
        }
    }

    /// The signed-in member, or a refusal for the machine (articles are written by people).
    pub fn member(&self) -> Result<&User, AppError> {
        match &self.who {
            Who::User(u) if u.disabled => Err(AppError::Forbidden("此账号已停用".into())),
            Who::User(u) => Ok(u),
            Who::System(_) => Err(AppError::Forbidden(
                "this needs a newsroom member, not the system".into(),
            )),
        }
    }

    /// The member, when a person acts.
    pub fn as_user(&self) -> Option<&User> {
        match &self.who {
            Who::User(u) => Some(u),
            Who::System(_) => None,
        }
    }

    /// The name in audit lines.
    pub fn login(&self) -> &str {
        match &self.who {
            Who::User(u) => &u.login,
            Who::System(name) => name,
        }
    }

    /// The machine may do anything an admin may; a person needs one of the roles.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), AppError> {
        match &self.who {
            Who::System(_) => Ok(()),
            Who::User(u) if roles.iter().any(|r| u.has(*r)) && !u.disabled => Ok(()),
            Who::User(_) => Err(AppError::Forbidden(format!(
                "this needs one of the roles: {}",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Admins and chiefs see the whole audit log.
    pub fn sees_all_audit(&self) -> bool {
        self.require_any(&[Role::Admin, Role::Chief]).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role]) -> User {
        User {
            id: 7,
            login: "wang".into(),
            name: "王".into(),
            roles: roles.to_vec(),
            disabled: false,
        }
    }

    #[test]
    fn roles_are_checked_for_people_not_for_the_machine() {
        let reporter = Actor::user(user(&[Role::Reporter]), "10.0.0.1");
        assert!(matches!(
            reporter.require_any(&[Role::Admin]),
            Err(AppError::Forbidden(_))
        ));
        assert!(reporter.require_any(&[Role::Reporter]).is_ok());
        assert!(Actor::command_line().require_any(&[Role::Admin]).is_ok());
        assert!(Actor::command_line().member().is_err());
    }
}
