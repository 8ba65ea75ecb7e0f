//! What the simulator serves: a scenario (records, the base registry, access codes and a
//! timeline of changes), the faults it can inject, and the built-in scenarios (the demo
//! town, and a synthetic town of any size for the benchmarks).

use chrono::{Days, NaiveDate};
use hlidac_adapters::records::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A dataset and the changes that happen to it, in order.
/// Every part may be left out: it is then empty.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub receivables: Vec<Receivable>,
    pub submissions: Vec<Submission>,
    pub timeline: Vec<Step>,
    /// Access codes of Bulgarian document tracking, by submission key; such a submission
    /// is found by its `reference.registration_index` and this code.
    pub access_codes: BTreeMap<String, String>,
    /// The base registry: a person is found when every field of `identity` equals the
    /// same field of the identity asked about.
    pub registry: Vec<RegistryEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryEntry {
    pub identity: serde_json::Map<String, serde_json::Value>,
    pub person: RegistryPerson,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// In `--auto` mode, seconds after the simulator started at which the step applies.
    pub at_secs: u64,
    pub label: String,
    pub changes: Vec<Change>,
}

impl Step {
    /// A step of one change.
    pub fn one(at_secs: u64, label: &str, change: Change) -> Step {
        Step {
            at_secs,
            label: label.into(),
            changes: vec![change],
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    PutReceivable {
        record: Receivable,
    },
    PutSubmission {
        record: Submission,
    },
    PayReceivable {
        key: String,
    },
    SetSubmissionStatus {
        key: String,
        status: SubmissionStatus,
        status_native: Option<String>,
        assigned_to: Option<String>,
    },
    /// The record (of either kind) leaves the source: from then on lists and the change
    /// feed carry its tombstone (protocol 1.1).
    Withdraw {
        key: String,
        withdrawn: Withdrawal,
    },
    /// The registry reports something that happened to a person (protocol 1.1).
    Registry {
        event: RegistryEvent,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    Http500,
    Timeout,
    Empty,
    Malformed,
    Shrink,
    Incomplete,
    /// The first record lacks `currency` (receivables) or `matter` (submissions).
    MissingField,
    /// The first record's amount (or status) has the wrong JSON type.
    WrongType,
    /// The first receivable's `kind` is a word outside the protocol's list (protocol 1.1
    /// reads it as `other`); submissions are left as they are.
    UnknownKind,
    /// The capabilities announce another protocol version (consumed by /v1/capabilities).
    WrongVersion,
    /// Answers correctly, two seconds late.
    Slow,
    /// The change feed answers an unknown cursor with an empty page instead of 410 Gone,
    /// which would silently lose changes (consumed by /v1/changes).
    BadCursor,
    /// Answers normally: queued before another fault, it aims that one at a later call.
    Pass,
}

impl FaultKind {
    /// Which endpoint consumes the fault.
    pub(crate) fn endpoint(self) -> &'static str {
        match self {
            FaultKind::WrongVersion => "capabilities",
            FaultKind::BadCursor => "changes",
            _ => "list",
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct FaultRequest {
    pub(crate) kind: FaultKind,
    #[serde(default = "one")]
    pub(crate) times: u32,
}

fn one() -> u32 {
    1
}

/// Person references of the built-in demo scenario.
pub const DEMO_PERSON_JANA: &str = "CZ-DEMO-0001";
pub const DEMO_PERSON_PETR: &str = "CZ-DEMO-0002";

fn day(today: NaiveDate, offset: i64) -> NaiveDate {
    if offset >= 0 {
        today + Days::new(offset as u64)
    } else {
        today - Days::new(offset.unsigned_abs())
    }
}

/// A fee in CZK with one instalment due on `due`, payable to the demo account with
/// variable symbol `vs`.
pub fn fee(
    key: &str,
    person: &str,
    kind: ReceivableKind,
    title: &str,
    amount: i64,
    due: NaiveDate,
    vs: &str,
) -> Receivable {
    Receivable {
        key: key.into(),
        person_ref: person.into(),
        kind,
        kind_native: None,
        title: title.into(),
        period: Some(due.format("%Y").to_string()),
        currency: "CZK".into(),
        amount_due: Money(amount),
        amount_outstanding: Money(amount),
        instalments: vec![Instalment {
            no: 1,
            due_date: due,
            amount: Money(amount),
            paid: false,
        }],
        due_date: None,
        early_discount: None,
        payment: Some(PaymentInfo {
            account: Some("19-1234567/0100".into()),
            iban: None,
            variable_symbol: Some(vs.into()),
            reference: None,
            ..Default::default()
        }),
        status: ReceivableStatus::Open,
        updated_at: None,
        version: Some("1".into()),
    }
}

/// A submission just received under filing number `filing`, without a deadline or
/// history.
pub fn request(key: &str, person: &str, matter: &str, filing: &str) -> Submission {
    Submission {
        key: key.into(),
        person_ref: person.into(),
        reference: SubmissionReference {
            filing_number: Some(filing.into()),
            case_number: None,
            registration_index: None,
        },
        matter: matter.into(),
        received_at: None,
        status: SubmissionStatus::Received,
        status_native: Some("nevyrizen".into()),
        assigned_to: None,
        deadline: None,
        history: Vec::new(),
        updated_at: None,
        version: Some("1".into()),
    }
}

/// The demo town's data with dates relative to `today`: Jana (Czech) has a waste fee due in
/// 3 days, a dog fee due in 20 days and a building-permit request; Petr (English) has a
/// property tax due in 14 days. The timeline pays the waste fee, assigns and then resolves
/// the request, and adds a new parking permit fee for Petr.
pub fn demo_scenario(today: NaiveDate) -> Scenario {
    let waste = fee(
        "R-2026-000123",
        DEMO_PERSON_JANA,
        ReceivableKind::WasteFee,
        "Poplatek za obecní systém odpadového hospodářství",
        90000,
        day(today, 3),
        "1337000123",
    );
    let dog = fee(
        "R-2026-000124",
        DEMO_PERSON_JANA,
        ReceivableKind::DogFee,
        "Poplatek ze psů",
        60000,
        day(today, 20),
        "1337000124",
    );
    let property = fee(
        "R-2026-000200",
        DEMO_PERSON_PETR,
        ReceivableKind::PropertyTax,
        "Property tax",
        245000,
        day(today, 14),
        "1337000200",
    );
    let parking = fee(
        "R-2026-000201",
        DEMO_PERSON_PETR,
        ReceivableKind::Parking,
        "Residential parking permit",
        120000,
        day(today, 30),
        "1337000201",
    );
    let mut request = request(
        "MUDE-2026-1234",
        DEMO_PERSON_JANA,
        "Žádost o vydání stavebního povolení",
        "MUDE 1234/2026",
    );
    request.deadline = Some(day(today, 30));
    let request_key = request.key.clone();
    let request_is =
        move |status, native: &str, assigned_to: Option<&str>| Change::SetSubmissionStatus {
            key: request_key.clone(),
            status,
            status_native: Some(native.into()),
            assigned_to: assigned_to.map(Into::into),
        };
    Scenario {
        access_codes: BTreeMap::new(),
        registry: Vec::new(),
        receivables: vec![waste.clone(), dog, property],
        submissions: vec![request],
        timeline: vec![
            Step::one(
                15,
                "Jana pays the waste fee",
                Change::PayReceivable {
                    key: waste.key.clone(),
                },
            ),
            Step::one(
                25,
                "Jana's request is assigned to the building office",
                request_is(
                    SubmissionStatus::Assigned,
                    "nevyrizen",
                    Some("Stavební úřad"),
                ),
            ),
            Step::one(
                35,
                "Petr gets a parking permit fee",
                Change::PutReceivable { record: parking },
            ),
            Step::one(
                45,
                "Jana's request is resolved",
                request_is(SubmissionStatus::Resolved, "vyrizen", None),
            ),
        ],
    }
}

/// A large made-up town for benchmarks: `persons` people (`SYN-0000001`, …), each with
/// `per_person` records, half receivables and half submissions, all with versions.
pub fn synthetic_scenario(persons: usize, per_person: usize, today: NaiveDate) -> Scenario {
    let mut receivables = Vec::with_capacity(persons * per_person / 2);
    let mut submissions = Vec::with_capacity(persons * per_person / 2);
    for p in 0..persons {
        let person = synthetic_person(p);
        for n in 0..per_person {
            let key = format!("{person}-{n:03}");
            if n % 2 == 0 {
                let mut r = fee(
                    &format!("R-{key}"),
                    &person,
                    ReceivableKind::WasteFee,
                    "Poplatek za obecní systém odpadového hospodářství",
                    90000 + (n as i64) * 100,
                    day(today, 10 + (n as i64 % 60)),
                    &format!("{:010}", p * per_person + n),
                );
                r.version = Some("1".into());
                receivables.push(r);
            } else {
                let mut r = request(
                    &format!("S-{key}"),
                    &person,
                    "Žádost o vydání rozhodnutí",
                    &format!("MUSYN {}/2026", p * per_person + n),
                );
                r.deadline = Some(day(today, 30));
                submissions.push(r);
            }
        }
    }
    Scenario {
        receivables,
        submissions,
        ..Scenario::default()
    }
}

/// The person reference of the `n`-th person of [`synthetic_scenario`].
pub fn synthetic_person(n: usize) -> String {
    format!("SYN-{n:07}")
}
