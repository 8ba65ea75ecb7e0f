//! How many parts each alert SMS takes, per template and language: the text as it is sent
//! (subject with amount and date, the payment details' short form, the overview link),
//! with a country's payment details and names of a realistic length. The test prints the
//! table and holds every alert within the planned parts.

use super::render::sms_text;
use super::sms::{plan, transliterate, Encoding};
use super::templates::Templates;
use serde_json::{json, Value};

/// An alert SMS is planned for at most this many parts in UCS-2 (diacritics or Cyrillic
/// kept), and at most [`PARTS_TRANSLITERATED`] when the tenant transliterates to GSM-7.
pub const PARTS_MAX: usize = 3;
pub const PARTS_TRANSLITERATED: usize = 2;

const KINDS: &[&str] = &[
    "receivable.new",
    "receivable.reminder",
    "receivable.overdue",
    "receivable.discount_ending",
    "receivable.paid",
    "receivable.cancelled",
    "submission.new",
    "submission.status_changed",
    "document.expiry",
    "personal.reminder",
];

/// A municipality, a fee and its payment details as each language's country has them.
fn country(locale: &str) -> (&'static str, &'static str, &'static str, Value) {
    match locale {
        "cs" => (
            "Obec Lhota",
            "Poplatek za komunální odpad",
            "CZK",
            json!({"account": "19-2000145399/0800", "variable_symbol": "7700123456"}),
        ),
        "sk" => (
            "Obec Lúčka",
            "Poplatok za komunálny odpad",
            "EUR",
            json!({"iban": "SK31 1200 0000 1987 4263 7541", "variable_symbol": "2026001234"}),
        ),
        "bg" => (
            "Община Лом",
            "Данък върху недвижимите имоти",
            "EUR",
            json!({"iban": "BG80 BNBG 9661 1020 3456 78", "reference": "Данък сгради 2026", "code": "442100"}),
        ),
        "sr-Latn" | "sr-Cyrl" => (
            "Opština Knjaževac",
            "Porez na imovinu",
            "RSD",
            json!({"account": "840-742351843-94", "model": "97", "reference": "7612345678901"}),
        ),
        _ => (
            "Lhota Municipality",
            "Waste collection fee",
            "EUR",
            json!({"iban": "CZ65 0800 0000 1920 0014 5399"}),
        ),
    }
}

fn context(locale: &str) -> Value {
    let (tenant, title, currency, payment) = country(locale);
    json!({
        "tenant": {"id": "lhota", "name": tenant},
        "topic": "receivables",
        "overview_url": "https://hlidac.lhota.cz/t/lhota/me",
        "settings_url": "https://hlidac.lhota.cz/t/lhota/settings",
        "unsubscribe_url": "https://hlidac.lhota.cz/unsubscribe/x",
        "topic_unsubscribe_url": "https://hlidac.lhota.cz/unsubscribe/y",
        "alert": {
            "key": "R1", "title": title, "period": "2026", "currency": currency,
            "amount_due": "12480.00", "amount_outstanding": "12480.00", "amount": "6240.00",
            "due_date": "2026-05-31", "days_left": 14, "days_overdue": 3, "status": "open",
            "payment": payment,
            "matter": "Žádost o povolení kácení dřevin", "filing_number": "MULH 12345/2026",
            "reference": "MULH 12345/2026", "references": [],
            "status": "in_progress", "old_status": "received",
            "discount_until": "2026-04-30", "discount_percent": "5", "discount_amount": "11856.00",
            "kind": "id_card", "valid_until": "2026-06-30", "number_masked": "****4821",
            "date": "2026-06-01", "note": "Vyzvednout nový cestovní pas na úřadě"
        }
    })
}

#[test]
fn every_alert_sms_stays_within_its_planned_parts_in_every_language() {
    let t = Templates::built_in();
    let mut table = Vec::new();
    let mut over = Vec::new();
    for locale in crate::i18n::LOCALES {
        let ctx = context(locale);
        for kind in KINDS {
            let r = t.render("x", locale, kind, &ctx).expect("renders");
            let tail = matches!(
                *kind,
                "receivable.new"
                    | "receivable.reminder"
                    | "receivable.overdue"
                    | "receivable.discount_ending"
            )
            .then(|| {
                let payment =
                    serde_json::from_value(ctx["alert"]["payment"].clone()).expect("payment");
                crate::pay::short_form(locale, &payment)
            })
            .flatten();
            let text = sms_text(r.subject, tail, &ctx);
            assert!(
                text.ends_with("https://hlidac.lhota.cz/t/lhota/me"),
                "{text}"
            );
            let kept = plan(&text);
            let gsm = plan(&transliterate(&text));
            assert_eq!(gsm.encoding, Encoding::Gsm7, "{locale} {kind}: {text}");
            table.push(format!(
                "{kind:28} {locale:8} {:>4} units {} part(s); transliterated {:>4} septets {} part(s)",
                kept.units, kept.parts, gsm.units, gsm.parts
            ));
            if kept.parts > PARTS_MAX || gsm.parts > PARTS_TRANSLITERATED {
                over.push(format!(
                    "{locale} {kind} ({} / {} parts): {text}",
                    kept.parts, gsm.parts
                ));
            }
        }
    }
    eprintln!("{}", table.join("\n"));
    assert!(
        over.is_empty(),
        "over the planned parts:\n{}",
        over.join("\n")
    );
}

#[test]
fn a_payment_sms_carries_the_amount_the_date_the_reference_and_the_link() {
    let t = Templates::built_in();
    let ctx = context("cs");
    let r = t
        .render("x", "cs", "receivable.reminder", &ctx)
        .expect("renders");
    let payment = serde_json::from_value(ctx["alert"]["payment"].clone()).expect("payment");
    let text = sms_text(r.subject, crate::pay::short_form("cs", &payment), &ctx);
    for part in [
        "6 240,00 Kč",
        "31. 5. 2026",
        "7700123456",
        "19-2000145399/0800",
        "https://hlidac.lhota.cz/t/lhota/me",
    ] {
        assert!(text.contains(part), "{part:?} missing: {text}");
    }
}
