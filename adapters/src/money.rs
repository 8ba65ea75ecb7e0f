//! Money on the wire: hundredths of the currency unit carried as a decimal string.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An amount of money in hundredths of the currency unit, carried as a decimal string
/// (`"900.00"`) on the wire. Floats are rejected: a fee must never be off by a rounding error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

impl Money {
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parses `"900"`, `"900.5"`, `"900.50"` or `"-12.00"`; at most two decimals.
    pub fn parse(text: &str) -> Result<Money, String> {
        let t = text.trim();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 2 {
            return Err(format!(
                "amount {text:?} is not a decimal string such as \"900.00\""
            ));
        }
        let whole: i64 = whole
            .parse()
            .map_err(|_| format!("amount {text:?} is too large"))?;
        let mut cents: i64 = frac.parse::<i64>().unwrap_or(0);
        if frac.len() == 1 {
            cents *= 10;
        }
        let value = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(cents))
            .ok_or_else(|| format!("amount {text:?} is too large"))?;
        Ok(Money(if neg { -value } else { value }))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal string such as \"900.00\" (never a number)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                Money::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_decimal_strings_only() {
        assert_eq!(Money::parse("900.00"), Ok(Money(90000)));
        assert_eq!(Money::parse("900.5"), Ok(Money(90050)));
        assert_eq!(Money::parse("12"), Ok(Money(1200)));
        assert_eq!(Money::parse("-3.07"), Ok(Money(-307)));
        for bad in [
            "",
            "1.234",
            "1e3",
            "abc",
            ".5",
            "1,00",
            "99999999999999999999",
        ] {
            assert!(Money::parse(bad).is_err(), "{bad} must be rejected");
        }
        assert!(
            serde_json::from_str::<Money>("900.0").is_err(),
            "floats are rejected"
        );
        assert_eq!(Money(90000).to_string(), "900.00");
        assert_eq!(Money(-5).to_string(), "-0.05");
    }
}
