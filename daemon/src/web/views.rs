//! The typed view models of the pages outside the citizen's account (the account's own are
//! in `account/view.rs`): what `daemon/pages/` templates read.

use serde::Serialize;

/// The municipality a page belongs to, as the pages show it.
#[derive(Serialize)]
pub struct TenantRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

impl<'a> TenantRef<'a> {
    pub fn of(t: &'a crate::config::TenantConfig) -> Self {
        TenantRef {
            id: &t.id,
            name: &t.name,
        }
    }
}

/// A page that says one thing (`message.html`): a title, a text, the municipality when
/// known, the page's own address for the language links, and buttons onward.
#[derive(Serialize, Default)]
pub struct Message<'a> {
    pub title: String,
    pub text: String,
    pub tenant: Option<TenantRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub here: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub onward: Vec<Onward>,
}

/// A button onward: where, and what it says.
#[derive(Serialize)]
pub struct Onward {
    pub href: String,
    pub text: String,
}

/// One language offered on every page, named in itself.
#[derive(Serialize)]
pub struct Language {
    pub code: &'static str,
    pub name: String,
}

/// One line of a refused form's error summary: the field it links to and the message.
#[derive(Serialize)]
pub struct ErrorItem {
    pub field: String,
    pub text: String,
}

/// A municipality's landing page: its login buttons.
#[derive(Serialize)]
pub struct Landing<'a> {
    pub title: String,
    pub tenant: TenantRef<'a>,
    pub here: String,
    pub idps: Vec<LoginButton<'a>>,
    pub logged_in: bool,
}

#[derive(Serialize)]
pub struct LoginButton<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

/// The page that posts a SAML message on to the identity provider (HTTP-POST binding).
#[derive(Serialize)]
pub struct PostOn<'a> {
    pub title: String,
    pub url: &'a str,
    pub field: &'a str,
    pub value: &'a str,
    pub relay_state: &'a str,
}

/// The one-click unsubscribe page, before and after.
#[derive(Serialize)]
pub struct Unsubscribe<'a> {
    pub title: String,
    pub tenant: Option<TenantRef<'a>>,
    /// The citizen's e-mail addresses, joined.
    pub addresses: String,
    /// The topic the link stops, or "all".
    pub topic: &'a str,
    pub here: String,
    /// Done: the topics stopped, offered back.
    pub done: bool,
    pub undo: Vec<String>,
}

/// The JSON body of an API's error (admin, pushes, the feedback webhook): a code a
/// program can match and a sentence for a person.
#[derive(Serialize)]
pub struct ApiError<'a> {
    pub error: &'a str,
    pub message: &'a str,
}

/// An API's error answer: `status` with the JSON body above.
pub fn api_error(
    status: axum::http::StatusCode,
    code: &str,
    message: &str,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = ApiError {
        error: code,
        message,
    };
    (status, axum::Json(body)).into_response()
}

/// An API's 404: nothing of that name to post to.
pub fn api_not_found(message: &str) -> axum::response::Response {
    api_error(axum::http::StatusCode::NOT_FOUND, "not_found", message)
}
