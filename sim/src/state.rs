//! The simulator's state: the records of each kind indexed by key and person, the
//! timeline reached, the faults pending and the change feed's log.

use crate::scenario::*;
use hlidac_adapters::records::*;
use std::collections::{BTreeMap, HashMap, VecDeque};

pub(crate) const CHANGE_LOG_KEEP: usize = 200_000;
/// Changes before the cursor that each change-feed answer repeats.
pub(crate) const CHANGE_OVERLAP: u64 = 2;
/// Changes per change-feed page, unless the client asks for fewer.
pub(crate) const CHANGE_PAGE: usize = 500;

/// Records of one kind, indexed by key and by person.
#[derive(Debug)]
pub(crate) struct Table<T> {
    pub(crate) rows: Vec<T>,
    pub(crate) by_key: HashMap<String, usize>,
    pub(crate) by_person: HashMap<String, Vec<usize>>,
}

impl<T: Record> Table<T> {
    pub(crate) fn new(records: Vec<T>) -> Self {
        let mut t = Table {
            rows: Vec::with_capacity(records.len()),
            by_key: HashMap::with_capacity(records.len()),
            by_person: HashMap::new(),
        };
        for r in records {
            t.put(r);
        }
        t
    }

    pub(crate) fn put(&mut self, record: T) {
        let person = record.person_ref().to_string();
        match self.by_key.get(record.key()).copied() {
            Some(i) => {
                let old_person = self.rows[i].person_ref().to_string();
                if old_person != person {
                    if let Some(list) = self.by_person.get_mut(&old_person) {
                        list.retain(|&j| j != i);
                    }
                    self.by_person.entry(person).or_default().push(i);
                }
                self.rows[i] = record;
            }
            None => {
                let i = self.rows.len();
                self.by_key.insert(record.key().to_string(), i);
                self.by_person.entry(person).or_default().push(i);
                self.rows.push(record);
            }
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&T> {
        self.by_key.get(key).map(|&i| &self.rows[i])
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        self.by_key.get(key).map(|&i| &mut self.rows[i])
    }

    /// The records of these people, in the order asked.
    pub(crate) fn of(&self, refs: &[String]) -> Vec<T> {
        refs.iter()
            .filter_map(|r| self.by_person.get(r))
            .flatten()
            .map(|&i| self.rows[i].clone())
            .collect()
    }
}

/// A kind of record the simulator lists by person, in its table; its list requests are
/// counted under the list's name, [`Record::LIST`] ([`crate::Sim::calls`]).
pub(crate) trait Kind: Record {
    fn table(state: &SimState) -> &Table<Self>;
}

impl Kind for Receivable {
    fn table(state: &SimState) -> &Table<Self> {
        &state.receivables
    }
}

impl Kind for Submission {
    fn table(state: &SimState) -> &Table<Self> {
        &state.submissions
    }
}

#[derive(Debug)]
pub(crate) struct SimState {
    pub(crate) receivables: Table<Receivable>,
    pub(crate) submissions: Table<Submission>,
    pub(crate) access_codes: BTreeMap<String, String>,
    pub(crate) registry: Vec<RegistryEntry>,
    pub(crate) timeline: Vec<Step>,
    pub(crate) applied: usize,
    pub(crate) faults: VecDeque<FaultKind>,
    pub(crate) version: u64,
    /// The change feed: (sequence number, kind, key), oldest first.
    pub(crate) log: VecDeque<(u64, &'static str, String)>,
    pub(crate) seq: u64,
    /// Requests served, by what they were ("receivables", "not_modified", "changes", …).
    pub(crate) calls: HashMap<&'static str, u64>,
    /// The registry's event feed, oldest first; a cursor is `r<number read>`.
    pub(crate) registry_events: Vec<RegistryEvent>,
    /// Capabilities announced instead of the simulator's own.
    pub(crate) announced: serde_json::Map<String, serde_json::Value>,
    /// Records withdrawn, by kind and key: served as their tombstones.
    pub(crate) withdrawn: HashMap<(&'static str, String), (Withdrawal, String)>,
}

impl SimState {
    pub(crate) fn next_version(&mut self) -> String {
        self.version += 1;
        self.version.to_string()
    }

    /// A record as served: its tombstone once withdrawn.
    pub(crate) fn wire<T: Record>(&self, record: &T) -> serde_json::Value {
        match self.withdrawn.get(&(T::KIND, record.key().to_string())) {
            Some((why, version)) => serde_json::json!({
                "key": record.key(), "person_ref": record.person_ref(),
                "withdrawn": why, "version": version,
            }),
            None => serde_json::to_value(record).unwrap_or_default(),
        }
    }

    pub(crate) fn logged(&mut self, kind: &'static str, key: String) {
        self.seq += 1;
        self.log.push_back((self.seq, kind, key));
        if self.log.len() > CHANGE_LOG_KEEP {
            self.log.pop_front();
        }
    }

    /// Takes the next pending fault if it belongs to this endpoint.
    pub(crate) fn take_fault(&mut self, endpoint: &str) -> Option<FaultKind> {
        let next = *self.faults.front()?;
        if next.endpoint() == endpoint {
            self.faults.pop_front()
        } else {
            None
        }
    }

    pub(crate) fn apply(&mut self, change: Change) {
        match change {
            Change::PutReceivable { record } => {
                self.logged(Receivable::KIND, record.key.clone());
                self.withdrawn
                    .remove(&(Receivable::KIND, record.key.clone()));
                self.receivables.put(record);
            }
            Change::PutSubmission { record } => {
                self.logged(Submission::KIND, record.key.clone());
                self.withdrawn
                    .remove(&(Submission::KIND, record.key.clone()));
                self.submissions.put(record);
            }
            Change::Registry { event } => self.registry_events.push(event),
            Change::Withdraw { key, withdrawn } => {
                let kind = if self.receivables.get(&key).is_some() {
                    Receivable::KIND
                } else if self.submissions.get(&key).is_some() {
                    Submission::KIND
                } else {
                    return;
                };
                let v = self.next_version();
                self.withdrawn.insert((kind, key.clone()), (withdrawn, v));
                self.logged(kind, key);
            }
            Change::PayReceivable { key } => {
                let v = self.next_version();
                if let Some(r) = self.receivables.get_mut(&key) {
                    r.status = ReceivableStatus::Paid;
                    r.amount_outstanding = Money(0);
                    r.instalments.iter_mut().for_each(|i| i.paid = true);
                    r.version = Some(v);
                    self.logged(Receivable::KIND, key);
                }
            }
            Change::SetSubmissionStatus {
                key,
                status,
                status_native,
                assigned_to,
            } => {
                let v = self.next_version();
                if let Some(s) = self.submissions.get_mut(&key) {
                    s.status = status;
                    s.status_native = status_native;
                    if assigned_to.is_some() {
                        s.assigned_to = assigned_to;
                    }
                    s.version = Some(v);
                    self.logged(Submission::KIND, key);
                }
            }
        }
    }

    /// Applies the next step; `None` when the timeline is over.
    pub(crate) fn step(&mut self) -> Option<String> {
        let step = self.timeline.get(self.applied)?.clone();
        for change in step.changes {
            self.apply(change);
        }
        self.applied += 1;
        Some(step.label)
    }

    /// Changes every `1/share`-th record of each kind: a receivable is paid (or reopened),
    /// a submission moves to the next status. Returns how many records changed.
    pub(crate) fn churn(&mut self, share: f64) -> usize {
        if !(share > 0.0 && share <= 1.0) {
            return 0;
        }
        let every = (1.0 / share).round().max(1.0) as usize;
        let mut changed = 0;
        for i in (0..self.receivables.rows.len()).step_by(every) {
            let v = self.next_version();
            let r = &mut self.receivables.rows[i];
            if r.status == ReceivableStatus::Paid {
                r.status = ReceivableStatus::Open;
                r.amount_outstanding = r.amount_due;
            } else {
                r.status = ReceivableStatus::Paid;
                r.amount_outstanding = Money(0);
            }
            r.version = Some(v);
            let key = r.key.clone();
            self.logged(Receivable::KIND, key);
            changed += 1;
        }
        for i in (0..self.submissions.rows.len()).step_by(every) {
            let v = self.next_version();
            let s = &mut self.submissions.rows[i];
            s.status = match s.status {
                SubmissionStatus::Received => SubmissionStatus::Assigned,
                SubmissionStatus::Assigned => SubmissionStatus::InProgress,
                SubmissionStatus::InProgress => SubmissionStatus::Resolved,
                _ => SubmissionStatus::Reopened,
            };
            s.version = Some(v);
            let key = s.key.clone();
            self.logged(Submission::KIND, key);
            changed += 1;
        }
        changed
    }
}
