//! Accounts, database-backed sessions and login failures.
//!
//! Sessions and failures live in the database rather than in a node's memory so that any node
//! serves any session and a lockout holds whichever node an attacker reaches.

use chrono::{DateTime, Utc};
use rongmei_core::{Role, User};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::articles::millis;
use crate::db::{Result, Store, StoreError, now_millis};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub password_hash: String,
}

/// An account as the user-management page lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserRecord {
    #[serde(flatten)]
    pub user: User,
    pub created_at: DateTime<Utc>,
}

/// A live session: who it belongs to and the CSRF token its forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
}

const USER_COLUMNS: &str = "id, login, name, roles, disabled";

fn user_from_row(row: &AnyRow) -> Result<User> {
    let id: i64 = row.try_get("id")?;
    let roles: String = row.try_get("roles")?;
    let roles = Role::parse_list(&roles)
        .map_err(|e| StoreError::Corrupt(format!("user {id}: roles: {e}")))?;
    let disabled: i64 = row.try_get("disabled")?;
    Ok(User {
        id,
        login: row.try_get("login")?,
        name: row.try_get("name")?,
        roles,
        disabled: disabled != 0,
    })
}

/// Recent failed sign-ins around one attempt (see [`Store::sign_in_failures`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignInFailures {
    /// For this login from this address.
    pub pair: i64,
    /// When the latest of those was, in Unix milliseconds.
    pub pair_last_ms: Option<i64>,
    /// From this address, for any login.
    pub address: i64,
    /// For this login, from any address.
    pub login: i64,
}

/// A login under attack: its failed sign-ins in the window and from how many addresses.
#[derive(Debug, Clone, Serialize)]
pub struct AttackedLogin {
    pub login: String,
    pub failures: i64,
    pub addresses: i64,
    pub last_at: DateTime<Utc>,
}

impl Store {
    /// Creates an account; a login that exists already is a conflict.
    pub async fn create_user(&self, u: &NewUser) -> Result<User> {
        let now = now_millis();
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE lower(login) = lower($1)")
                .bind(&u.login)
                .fetch_optional(&self.pool)
                .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "登录名 {:?} 已被使用",
                u.login
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (login, name, password_hash, roles, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id",
        )
        .bind(&u.login)
        .bind(&u.name)
        .bind(&u.password_hash)
        .bind(Role::join(&u.roles))
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match e {
            // Two nodes adding the same login at once: the unique index decides.
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(format!(
                "登录名 {:?} 已被使用",
                u.login
            )),
            e => StoreError::Db(e),
        })?;
        Ok(User {
            id,
            login: u.login.clone(),
            name: u.name.clone(),
            roles: u.roles.clone(),
            disabled: false,
        })
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// The account and its password hash, for a login attempt.
    pub async fn user_for_login(&self, login: &str) -> Result<Option<(User, String)>> {
        // Logins are compared without case (`REPORTER` is `reporter`); accounts made before
        // logins were stored in lower case are found too.
        let sql = format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE lower(login) = lower($1) ORDER BY id LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(login)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some((user_from_row(&row)?, row.try_get("password_hash")?))),
            None => Ok(None),
        }
    }

    pub async fn password_hash(&self, user_id: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn list_users(&self) -> Result<Vec<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS}, created_at FROM users ORDER BY login");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(UserRecord {
                    user: user_from_row(row)?,
                    created_at: crate::articles::millis(row.try_get("created_at")?),
                })
            })
            .collect()
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn set_user_roles(&self, id: i64, roles: &[Role]) -> Result<bool> {
        let n = sqlx::query("UPDATE users SET roles = $1, updated_at = $2 WHERE id = $3")
            .bind(Role::join(roles))
            .bind(now_millis())
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// Disabling an account also ends its sessions.
    pub async fn set_user_disabled(&self, id: i64, disabled: bool) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(disabled))
            .bind(now_millis())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    /// A new password ends every other session of the account.
    pub async fn set_password_hash(
        &self,
        id: i64,
        hash: &str,
        keep_session: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now_millis())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(n > 0)
    }

    pub async fn create_session(
        &self,
        user_id: i64,
        token_hash: &str,
        csrf_token: &str,
        ttl_ms: i64,
        ip: &str,
        user_agent: &str,
    ) -> Result<()> {
        let now = now_millis();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(now + ttl_ms)
        .bind(ip)
        .bind(user_agent.chars().take(300).collect::<String>())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session behind a token hash, if it is live and its account enabled.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, u.login, u.name, u.roles, u.disabled, s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_millis())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from_row(&row)?;
        if user.disabled {
            return Ok(None);
        }
        Ok(Some(Session {
            user,
            csrf_token: row.try_get("csrf_token")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn record_login_failure(&self, login: &str, ip: &str) -> Result<()> {
        sqlx::query("INSERT INTO login_failures (login, ip, at) VALUES ($1, $2, $3)")
            .bind(login)
            .bind(ip)
            .bind(now_millis())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failed sign-ins since `since_ms` that bear on one attempt: for the login from this
    /// address, from this address for any login, and for the login from anywhere.
    pub async fn sign_in_failures(
        &self,
        login: &str,
        ip: &str,
        since_ms: i64,
    ) -> Result<SignInFailures> {
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM login_failures WHERE login = $1 AND ip = $2 AND at > $3) AS pair, \
               (SELECT MAX(at) FROM login_failures WHERE login = $1 AND ip = $2 AND at > $3) AS pair_last, \
               (SELECT COUNT(*) FROM login_failures WHERE ip = $2 AND at > $3) AS address, \
               (SELECT COUNT(*) FROM login_failures WHERE login = $1 AND at > $3) AS login",
        )
        .bind(login)
        .bind(ip)
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(SignInFailures {
            pair: row.try_get("pair")?,
            pair_last_ms: row.try_get("pair_last")?,
            address: row.try_get("address")?,
            login: row.try_get("login")?,
        })
    }

    /// A successful sign-in forgets this address's failures for the login; failures from other
    /// addresses stay (they are someone else's attempts).
    pub async fn clear_login_failures(&self, login: &str, ip: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE login = $1 AND ip = $2")
            .bind(login)
            .bind(ip)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Logins with at least `min_failures` failed sign-ins since `since_ms`, most attacked first:
    /// what admins see of attacks on accounts.
    pub async fn attacked_logins(
        &self,
        since_ms: i64,
        min_failures: i64,
    ) -> Result<Vec<AttackedLogin>> {
        let rows = sqlx::query(
            "SELECT login, COUNT(*) AS failures, COUNT(DISTINCT ip) AS addresses, MAX(at) AS last_at \
             FROM login_failures WHERE at > $1 GROUP BY login HAVING COUNT(*) >= $2 \
             ORDER BY COUNT(*) DESC, login LIMIT 50",
        )
        .bind(since_ms)
        .bind(min_failures)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AttackedLogin {
                    login: r.try_get("login")?,
                    failures: r.try_get("failures")?,
                    addresses: r.try_get("addresses")?,
                    last_at: millis(r.try_get("last_at")?),
                })
            })
            .collect()
    }

    /// Drops expired sessions and failures older than `failures_before_ms`.
    pub async fn prune_auth(&self, failures_before_ms: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now_millis())
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(failures_before_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
