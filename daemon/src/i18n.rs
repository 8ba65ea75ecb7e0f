//! hlidac's words in each language it speaks (Fluent catalogues in `locales/`), and
//! amounts and dates written as each language writes them. Pages, e-mails and SMS all
//! take their words from here; a test checks that every locale has every message.

use chrono::Datelike;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The languages hlidac speaks, as BCP 47 tags: Czech, Slovak, Serbian in Cyrillic and
/// in Latin script, Bulgarian, English.
pub const LOCALES: &[&str] = &["cs", "sk", "sr-Cyrl", "sr-Latn", "bg", "en"];

/// The catalogue every other is checked against.
pub const REFERENCE: &str = "en";

macro_rules! ftl {
    ($locale:literal) => {
        (
            $locale,
            include_str!(concat!("../locales/", $locale, ".ftl")),
        )
    };
}

const SOURCES: &[(&str, &str)] = &[
    ftl!("cs"),
    ftl!("sk"),
    ftl!("sr-Cyrl"),
    ftl!("sr-Latn"),
    ftl!("bg"),
    ftl!("en"),
];

pub struct Catalogues {
    bundles: Vec<(&'static str, FluentBundle<FluentResource>, BTreeSet<String>)>,
}

/// The catalogues, built once (they are compiled in; a syntax error fails the tests).
pub fn catalogues() -> &'static Catalogues {
    static CATALOGUES: OnceLock<Catalogues> = OnceLock::new();
    CATALOGUES.get_or_init(|| Catalogues::build().unwrap_or_else(|e| panic!("{e}")))
}

/// A supported locale for a requested one: exact, then by language ("sr" is Cyrillic,
/// as Serbian official use is), else English.
pub fn locale_for(requested: &str) -> &'static str {
    if let Some(l) = LOCALES.iter().find(|l| l.eq_ignore_ascii_case(requested)) {
        return l;
    }
    let lang = requested
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let latin = requested.to_ascii_lowercase().contains("latn");
    match lang.as_str() {
        "sr" if latin => "sr-Latn",
        "sr" => "sr-Cyrl",
        _ => LOCALES
            .iter()
            .find(|l| **l == lang)
            .copied()
            .unwrap_or(REFERENCE),
    }
}

impl Catalogues {
    pub fn build() -> Result<Catalogues, String> {
        let mut bundles = Vec::new();
        for (locale, source) in SOURCES {
            let resource = FluentResource::try_new(source.to_string())
                .map_err(|(_, errors)| format!("locales/{locale}.ftl: {errors:?}"))?;
            let ids: BTreeSet<String> = resource
                .entries()
                .filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                    _ => None,
                })
                .collect();
            let langid: unic_langid::LanguageIdentifier = locale
                .parse()
                .map_err(|e| format!("locale {locale}: {e}"))?;
            let mut bundle = FluentBundle::new_concurrent(vec![langid]);
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|e| format!("locales/{locale}.ftl: {e:?}"))?;
            bundles.push((*locale, bundle, ids));
        }
        Ok(Catalogues { bundles })
    }

    /// The message ids of a locale's catalogue.
    pub fn ids(&self, locale: &str) -> BTreeSet<String> {
        self.bundles
            .iter()
            .find(|(l, _, _)| *l == locale)
            .map(|(_, _, ids)| ids.clone())
            .unwrap_or_default()
    }

    /// A message in `locale` (English when the locale lacks it; the id itself when no
    /// catalogue has it, which a test prevents).
    pub fn t(&self, locale: &str, id: &str, args: &[(&str, Arg)]) -> String {
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            let value = match v {
                Arg::Num(n) => FluentValue::from(*n),
                Arg::Str(s) => FluentValue::from(s.clone()),
            };
            fargs.set(k.to_string(), value);
        }
        for l in [locale_for(locale), REFERENCE] {
            let Some((_, bundle, _)) = self.bundles.iter().find(|(b, _, _)| *b == l) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
            return text.into_owned();
        }
        id.to_string()
    }
}

