//! Canonical records: the shapes every adapter delivers, whatever the source system is.
//!
//! Unknown fields are ignored (forward compatible). Unknown statuses are errors, so a
//! status hlidac does not understand can never be read as one it does; a fee `kind`, only
//! a label, is an open vocabulary (an unknown one is read as `other`, see [`crate::held`]).

pub use crate::money::Money;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ReceivableKind {
    WasteFee,
    DogFee,
    PropertyTax,
    VehicleTax,
    PublicSpace,
    Parking,
    Rent,
    Fine,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ReceivableStatus {
    Open,
    PartiallyPaid,
    Paid,
    Overdue,
    InEnforcement,
    WrittenOff,
    Disputed,
}

impl ReceivableStatus {
    /// Nothing is owed any more: no reminder or overdue notice may be sent.
    pub fn is_settled(self) -> bool {
        matches!(self, ReceivableStatus::Paid | ReceivableStatus::WrittenOff)
    }

    /// The citizen may be reminded of what is ahead (protocol 1.1): `open`,
    /// `partially_paid` and `overdue`. A `disputed` fee, and one `in_enforcement`, is out
    /// of the citizen's hands for now: hlidac shows it but does not press.
    pub fn reminds(self) -> bool {
        matches!(
            self,
            ReceivableStatus::Open | ReceivableStatus::PartiallyPaid | ReceivableStatus::Overdue
        )
    }

    /// The source itself says a date was missed (protocol 1.1): only `overdue` brings an
    /// overdue notice. An `open` fee with an unpaid instalment past its date is not one: a
    /// payment may be on its way to the municipality's books.
    pub fn is_overdue(self) -> bool {
        self == ReceivableStatus::Overdue
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    pub no: u32,
    pub due_date: NaiveDate,
    pub amount: Money,
    #[serde(default)]
    pub paid: bool,
}

/// How to pay a receivable, in the country's own terms (protocol 1.1 adds `bic`, the
/// Czech and Slovak constant and specific symbols, the Serbian `model` and the payment
/// `code`): Czech and Slovak `account`/`iban` with symbols; Serbian `account` (18 digits,
/// `160-0000000012345-67`), `model` (`97`) and `reference` ("poziv na broj"), `code`
/// ("šifra plaćanja"); Bulgarian `iban`, `bic`, `reference` ("основание за плащане") and
/// `code` ("код за вид плащане").
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaymentInfo {
    pub account: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub variable_symbol: Option<String>,
    pub constant_symbol: Option<String>,
    pub specific_symbol: Option<String>,
    pub model: Option<String>,
    pub reference: Option<String>,
    pub code: Option<String>,
}

impl PaymentInfo {
    /// Whether a Serbian model 97 reference's check digits hold (ISO 7064 MOD 97-10 over
    /// the digits after the first two); `None` when the reference is not of model 97.
    pub fn model97_ok(&self) -> Option<bool> {
        if self.model.as_deref().map(str::trim) != Some("97") {
            return None;
        }
        let digits: String = self
            .reference
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if digits.len() < 3 || digits.len() > 22 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Some(false);
        }
        let (check, rest) = digits.split_at(2);
        let rem = rest
            .bytes()
            .chain(*b"00")
            .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
        Some(check.parse::<u32>().ok() == Some(98 - rem))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlyDiscount {
    pub until: NaiveDate,
    pub percent: String,
}

/// A local tax or fee owed to the municipality.
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receivable {
    pub key: String,
    pub person_ref: String,
    pub kind: ReceivableKind,
    /// The source's own word for the kind: what an unknown `kind` said (protocol 1.1).
    pub kind_native: Option<String>,
    pub title: String,
    pub period: Option<String>,
    pub currency: String,
    pub amount_due: Money,
    pub amount_outstanding: Money,
    #[serde(default)]
    pub instalments: Vec<Instalment>,
    /// When a fee without instalments is due (protocol 1.1); ignored when it has some.
    pub due_date: Option<NaiveDate>,
    pub early_discount: Option<EarlyDiscount>,
    pub payment: Option<PaymentInfo>,
    pub status: ReceivableStatus,
    pub updated_at: Option<DateTime<FixedOffset>>,
    pub version: Option<String>,
}

impl Receivable {
    /// The early-payment discount, while it can still be had: nothing settled or paid yet.
    pub fn open_discount(&self) -> Option<&EarlyDiscount> {
        let untouched = !self.status.is_settled()
            && self.amount_outstanding == self.amount_due
            && self.instalments.iter().all(|i| !i.paid);
        self.early_discount.as_ref().filter(|_| untouched)
    }

    /// What is to be paid with the discount: the amount due less the percentage, rounded
    /// half up to the hundredth.
    pub fn discounted_amount(&self) -> Option<Money> {
        let d = self.early_discount.as_ref()?;
        let pct = Money::parse(&d.percent).ok()?.0; // hundredths of a percent
        if !(0..=10000).contains(&pct) {
            return None;
        }
        let off = (i128::from(self.amount_due.0) * i128::from(pct) + 5000) / 10000;
        Some(Money(self.amount_due.0 - off as i64))
    }

    /// What is still to be paid, and by when (protocol 1.1): nothing when the status
    /// settles the fee (`paid`, `written_off`) or nothing is outstanding, whatever the
    /// instalments say; otherwise the instalments not marked `paid`, or, for a fee that
    /// lists none, one of `amount_outstanding` on its `due_date`. A fee with neither has
    /// no date to remind of.
    pub fn unpaid_instalments(&self) -> impl Iterator<Item = Instalment> + '_ {
        let settled = self.status.is_settled() || self.amount_outstanding.0 <= 0;
        let whole = (self.instalments.is_empty() && !settled)
            .then_some(self.due_date)
            .flatten()
            .map(|due_date| Instalment {
                no: 1,
                due_date,
                amount: self.amount_outstanding,
                paid: false,
            });
        self.instalments
            .iter()
            .filter(move |i| !settled && !i.paid)
            .cloned()
            .chain(whole)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum SubmissionStatus {
    Received,
    Assigned,
    InProgress,
    WaitingForCitizen,
    Forwarded,
    Resolved,
    Closed,
    Cancelled,
    Reopened,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubmissionReference {
    pub filing_number: Option<String>,
    pub case_number: Option<String>,
    /// The registration index of Bulgarian document tracking ("регистрационен индекс",
    /// for example `94-00-123/12.03.2026`); with the access code the filer received, it
    /// finds the document without a person reference.
    pub registration_index: Option<String>,
}

impl SubmissionReference {
    /// The references a citizen knows, each with its field name, in the order they are
    /// shown (protocol 1.1): the Czech reference number (`filing_number`, "číslo
    /// jednací"), then the case number (`case_number`: the Czech case file mark "spisová
    /// značka", the Serbian "broj predmeta"), then the Bulgarian registration index. The
    /// first is the one a subject line names. The record's `key` is the source's own and is
    /// never one of them.
    pub fn known(&self) -> Vec<(&'static str, &str)> {
        [
            ("filing_number", self.filing_number.as_deref()),
            ("case_number", self.case_number.as_deref()),
            ("registration_index", self.registration_index.as_deref()),
        ]
        .into_iter()
        .filter_map(|(field, value)| {
            let value = value?.trim();
            (!value.is_empty()).then_some((field, value))
        })
        .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<FixedOffset>,
    pub status: SubmissionStatus,
}

/// Something a citizen filed with the municipality, and where it stands.
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub key: String,
    /// Required in lists and the change feed; a document found by tracking (registration
    /// index and access code) needs none (protocol 1.1, [`crate::http::tracked`]).
    pub person_ref: String,
    #[serde(default)]
    pub reference: SubmissionReference,
    pub matter: String,
    pub received_at: Option<DateTime<FixedOffset>>,
    pub status: SubmissionStatus,
    pub status_native: Option<String>,
    pub assigned_to: Option<String>,
    pub deadline: Option<NaiveDate>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    pub updated_at: Option<DateTime<FixedOffset>>,
    pub version: Option<String>,
}

/// A document the registry knows for a person (identity card, passport, …).
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: String,
    pub number_masked: Option<String>,
    pub valid_until: NaiveDate,
}

/// The result of matching a verified identity against the base registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryPerson {
    pub person_ref: String,
    #[serde(default)]
    pub documents: Vec<Document>,
}

/// Why a record left its source (protocol 1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Withdrawal {
    /// Removed: entered in error, merged, moved elsewhere. hlidac forgets it silently.
    Withdrawn,
    /// Cancelled by the municipality (a fee waived by a decision, a submission closed
    /// without a ruling). The citizen is told only where the municipality wants it.
    Cancelled,
}

impl Withdrawal {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The observation statuses a withdrawn record is stored with.
    pub const STATUSES: [&'static str; 2] = ["withdrawn", "cancelled"];
}

/// A record that left its source, in a list or the change feed (protocol 1.1):
/// `{"key": "R-1", "person_ref": "…", "withdrawn": "cancelled", "version": "9"}`. It is never
/// read as paid or resolved: it only ends what hlidac knew of the record.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Tombstone {
    /// `receivable` or `submission`: the list it came in.
    #[serde(skip)]
    pub kind: &'static str,
    pub key: String,
    pub person_ref: String,
    pub withdrawn: Withdrawal,
    pub version: Option<String>,
}

/// What the base registry says happened to a person (protocol 1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum RegistryEventKind {
    Deceased,
    MovedOut,
    /// The person's reference changed: `new_person_ref` is the one to use from now on.
    IdentifierChanged,
}

impl RegistryEventKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One event of the registry's feed (`GET /v1/registry/events`, protocol 1.1).
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryEvent {
    /// The registry's own id of the event; events may repeat (at-least-once).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: RegistryEventKind,
    pub person_ref: String,
    /// For `identifier_changed`: the person's new reference.
    pub new_person_ref: Option<String>,
    pub at: Option<NaiveDate>,
}

/// A record key must be printable text: not empty, no control characters.
pub fn sane_key(key: &str) -> bool {
    !key.trim().is_empty() && !key.chars().any(char::is_control)
}

/// A record of either kind, as the daemon's diff handles them.
pub trait Record: Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static {
    const KIND: &'static str;
    /// The list the kind comes in: `/v1/{LIST}` of the protocol, the exec adapter's `op`,
    /// the field of a push body and of a file source.
    const LIST: &'static str;
    fn key(&self) -> &str;
    fn person_ref(&self) -> &str;
    fn version(&self) -> Option<&str>;
    /// The record's one-line texts by field name: none may hold a control character.
    fn texts(&self) -> Vec<(&'static str, &str)>;
    /// Rewrites the record's JSON before it is read where a field is an open vocabulary.
    fn open_vocabulary(_value: &mut serde_json::Value) {}
}

impl Record for Receivable {
    const KIND: &'static str = "receivable";
    const LIST: &'static str = "receivables";
    fn key(&self) -> &str {
        &self.key
    }
    fn person_ref(&self) -> &str {
        &self.person_ref
    }
    fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
    /// A `kind` outside the protocol's list is `other`; the word goes to `kind_native`
    /// unless the source gave one there.
    fn open_vocabulary(value: &mut serde_json::Value) {
        use serde_json::Value;
        let Some(Value::String(word)) = value.get("kind") else {
            return;
        };
        if serde_json::from_value::<ReceivableKind>(Value::String(word.clone())).is_ok() {
            return;
        }
        let word = word.trim().to_string();
        if let Some(obj) = value.as_object_mut() {
            obj.insert("kind".into(), Value::String("other".into()));
            if !word.is_empty() && !obj.get("kind_native").is_some_and(Value::is_string) {
                obj.insert("kind_native".into(), Value::String(word));
            }
        }
    }

    fn texts(&self) -> Vec<(&'static str, &str)> {
        let payment = self.payment.as_ref();
        let mut texts = vec![
            ("person_ref", self.person_ref.as_str()),
            ("title", self.title.as_str()),
            ("currency", self.currency.as_str()),
        ];
        for (name, value) in [
            ("kind_native", self.kind_native.as_deref()),
            ("period", self.period.as_deref()),
            ("version", self.version.as_deref()),
            (
                "payment.account",
                payment.and_then(|p| p.account.as_deref()),
            ),
            ("payment.iban", payment.and_then(|p| p.iban.as_deref())),
            (
                "payment.variable_symbol",
                payment.and_then(|p| p.variable_symbol.as_deref()),
            ),
            (
                "payment.reference",
                payment.and_then(|p| p.reference.as_deref()),
            ),
            ("payment.bic", payment.and_then(|p| p.bic.as_deref())),
            (
                "payment.constant_symbol",
                payment.and_then(|p| p.constant_symbol.as_deref()),
            ),
            (
                "payment.specific_symbol",
                payment.and_then(|p| p.specific_symbol.as_deref()),
            ),
            ("payment.model", payment.and_then(|p| p.model.as_deref())),
            ("payment.code", payment.and_then(|p| p.code.as_deref())),
        ] {
            texts.extend(value.map(|v| (name, v)));
        }
        texts
    }
}

impl Record for Submission {
    const KIND: &'static str = "submission";
    const LIST: &'static str = "submissions";
    fn key(&self) -> &str {
        &self.key
    }
    fn person_ref(&self) -> &str {
        &self.person_ref
    }
    fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
    fn texts(&self) -> Vec<(&'static str, &str)> {
        let r = &self.reference;
        let mut texts = vec![
            ("person_ref", self.person_ref.as_str()),
            ("matter", self.matter.as_str()),
        ];
        for (name, value) in [
            ("reference.filing_number", r.filing_number.as_deref()),
            ("reference.case_number", r.case_number.as_deref()),
            (
                "reference.registration_index",
                r.registration_index.as_deref(),
            ),
            ("status_native", self.status_native.as_deref()),
            ("assigned_to", self.assigned_to.as_deref()),
            ("version", self.version.as_deref()),
        ] {
            texts.extend(value.map(|v| (name, v)));
        }
        texts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn model_97_check_digits_are_verified() {
        let p = |model: &str, reference: &str| PaymentInfo {
            model: Some(model.into()),
            reference: Some(reference.into()),
            ..Default::default()
        };
        // 98 - (12345600 mod 97) = 98 - 22 = 76: "76 123456".
        assert_eq!(p("97", "76123456").model97_ok(), Some(true));
        assert_eq!(p("97", "76-1234-56").model97_ok(), Some(true));
        assert_eq!(p("97", "77123456").model97_ok(), Some(false));
        assert_eq!(p("97", "76x23456").model97_ok(), Some(false));
        assert_eq!(p("97", "").model97_ok(), Some(false));
        assert_eq!(p("00", "whatever").model97_ok(), None);
        assert_eq!(PaymentInfo::default().model97_ok(), None);
    }

    #[test]
    fn unknown_status_is_an_error_and_unknown_fields_are_ignored() {
        let base = serde_json::json!({"key": "K", "person_ref": "P", "kind": "dog_fee",
            "title": "t", "currency": "CZK", "amount_due": "1.00",
            "amount_outstanding": "1.00", "status": "open", "future_field": 1});
        assert!(serde_json::from_value::<Receivable>(base.clone()).is_ok());
        let mut bad = base;
        bad["status"] = "settled_somehow".into();
        assert!(serde_json::from_value::<Receivable>(bad).is_err());
    }

    /// The stored form of a record (what its content hash is taken of) leaves out every
    /// absent optional field: a field that went from absent to `null` would make every
    /// stored record look changed.
    #[test]
    fn a_record_is_written_without_its_absent_fields() {
        let r: Receivable = serde_json::from_value(serde_json::json!({"key": "R-1",
            "person_ref": "P", "kind": "dog_fee", "title": "Dog fee", "currency": "CZK",
            "amount_due": "10.00", "amount_outstanding": "10.00", "status": "open",
            "payment": {"iban": "CZ65", "variable_symbol": "1"}, "version": null}))
        .expect("receivable");
        assert_eq!(
            serde_json::to_string(&r).expect("json"),
            r#"{"key":"R-1","person_ref":"P","kind":"dog_fee","title":"Dog fee","currency":"CZK","amount_due":"10.00","amount_outstanding":"10.00","instalments":[],"payment":{"iban":"CZ65","variable_symbol":"1"},"status":"open"}"#
        );
        let s: Submission = serde_json::from_value(serde_json::json!({"key": "S-1",
            "person_ref": "P", "matter": "Request", "status": "received",
            "reference": {"case_number": "12/2026"}, "deadline": "2026-05-01"}))
        .expect("submission");
        assert_eq!(
            serde_json::to_string(&s).expect("json"),
            r#"{"key":"S-1","person_ref":"P","reference":{"case_number":"12/2026"},"matter":"Request","status":"received","deadline":"2026-05-01","history":[]}"#
        );
        let d: Document = serde_json::from_value(
            serde_json::json!({"kind": "id_card", "valid_until": "2030-01-01"}),
        )
        .expect("document");
        assert_eq!(
            serde_json::to_string(&d).expect("json"),
            r#"{"kind":"id_card","valid_until":"2030-01-01"}"#
        );
    }

    /// The names `as_str` gives (stored, logged, shown in templates) are those on the wire.
    fn names_agree<T>()
    where
        T: Serialize + strum::VariantArray + Copy + Into<&'static str> + std::fmt::Debug,
    {
        for v in T::VARIANTS {
            let name: &'static str = (*v).into();
            assert_eq!(serde_json::to_value(v).ok(), Some(name.into()), "{v:?}");
        }
    }

    #[test]
    fn every_name_in_code_is_the_name_on_the_wire() {
        names_agree::<ReceivableKind>();
        names_agree::<ReceivableStatus>();
        names_agree::<SubmissionStatus>();
        names_agree::<Withdrawal>();
        names_agree::<RegistryEventKind>();
        assert_eq!(
            Withdrawal::STATUSES.to_vec(),
            Withdrawal::VARIANTS
                .iter()
                .map(|w| w.as_str())
                .collect::<Vec<_>>()
        );
    }
}
