//! OAuth 2.0 with Atlassian, the parts without user interaction: the token store on disk
//! (`store`), the flow's mechanics (PKCE, authorize URL, token grants, accessible sites: `flow`)
//! and the session that keeps one client id's access token fresh under one lock (`session`).
//! The interactive wizard lives in the application layer.

pub mod flow;
pub mod session;
pub mod store;

pub use flow::{AuthorizeRequest, CloudSite, TokenAnswer};
pub use session::{EXPIRY_MARGIN_SECS, OAuthSession};
pub use store::{TokenFile, TokenStore};
