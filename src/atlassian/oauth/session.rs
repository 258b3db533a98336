//! An OAuth session: the tokens of one client id, shared by every product client that uses it,
//! behind one lock. A request asks for the access token; within five minutes of its expiry, or
//! once after the token was refused (401), the lock holder refreshes it while the others wait
//! and then use the new one. So a rotating refresh token (Atlassian issues a new one with each
//! refresh and kills the old) is used exactly once, however many Jira and Confluence calls run
//! at the same time. Before refreshing, the store file is read again: another process using the
//! same store may have refreshed already. A refresh the authorization server refuses becomes
//! [`HttpError::Reauthorize`], whose text says to run the setup wizard again.

use std::fmt;
use std::sync::Mutex;

use super::super::client::Client;
use super::super::error::HttpError;
use super::super::{Credentials, Secret};
use super::flow;
use super::store::{TokenFile, TokenStore, now_secs};

/// Refresh when fewer seconds than this are left (the reference's margin).
pub const EXPIRY_MARGIN_SECS: f64 = 300.0;

/// The tokens of one OAuth client, refreshed under one lock.
pub struct OAuthSession {
    client_id: String,
    client_secret: Secret,
    store: TokenStore,
    /// A client based at the authorization server, for the token endpoint.
    endpoint: Client,
    token_path: String,
    /// The tokens in use; `None` until first read from the store.
    tokens: Mutex<Option<TokenFile>>,
}

impl fmt::Debug for OAuthSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OAuthSession({})", self.client_id)
    }
}

/// Sessions are the same only when they are the same object (one lock per client id).
impl PartialEq for OAuthSession {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}
impl Eq for OAuthSession {}

impl OAuthSession {
    pub fn new(
        client_id: &str,
        client_secret: Secret,
        store: TokenStore,
        endpoint: Client,
        token_path: &str,
    ) -> Self {
        OAuthSession {
            client_id: client_id.to_string(),
            client_secret,
            store,
            endpoint,
            token_path: token_path.to_string(),
            tokens: Mutex::new(None),
        }
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The access token to send, refreshed first when it expires within five minutes.
    pub fn bearer(&self) -> Result<Secret, HttpError> {
        self.token(None)
    }

    /// `used` was refused (401): a token other than it, refreshing unless another caller
    /// already did.
    pub fn rejected(&self, used: &Secret) -> Result<Secret, HttpError> {
        self.token(Some(used.expose()))
    }

    /// The credentials of one request: this session's current token as a bearer token.
    pub fn credentials(&self) -> Result<Credentials, HttpError> {
        self.bearer().map(Credentials::Bearer)
    }

    fn token(&self, refused: Option<&str>) -> Result<Secret, HttpError> {
        let mut held = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let usable = |t: &TokenFile| {
            t.access_token
                .as_deref()
                .is_some_and(|a| Some(a) != refused)
                && t.seconds_left().is_some_and(|s| s > EXPIRY_MARGIN_SECS)
        };
        if let Some(t) = held.as_ref().filter(|t| usable(t)) {
            return Ok(Secret::new(t.access_token.clone().unwrap_or_default()));
        }
        // Another process sharing the store may have refreshed (and rotated) already.
        let path = self.store.path(&self.client_id);
        match self.store.load(&self.client_id) {
            Ok(Some(file)) => {
                let newer = held.as_ref().is_none_or(|t| {
                    t.refresh_token != file.refresh_token || t.access_token != file.access_token
                });
                if newer {
                    *held = Some(file);
                }
            }
            Ok(None) if held.is_none() => {
                return Err(HttpError::Reauthorize {
                    reason: format!(
                        "no OAuth tokens are stored for client id {} ({} does not exist)",
                        self.client_id,
                        path.display()
                    ),
                });
            }
            Ok(None) => {}
            Err(e) => log::warn!("OAuth token store: {e}"),
        }
        let current = held.clone().unwrap_or_default();
        if usable(&current) {
            return Ok(Secret::new(current.access_token.unwrap_or_default()));
        }
        let Some(refresh) = current.refresh_token.clone() else {
            return Err(HttpError::Reauthorize {
                reason: format!(
                    "the access token of client id {} expired and no refresh token is stored \
                     (on Cloud the app needs the offline_access scope)",
                    self.client_id
                ),
            });
        };
        let form = flow::refresh_grant(&self.client_id, self.client_secret.expose(), &refresh);
        let answer = match flow::token_request(&self.endpoint, &self.token_path, form) {
            Ok(a) => a,
            Err(HttpError::Status { status, detail, .. }) if (400..500).contains(&status) => {
                return Err(HttpError::Reauthorize {
                    reason: format!(
                        "the authorization server refused to refresh the token ({status}{}{detail})",
                        if detail.is_empty() { "" } else { ": " }
                    ),
                });
            }
            Err(e) => return Err(e),
        };
        let next = TokenFile {
            access_token: Some(answer.access_token.expose().to_string()),
            // Atlassian rotates refresh tokens; an answer without one keeps the old.
            refresh_token: answer
                .refresh_token
                .map(|r| r.expose().to_string())
                .or(Some(refresh)),
            expires_at: Some(now_secs() + answer.expires_in),
            ..current
        };
        match self.store.save(&self.client_id, &next) {
            Ok(_) => log::info!(
                "refreshed the OAuth access token of client id {}",
                self.client_id
            ),
            Err(e) => log::error!(
                "refreshed the OAuth token of client id {} but could not save it to {}: {e}; \
                 the next start will need the setup wizard if the refresh token rotated",
                self.client_id,
                path.display()
            ),
        }
        *held = Some(next);
        Ok(answer.access_token)
    }
}