/// An argument of a message.
#[derive(Clone, Debug)]
pub enum Arg {
    Num(f64),
    Str(String),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Str(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}
impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Num(n as f64)
    }
}

/// A message with arguments, from the built-in catalogues.
pub fn t(locale: &str, id: &str, args: &[(&str, Arg)]) -> String {
    catalogues().t(locale, id, args)
}

/// `n` days, with the locale's plural form ("1 den, 2 dny, 5 dní").
pub fn days(locale: &str, n: i64) -> String {
    t(locale, "days", &[("n", n.into())])
}

/// A submission status code in words.
pub fn status(locale: &str, code: &str) -> String {
    t(locale, "status", &[("code", code.into())])
}

/// Groups the integer part with `sep` every three digits.
fn group(whole: &str, sep: &str) -> String {
    let mut out = String::new();
    let n = whole.chars().count();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(ch);
    }
    out
}

/// The symbol a locale writes after an amount in `currency`.
fn symbol<'a>(locale: &str, currency: &'a str) -> &'a str {
    match (locale, currency) {
        ("cs" | "sk", "CZK") => "Kč",
        (_, "EUR") => "€",
        ("bg", "BGN") => "лв.",
        ("sr-Cyrl", "RSD") => "дин.",
        ("sr-Latn", "RSD") => "din.",
        _ => currency,
    }
}

