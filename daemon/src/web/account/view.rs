//! The account pages' view models: what each template is given, typed. A page is the
//! frame every account page has ([`Page`]) around the page's own content; the templates
//! in `daemon/pages/` read these names.

pub(super) use crate::web::pages::TenantRef;
use serde::Serialize;
use std::collections::BTreeMap;

/// A form's fields by name: what was typed, shown again, or the message next to each.
pub(super) type Fields = BTreeMap<&'static str, String>;

/// A form the page refused: what was typed, shown again, and the message next to each
/// field in error; the default for a page shown fresh.
#[derive(Default)]
pub(super) struct Refused {
    pub form: Fields,
    pub errors: Fields,
}

impl Refused {
    /// The page's status (400 when something is in error), its errors and its form.
    pub fn parts(self) -> (axum::http::StatusCode, Fields, Fields) {
        let status = if self.errors.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::BAD_REQUEST
        };
        (status, self.errors, self.form)
    }
}

/// One of the account's pages: its template, title (a message id), navigation entry
/// (none on the consent page) and path under the municipality.
pub(super) struct Screen {
    pub template: &'static str,
    pub title: &'static str,
    pub nav: Option<&'static str>,
    pub path: &'static str,
}

const fn screen(template: &'static str, title: &'static str, nav: &'static str) -> Screen {
    Screen {
        template,
        title,
        nav: Some(nav),
        path: nav,
    }
}

pub(super) const OVERVIEW: Screen = screen("dashboard.html", "title-overview", "me");
pub(super) const SETTINGS: Screen = screen("settings.html", "title-settings", "settings");
pub(super) const CONTACTS: Screen = screen("contacts.html", "title-contacts", "contacts");
pub(super) const REMINDERS: Screen = screen("reminders.html", "title-reminders", "reminders");
pub(super) const ACCOUNT: Screen = screen("account.html", "title-account", "account");
pub(super) const DELETE: Screen = screen("delete.html", "title-delete", "delete");
pub(super) const CONSENT: Screen = Screen {
    nav: None,
    ..screen("consent.html", "title-consent", "consent")
};

/// Every account page: its title, the municipality, the navigation entry (`nav`) and
/// this page's address (`here`, for the language links), the CSRF token its forms carry,
/// the notice after a form, a refused form's errors, and the page's own content.
#[derive(Serialize)]
pub(super) struct Page<'a, B: Serialize> {
    pub title: String,
    pub tenant: TenantRef<'a>,
    pub nav: Option<&'static str>,
    pub here: String,
    pub csrf: &'a str,
    pub notice: Option<String>,
    pub errors: Fields,
    #[serde(flatten)]
    pub body: B,
}

/// A page without content of its own (the consent, account and delete pages).
#[derive(Serialize)]
pub(super) struct Empty {}

/// The overview.
#[derive(Serialize)]
pub(super) struct Overview {
    pub name: String,
    /// Addresses a bounce made undeliverable, said first with the way to fix it.
    pub undeliverable: Vec<String>,
    pub calendar_url: Option<String>,
    pub municipalities: Vec<Municipality>,
}

/// What one municipality knows about the citizen.
#[derive(Serialize)]
pub(super) struct Municipality {
    pub id: String,
    pub name: String,
    pub summary: Summary,
    pub receivables: Vec<ReceivableView>,
    pub submissions: Vec<SubmissionView>,
    pub documents: Vec<crate::citizens::Document>,
    pub alerts: Vec<AlertView>,
}

/// What the citizen owes in one municipality.
#[derive(Serialize)]
pub(super) struct Summary {
    pub count: usize,
    pub totals: Vec<Total>,
    pub nearest_due: Option<chrono::NaiveDate>,
    pub nearest_title: Option<String>,
    pub overdue: usize,
}

#[derive(Serialize)]
pub(super) struct Total {
    pub currency: String,
    pub amount: String,
}

/// One fee, with how to pay it.
#[derive(Serialize)]
pub(super) struct ReceivableView {
    pub title: String,
    pub period: Option<String>,
    pub currency: String,
    pub amount_outstanding: String,
    /// The nearest date something unpaid falls due.
    pub due_date: Option<chrono::NaiveDate>,
    pub overdue: bool,
    pub status: &'static str,
    pub instalments: Vec<InstalmentView>,
    pub payment: Option<hlidac_adapters::PaymentInfo>,
    pub iban: Option<String>,
    pub payable: bool,
    /// The payment QR code as a `data:` URL, and the line under it.
    pub qr: Option<String>,
    pub qr_caption: Option<&'static str>,
    pub qr_file: String,
}

#[derive(Serialize)]
pub(super) struct InstalmentView {
    pub no: u32,
    pub due_date: chrono::NaiveDate,
    pub amount: String,
    pub paid: bool,
}

/// One submission and its history.
#[derive(Serialize)]
pub(super) struct SubmissionView {
    pub matter: String,
    /// Each reference the citizen knows, labelled.
    pub references: serde_json::Value,
    pub status: &'static str,
    pub deadline: Option<chrono::NaiveDate>,
    pub history: Vec<StatusAt>,
}

#[derive(Serialize)]
pub(super) struct StatusAt {
    pub date: String,
    pub status: &'static str,
}

/// An alert sent (or being sent) to the citizen.
#[derive(Serialize)]
pub(super) struct AlertView {
    pub date: String,
    /// The alert's kind with `_` for `.` (catalogue variants cannot hold a dot).
    pub kind: String,
    pub channel: String,
    pub state: String,
}

/// The contacts page.
#[derive(Serialize)]
pub(super) struct Contacts {
    pub contacts: Vec<ContactView>,
    pub form: Fields,
}

#[derive(Serialize)]
pub(super) struct ContactView {
    pub id: String,
    pub channel: String,
    pub address: String,
    pub verified: bool,
    pub undeliverable: bool,
    pub code_sent: bool,
}

/// The personal reminders page.
#[derive(Serialize)]
pub(super) struct Reminders {
    pub reminders: Vec<ReminderView>,
    pub form: Fields,
}

#[derive(Serialize)]
pub(super) struct ReminderView {
    pub id: String,
    pub date: String,
    pub note: String,
}

/// The settings page, as saved or as a refused form gave it.
#[derive(Serialize)]
pub(super) struct Settings {
    pub topics: Vec<TopicView>,
    /// `topic:channel` pairs ticked.
    pub subscribed: Vec<String>,
    pub delivery: String,
    pub citizen_locale: String,
    pub quiet_from: String,
    pub quiet_to: String,
    pub offset_choices: Vec<OffsetChoice>,
    /// The municipality's own reminder days, "14, 3, 0".
    pub tenant_offsets: String,
}

#[derive(Serialize)]
pub(super) struct TopicView {
    pub id: &'static str,
}

#[derive(Serialize)]
pub(super) struct OffsetChoice {
    pub days: u32,
    pub ticked: bool,
}

/// The page a confirmation link lands on, before its button is pressed.
#[derive(Serialize)]
pub(super) struct VerifyLink<'a> {
    pub title: String,
    pub tenant: Option<TenantRef<'a>>,
    pub address: String,
    pub here: String,
}
