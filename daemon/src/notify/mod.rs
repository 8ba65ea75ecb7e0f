//! Telling citizens.
//!
//! What comes in: alerts in the outbox, each pointing at its event. What goes out: e-mails
//! (SMTP relays or `.eml` files) and SMS (SMPP or HTTP gateways), through the first
//! provider that works (failover), and a record of every attempt. What it must never do: hold a
//! database transaction across a network call, send to an unverified or removed contact,
//! send a reminder about something already settled, or log a message body or an address.

pub mod dispatcher;
pub mod email;
pub mod failover;
pub mod feedback;
pub mod limit;
mod render;
pub(crate) use render::{preview_message, sender};
pub mod schedule;
mod service;
pub mod smpp;
mod smpp_pdu;
pub mod sms;
pub mod sms_http;
mod sms_providers;
pub use sms_providers::{SmsProviders, Submitted};
#[cfg(test)]
mod sms_parts;
pub mod templates;
pub mod unsubscribe;

pub use dispatcher::{dispatch_pending, dispatch_pending_until, DispatchReport};
pub use email::{Mailer, SendError};
pub use service::{Dispatch, Limits};
pub use templates::Templates;