/// An amount given as a decimal string ("1200.5") in the locale's way: `1 200,50 Kč`
/// (cs, sk, bg), `1.200,50 дин.` (sr), `CZK 1,200.50` (en). Anything else is returned
/// as it is.
pub fn money(locale: &str, amount: &str, currency: &str) -> String {
    let locale = locale_for(locale);
    let (neg, digits) = match amount.trim().strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", amount.trim()),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return amount.to_string();
    }
    let frac = format!("{frac:0<2}");
    const NBSP: &str = "\u{a0}";
    match locale {
        "en" => format!("{neg}{currency} {}.{frac}", group(whole, ",")),
        "sr-Cyrl" | "sr-Latn" => format!(
            "{neg}{},{frac}{NBSP}{}",
            group(whole, "."),
            symbol(locale, currency)
        ),
        _ => format!(
            "{neg}{},{frac}{NBSP}{}",
            group(whole, NBSP),
            symbol(locale, currency)
        ),
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date in the locale's way: `31. 5. 2026` (cs, sk), `31.05.2026 г.` (bg),
/// `31.05.2026.` (sr), `31 May 2026` (en).
pub fn date(locale: &str, d: chrono::NaiveDate) -> String {
    match locale_for(locale) {
        "cs" | "sk" => format!("{}. {}. {}", d.day(), d.month(), d.year()),
        "bg" => format!("{:02}.{:02}.{} г.", d.day(), d.month(), d.year()),
        "sr-Cyrl" | "sr-Latn" => format!("{:02}.{:02}.{}.", d.day(), d.month(), d.year()),
        _ => format!(
            "{} {} {}",
            d.day(),
            MONTHS_EN[d.month0() as usize],
            d.year()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_every_message_and_no_other() {
        let c = catalogues();
        let reference = c.ids(REFERENCE);
        assert!(reference.len() > 50, "{} messages", reference.len());
        for locale in LOCALES {
            let ids = c.ids(locale);
            let missing: Vec<_> = reference.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(&reference).collect();
            assert!(missing.is_empty(), "{locale} lacks {missing:?}");
            assert!(extra.is_empty(), "{locale} has unknown {extra:?}");
        }
    }

    /// Words a citizen read one way and meant another (a review on a phone): one word for
    /// two actions, a fee called a payment, jargon, the wrong gender or register.
    #[test]
    fn the_words_a_citizen_reads_say_one_thing_each() {
        let tenant = [("tenant", Arg::from("Obec Lhota"))];
        for locale in LOCALES {
            let w = |id: &str| t(locale, id, &tenant);
            assert_ne!(w("logout"), w("unsubscribe-title"), "{locale}");
            assert_ne!(w("logged-out-text"), w("unsubscribe-done"), "{locale}");
            assert!(!w("footer-text").contains("JavaScript"), "{locale}");
            assert!(!w("consent-intro").contains("obce Obec"), "{locale}");
            assert!(!w("verify-email-body").contains("obce Obec"), "{locale}");
        }
        for (locale, id, has, not) in [
            (
                "cs",
                "receivable-new-subject",
                "nový poplatek k úhradě",
                "platba",
            ),
            ("cs", "receivable-paid-subject", "je zaplacen", "uhrazena"),
            ("cs", "logout", "Odhlásit se", "Zastavit"),
            ("cs", "consent-data-text", "otisk", "klíčované"),
            ("en", "receivable-new-subject", "new bill", "payment"),
            ("bg", "me-valid-until", "валидност", "валиден"),
            ("bg", "consent-yes", "Приемам, продължете", "Съгласен"),
            ("sr-Latn", "nav-export", "svoje", "moje"),
            ("sr-Cyrl", "nav-export", "своје", "моје"),
            ("sr-Latn", "unsubscribe-done", "isključena", "Odjavljeni"),
        ] {
            let text = t(locale, id, &tenant);
            assert!(
                text.contains(has) && !text.contains(not),
                "{locale} {id}: {text}"
            );
        }
    }

    #[test]
    fn plural_forms_follow_each_language() {
        let cases: &[(&str, &[(i64, &str)])] = &[
            (
                "cs",
                &[
                    (1, "1 den"),
                    (2, "2 dny"),
                    (4, "4 dny"),
                    (5, "5 dní"),
                    (0, "0 dní"),
                ],
            ),
            ("sk", &[(1, "1 deň"), (3, "3 dni"), (5, "5 dní")]),
            (
                "sr-Cyrl",
                &[
                    (1, "1 дан"),
                    (2, "2 дана"),
                    (5, "5 дана"),
                    (21, "21 дан"),
                    (11, "11 дана"),
                ],
            ),
            (
                "sr-Latn",
                &[(1, "1 dan"), (2, "2 dana"), (5, "5 dana"), (21, "21 dan")],
            ),
            ("bg", &[(1, "1 ден"), (2, "2 дни"), (5, "5 дни")]),
            ("en", &[(1, "1 day"), (2, "2 days")]),
        ];
        for (locale, expected) in cases {
            for (n, want) in *expected {
                assert_eq!(days(locale, *n), *want, "{locale} {n}");
            }
        }
    }

    #[test]
    fn amounts_and_dates_are_written_the_local_way() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 5, 3).expect("date");
        assert_eq!(money("cs", "1200", "CZK"), "1\u{a0}200,00\u{a0}Kč");
        assert_eq!(
            money("sk", "1234567.5", "EUR"),
            "1\u{a0}234\u{a0}567,50\u{a0}€"
        );
        assert_eq!(money("bg", "-45.10", "BGN"), "-45,10\u{a0}лв.");
        assert_eq!(money("sr-Cyrl", "1200.00", "RSD"), "1.200,00\u{a0}дин.");
        assert_eq!(money("sr-Latn", "1200.00", "RSD"), "1.200,00\u{a0}din.");
        assert_eq!(money("en", "1200.00", "CZK"), "CZK 1,200.00");
        assert_eq!(money("cs", "<b>", "CZK"), "<b>", "not an amount: as given");
        assert_eq!(date("cs", d), "3. 5. 2026");
        assert_eq!(date("bg", d), "03.05.2026 г.");
        assert_eq!(date("sr-Latn", d), "03.05.2026.");
        assert_eq!(date("en", d), "3 May 2026");
        assert_eq!(locale_for("sr"), "sr-Cyrl");
        assert_eq!(locale_for("sr-latn"), "sr-Latn");
        assert_eq!(locale_for("de"), "en");
        assert_eq!(status("bg", "resolved"), "решено");
        assert_eq!(status("cs", "vendor_code"), "vendor_code");
    }
}
