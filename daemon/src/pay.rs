//! Payment QR codes for a receivable (on the overview page and in the e-mails): Czech "QR Platba" (SPAYD 1.0) for CZK, the EPC QR
//! code (SEPA credit transfer) for EUR (Slovak and Bulgarian fees alike), and the National
//! Bank of Serbia's IPS QR code for RSD, drawn as PNG.
//!
//! What comes in: the receivable's account or IBAN, amount, currency and variable symbol
//! or reference, as the municipality's system gave them. What goes out: the payment
//! string (None when it cannot be made correctly) and its image.

use hlidac_adapters::{Money, PaymentInfo, Receivable, ReceivableKind, ReceivableStatus};
use serde::Deserialize;

/// A Czech account number `[prefix-]number/bank` as an IBAN (CZkk bbbb pppppp nnnnnnnnnn).
pub fn czech_iban(account: &str) -> Option<String> {
    let (left, bank) = account.trim().split_once('/')?;
    let (prefix, number) = left.split_once('-').unwrap_or(("", left));
    let digits = |s: &str, n: usize| {
        (s.len() <= n && s.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{s:0>n$}"))
    };
    if bank.len() != 4 {
        return None;
    }
    let (bank, prefix, number) = (digits(bank, 4)?, digits(prefix, 6)?, digits(number, 10)?);
    if number.trim_start_matches('0').is_empty() {
        return None;
    }
    let bban = format!("{bank}{prefix}{number}");
    Some(format!("CZ{:02}{bban}", iban_check(&bban, "CZ")?))
}

/// The two check digits of an IBAN (ISO 13616, mod 97).
fn iban_check(bban: &str, country: &str) -> Option<u32> {
    let mut rest = 0u32;
    for ch in format!("{bban}{country}00").chars() {
        let v = ch.to_digit(36)?;
        for d in v.to_string().chars() {
            rest = (rest * 10 + d.to_digit(10)?) % 97;
        }
    }
    Some(98 - rest)
}

/// Whether an IBAN's check digits hold.
pub fn iban_valid(iban: &str) -> bool {
    let iban: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if iban.len() < 15 || iban.len() > 34 || !iban.is_ascii() {
        return false;
    }
    let (head, bban) = iban.split_at(4);
    let (country, check) = head.split_at(2);
    match (check.parse::<u32>(), iban_check(bban, country)) {
        (Ok(c), Some(want)) => c == want,
        _ => false,
    }
}

/// An IBAN as people write it: in groups of four.
pub fn iban_grouped(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The receivable's IBAN: given, or made from a Czech account number.
pub fn iban_of(r: &Receivable) -> Option<String> {
    let p = r.payment.as_ref()?;
    let iban = match (&p.iban, &p.account) {
        (Some(i), _) => i.chars().filter(|c| !c.is_whitespace()).collect(),
        (None, Some(a)) => czech_iban(a)?,
        (None, None) => return None,
    };
    iban_valid(&iban).then_some(iban)
}

/// A SPAYD value: no `*`, printable, at most `max` characters.
fn spayd_text(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| *c != '*' && !c.is_control())
        .take(max)
        .collect()
}

/// "QR Platba" for a CZK receivable: `SPD*1.0*ACC:…*AM:…*CC:CZK*X-VS:…*MSG:…`.
pub fn spayd(r: &Receivable) -> Option<String> {
    if r.currency != "CZK" {
        return None;
    }
    let amount = r.amount_outstanding.to_string();
    if amount.starts_with('-') || amount.parse::<f64>().ok()? <= 0.0 {
        return None;
    }
    let mut s = format!("SPD*1.0*ACC:{}*AM:{amount}*CC:CZK", iban_of(r)?);
    if let Some(vs) = r
        .payment
        .as_ref()
        .and_then(|p| p.variable_symbol.as_deref())
    {
        if vs.len() <= 10 && vs.bytes().all(|b| b.is_ascii_digit()) {
            s.push_str(&format!("*X-VS:{vs}"));
        }
    }
    let msg = spayd_text(&r.title, 60);
    if !msg.is_empty() {
        s.push_str(&format!("*MSG:{msg}"));
    }
    Some(s)
}

/// The EPC QR code (version 002, UTF-8, SEPA credit transfer) for a EUR receivable.
pub fn epc(r: &Receivable, beneficiary: &str) -> Option<String> {
    if r.currency != "EUR" {
        return None;
    }
    let amount = r.amount_outstanding.to_string();
    let value: f64 = amount.parse().ok()?;
    if !(0.01..=999_999_999.99).contains(&value) {
        return None;
    }
    let p = r.payment.as_ref()?;
    let reference = p
        .reference
        .as_deref()
        .or(p.variable_symbol.as_deref())
        .unwrap_or(&r.title);
    let line = |s: &str, max: usize| -> String {
        s.chars().filter(|c| !c.is_control()).take(max).collect()
    };
    Some(
        [
            "BCD".to_string(),
            "002".into(),
            "1".into(),
            "SCT".into(),
            String::new(),
            line(beneficiary, 70),
            iban_of(r)?,
            format!("EUR{value:.2}"),
            String::new(),
            String::new(),
            line(reference, 140),
        ]
        .join("\n"),
    )
}

/// A Serbian account in its 18-digit form (bank 3, number 13, check 2), from
/// `160-0000000012345-67`, `160-12345-67` or the 18 digits; `None` when its check digits
/// (mod 97) do not hold.
pub fn serbian_account(account: &str) -> Option<String> {
    let parts: Vec<&str> = account.trim().split('-').collect();
    let digits = match parts.as_slice() {
        [all] if all.len() == 18 => all.to_string(),
        [bank, number, check] if bank.len() == 3 && check.len() == 2 && number.len() <= 13 => {
            format!("{bank}{number:0>13}{check}")
        }
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The same mod-97 check digits as an IBAN's, over the first 16 digits alone.
    let (body, check) = digits.split_at(16);
    (check.parse::<u32>().ok()? == iban_check(body, "")?).then_some(digits)
}

/// The IPS QR code of the National Bank of Serbia ("NBS IPS QR", payment order `PR`) for
/// an RSD receivable: `K:PR|V:01|C:1|R:<18 digits>|N:<payee>|I:RSD<amount>|SF:<code>|S:…|RO:…`.
/// It needs the account and the payment code (`SF` is mandatory; never guessed).
pub fn ips(r: &Receivable, beneficiary: &str) -> Option<String> {
    if r.currency != "RSD" || r.amount_outstanding.0 <= 0 {
        return None;
    }
    let p = r.payment.as_ref()?;
    let account = serbian_account(p.account.as_deref()?)?;
    let code = p.code.as_deref().map(str::trim)?;
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let text = |s: &str, max: usize| -> String {
        s.chars()
            .filter(|c| *c != '|' && !c.is_control())
            .take(max)
            .collect()
    };
    let amount = r.amount_outstanding.to_string().replace('.', ",");
    let mut out = format!(
        "K:PR|V:01|C:1|R:{account}|N:{}|I:RSD{amount}|SF:{code}|S:{}",
        text(beneficiary, 70),
        text(&r.title, 35)
    );
    if let (Some(model), Some(reference)) = (p.model.as_deref(), p.reference.as_deref()) {
        let reference: String = reference
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(22)
            .collect();
        if model.len() == 2 && model.bytes().all(|b| b.is_ascii_digit()) && !reference.is_empty() {
            out.push_str(&format!("|RO:{model}{reference}"));
        }
    }
    Some(out)
}

/// What an alert's payload says of a fee to pay (the rest of it is for the template).
#[derive(serde::Deserialize)]
struct Payable {
    key: String,
    #[serde(default)]
    title: String,
    currency: String,
    amount: Option<Money>,
    discount_amount: Option<Money>,
    payment: PaymentInfo,
}

/// The payment code for what an alert asks to be paid: the receivable it was made from,
/// for the alert's amount (an instalment's, the discounted one, or what is outstanding).
pub fn alert_code(
    payload: &serde_json::Value,
    beneficiary: &str,
) -> Option<(String, &'static str)> {
    let p = Payable::deserialize(payload).ok()?;
    let amount = p.discount_amount.or(p.amount)?;
    let r = Receivable {
        key: p.key,
        person_ref: String::new(),
        kind: ReceivableKind::Other,
        kind_native: None,
        title: p.title,
        period: None,
        currency: p.currency,
        amount_due: amount,
        amount_outstanding: amount,
        instalments: Vec::new(),
        due_date: None,
        early_discount: None,
        payment: Some(p.payment),
        status: ReceivableStatus::Open,
        updated_at: None,
        version: None,
    };
    payment_code(&r, beneficiary)
}

/// The payment details an SMS carries after its text, labelled in the citizen's language:
/// the account (or IBAN), then the one reference that identifies the payment in the
/// country's terms: the variable symbol (Czech, Slovak), the model and reference
/// (Serbian), the payment code (Bulgarian), else the reference. The e-mail and the
/// overview have the rest. `None` without any.
pub fn short_form(locale: &str, p: &PaymentInfo) -> Option<String> {
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    let label = |id: &str| crate::i18n::t(locale, id, &[]);
    let account = given(&p.account)
        .map(|a| ("label-account", a.to_string()))
        .or_else(|| given(&p.iban).map(|i| ("label-iban", i.to_string())));
    let reference = given(&p.variable_symbol)
        .map(|v| ("label-variable-symbol", v.to_string()))
        .or_else(|| {
            let m = given(&p.model)?;
            Some((
                "label-payment-reference",
                format!("{m} {}", given(&p.reference)?),
            ))
        })
        .or_else(|| given(&p.code).map(|c| ("label-payment-code", c.to_string())))
        .or_else(|| given(&p.reference).map(|r| ("label-payment-reference", r.to_string())));
    let parts: Vec<String> = [account, reference]
        .into_iter()
        .flatten()
        .map(|(id, v)| format!("{}: {v}", label(id)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The payment string for a receivable and which kind it is (its caption's message id).
pub fn payment_code(r: &Receivable, beneficiary: &str) -> Option<(String, &'static str)> {
    spayd(r)
        .map(|s| (s, "qr-caption-spayd"))
        .or_else(|| epc(r, beneficiary).map(|s| (s, "qr-caption-epc")))
        .or_else(|| ips(r, beneficiary).map(|s| (s, "qr-caption-ips")))
}

/// A QR code as a black-on-white PNG with a quiet zone, `scale` pixels per module.
pub fn qr_png(text: &str, scale: usize) -> Option<Vec<u8>> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let side = (width + 2 * quiet) * scale;
    let mut pixels = vec![255u8; side * side];
    for y in 0..width {
        for x in 0..width {
            if colors[y * width + x] == qrcode::Color::Dark {
                for dy in 0..scale {
                    let row = (y + quiet) * scale + dy;
                    let start = row * side + (x + quiet) * scale;
                    pixels[start..start + scale].fill(0);
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().ok()?;
        writer.write_image_data(&pixels).ok()?;
    }
    Some(out)
}

/// The end-to-end tests' reader of a QR code in an e-mail, used by the tests here too.
#[cfg(test)]
#[path = "../../tests/e2e/helpers/qr.rs"]
mod qr_reader;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn czech_accounts_become_valid_ibans() {
        // The Czech National Bank's own example.
        assert_eq!(
            czech_iban("19-2000145399/0800").as_deref(),
            Some("CZ6508000000192000145399")
        );
        assert!(iban_valid("CZ65 0800 0000 1920 0014 5399"));
        assert!(!iban_valid("CZ66 0800 0000 1920 0014 5399"));
        assert!(iban_valid("SK3112000000198742637541"));
        assert_eq!(czech_iban("12345/08"), None, "a bank code has four digits");
        assert_eq!(czech_iban("abc/0800"), None);
        assert_eq!(czech_iban("<script>/0800"), None);
    }

    fn receivable(currency: &str, cents: i64, payment: hlidac_adapters::PaymentInfo) -> Receivable {
        serde_json::from_value(json!({
            "key": "R1", "person_ref": "", "kind": "waste_fee", "title": "Poplatek*za odpady",
            "currency": currency, "amount_due": hlidac_adapters::Money(cents),
            "amount_outstanding": hlidac_adapters::Money(cents), "payment": payment,
            "status": "open",
        }))
        .expect("a receivable")
    }

    fn payment(json: serde_json::Value) -> PaymentInfo {
        serde_json::from_value(json).expect("payment")
    }

    /// The receivable's payment code for `payee`, drawn and read back as a phone's camera
    /// would; the code must be of the kind its caption names.
    fn scanned_code(r: &Receivable, payee: &str, caption: &str) -> String {
        let (code, named) = payment_code(r, payee).expect(caption);
        assert_eq!(named, caption);
        scanned(&code)
    }

    /// Draws the code and reads it back as a phone's camera would.
    fn scanned(text: &str) -> String {
        use base64::Engine as _;
        let png = qr_png(text, 4).expect("png");
        qr_reader::scan_qr(&base64::engine::general_purpose::STANDARD.encode(png))
    }

    #[test]
    fn an_sms_carries_the_payment_details_in_short_in_each_country_s_terms() {
        let serbian = payment(json!({"account": "840-742351843-94", "model": "97",
            "reference": "76123456", "code": "253"}));
        assert_eq!(
            short_form("sr-Latn", &serbian).as_deref(),
            Some("Račun: 840-742351843-94, Poziv na broj: 97 76123456")
        );
        let bulgarian = payment(json!({"iban": "BG80BNBG96611020345678", "bic": "BNBGBGSF",
            "reference": "Данък сгради 2026", "code": "442100"}));
        assert_eq!(
            short_form("bg", &bulgarian).as_deref(),
            Some("IBAN: BG80BNBG96611020345678, Код за вид плащане: 442100")
        );
        let czech = payment(json!({"account": "19-1234567/0100", "iban": "CZ65…",
            "variable_symbol": "77101"}));
        assert_eq!(
            short_form("cs", &czech).as_deref(),
            Some("Číslo účtu: 19-1234567/0100, Variabilní symbol: 77101"),
            "the account as the citizen knows it, not both"
        );
        assert_eq!(short_form("cs", &PaymentInfo::default()), None);
    }

    #[test]
    fn serbian_accounts_have_18_digits_and_hold_their_check() {
        assert_eq!(
            serbian_account("840-742351843-94").as_deref(),
            Some("840000074235184394")
        );
        assert_eq!(
            serbian_account("840000074235184394").as_deref(),
            Some("840000074235184394")
        );
        assert_eq!(serbian_account("840-742351843-95"), None, "a bad check");
        assert_eq!(serbian_account("84-742351843-94"), None);
        assert_eq!(serbian_account("840-7423518x3-94"), None);
    }

    #[test]
    fn payment_codes_decode_back_to_the_payment() {
        let czk = receivable(
            "CZK",
            120_050,
            payment(json!({"account": "19-2000145399/0800", "variable_symbol": "1337"})),
        );
        assert_eq!(
            scanned_code(&czk, "Obec Lhota", "qr-caption-spayd"),
            "SPD*1.0*ACC:CZ6508000000192000145399*AM:1200.50*CC:CZK*X-VS:1337*MSG:Poplatekza odpady",
            "no '*' inside a value"
        );
        let eur = receivable(
            "EUR",
            4_590,
            payment(json!({"iban": "SK31 1200 0000 1987 4263 7541", "reference": "2026/117"})),
        );
        let epc = scanned_code(&eur, "Obec Ves", "qr-caption-epc");
        let lines: Vec<&str> = epc.lines().collect();
        assert_eq!(
            lines,
            [
                "BCD",
                "002",
                "1",
                "SCT",
                "",
                "Obec Ves",
                "SK3112000000198742637541",
                "EUR45.90",
                "",
                "",
                "2026/117"
            ]
        );
        let rsd = receivable(
            "RSD",
            359_613,
            payment(json!({"account": "840-742351843-94", "model": "97",
            "reference": "76123456", "code": "253"})),
        );
        assert_eq!(
            scanned_code(&rsd, "Grad Kragujevac", "qr-caption-ips"),
            "K:PR|V:01|C:1|R:840000074235184394|N:Grad Kragujevac|I:RSD3596,13|SF:253|S:Poplatek*za odpady|RO:9776123456"
        );
        let no_code = hlidac_adapters::PaymentInfo {
            code: None,
            ..rsd.payment.clone().expect("p")
        };
        assert!(
            payment_code(&receivable("RSD", 100, no_code), "x").is_none(),
            "no payment code, no IPS code: SF is never guessed"
        );
        // Nothing to pay, a bad account, another currency: no code at all.
        assert!(
            payment_code(&receivable("CZK", 0, czk.payment.clone().expect("p")), "x").is_none()
        );
        let bad = payment(json!({"account": "19-2000145398/0800",
            "iban": "CZ00 0800 0000 1920 0014 5399"}));
        assert!(
            payment_code(&receivable("CZK", 100, bad), "x").is_none(),
            "a bad IBAN"
        );
        assert!(payment_code(
            &receivable("RSD", 100, czk.payment.clone().expect("p")),
            "x"
        )
        .is_none());
    }

    #[test]
    fn an_alert_is_paid_for_its_discounted_amount_when_it_has_one() {
        let alert = |extra: serde_json::Value| {
            let mut p = json!({
                "key": "R-1", "title": "Poplatek", "currency": "CZK", "amount": "900.00",
                "payment": {"account": "19-2000145399/0800", "variable_symbol": "77101"}
            });
            p.as_object_mut()
                .expect("object")
                .extend(extra.as_object().expect("object").clone());
            alert_code(&p, "Obec Lhota").map(|(code, _)| code)
        };
        let full = alert(json!({})).expect("a code");
        assert!(full.contains("*AM:900.00*"), "{full}");
        let discounted = alert(json!({"discount_amount": "855.00"})).expect("a code");
        assert!(discounted.contains("*AM:855.00*"), "{discounted}");
        assert_eq!(alert(json!({"discount_amount": null})), Some(full));
        assert_eq!(alert(json!({"amount": null})), None, "nothing to pay");
        assert_eq!(alert(json!({"payment": null})), None);
        assert_eq!(alert(json!({"amount": 900})), None, "never a number");
    }
}
