//! Configuration: the typed model, and loading it with every error reported at once.
//!
//! What comes in: a TOML file, `HLIDAC_…` environment overrides (`__` separates nesting,
//! a number indexes an array: `HLIDAC_TENANT__0__SOURCE__0__SCHEDULE`), and CLI flags.
//! Precedence: defaults < file < environment < flags. What goes out: a [`Config`] that has
//! passed every check, or [`ConfigErrors`] listing each problem with its key path and a
//! hint. It must never start the daemon on a config it only half understood: unknown keys
//! are errors.

mod checks;
mod delivery;
mod identity;
mod load;
mod model;
mod tenant;
mod validate;
mod validate_delivery;
mod validate_identity;

pub use checks::Checks;
pub use delivery::*;
pub use identity::*;
pub use load::{load, load_str, ConfigError, ConfigErrors, Overrides};
pub use model::*;
pub use tenant::*;

/// A field's default written where the field is, `#[serde(default = "n64::<60>")]`: serde
/// names a function there, not a value, and these say the value at the field instead of in a
/// function of its own. Sections whose every key is optional take `#[serde(default)]` on
/// the struct and one `Default` impl instead.
fn n64<const N: u64>() -> u64 {
    N
}
fn n32<const N: u32>() -> u32 {
    N
}
fn nsize<const N: usize>() -> usize {
    N
}
fn n16<const N: u16>() -> u16 {
    N
}
fn yes() -> bool {
    true
}
