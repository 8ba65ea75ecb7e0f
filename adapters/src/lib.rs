//! The adapter contract between hlidac and a municipality's internal systems.
//!
//! What comes in: records from a municipality's receivables module and filing system, and
//! persons from the base registry, each in the canonical shape defined in [`records`].
//! What goes out: nothing but reads; an adapter never changes anything on the municipality's
//! side. What it must never do: turn a failure into data. A time-out, an error page, a body
//! that does not parse or a list marked incomplete is an [`AdapterError`], never an empty or
//! shorter list, because hlidac would otherwise read it as "paid" or "resolved".
//!
//! # Layout
//! - [`records`]: canonical types (`Receivable`, `Submission`, `RegistryPerson`, `Document`)
//!   and [`Money`], a decimal amount that never passes through a float.
//! - [`source`]: the three source traits and [`Adapter`], the enum of built-in adapters that
//!   the daemon's config picks by its `type` tag. A new adapter is one file and one enum arm.
//! - [`file`], [`http`], [`exec`]: the built-in adapters.
//! - [`vocab`]: the systems' own words (NSESSS states, events) mapped onto statuses.
//! - [`sim`]: the municipality simulator behind the `hlidac-sim` binary, used by the demo
//!   and the tests; it speaks the published pull protocol and can inject faults.

pub mod check;
pub mod exec;
pub mod file;
pub mod http;
pub mod records;
pub mod sim;
pub mod source;
pub mod vocab;

pub use records::*;
pub use source::*;

/// The protocol version this crate speaks, as announced by `GET /v1/capabilities`.
pub const PROTOCOL: &str = "hlidac-adapter/1";
