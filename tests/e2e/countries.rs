//! What a citizen of each country reads, through a real SMTP server: the payment details
//! in the country's own terms, each labelled in the citizen's language, the country's
//! payment QR code inline in the e-mail (read back as a banking app would), and a
//! submission named by the reference the citizen knows, never by the source's key.

use crate::helpers::*;
use hlidac_adapters::{
    Instalment, Money, PaymentInfo, Receivable, Submission, SubmissionReference,
};
use hlidac_sim::Scenario;

const RS_CYRL: &str = "RS-0001";
const RS_LATN: &str = "RS-0002";
const BG: &str = "BG-0001";
const SK: &str = "SK-0001";
const BG_INDEX: &str = "94-00-123/12.03.2026";
const BG_CODE: &str = "K7Q2-9XLM";

fn mail_of(person: &str) -> String {
    format!("{}@lhota.example", person.to_lowercase())
}

fn tax(
    key: &str,
    person: &str,
    title: &str,
    currency: &str,
    cents: i64,
    p: PaymentInfo,
) -> Receivable {
    let mut r = fee(key, person, title, cents, "2026-05-31");
    r.currency = currency.into();
    r.payment = Some(p);
    r
}

fn case(key: &str, person: &str, reference: SubmissionReference) -> Submission {
    let mut s = submission(key, person, "Zahtev", "");
    s.reference = reference;
    s.status_native = None;
    s
}

fn serbian(person: &str, key: &str) -> (Receivable, Submission) {
    let fee = tax(
        &format!("R-{key}"),
        person,
        "Porez na imovinu 2026",
        "RSD",
        1_234_500,
        PaymentInfo {
            account: Some("840-742351843-94".into()),
            model: Some("97".into()),
            reference: Some("76123456".into()),
            code: Some("253".into()),
            ..Default::default()
        },
    );
    let case = case(
        &format!("KG-ZUP-2026-{key}"),
        person,
        SubmissionReference {
            case_number: Some("351-917/2026".into()),
            ..Default::default()
        },
    );
    (fee, case)
}

fn scenario() -> Scenario {
    let (rs_fee, rs_case) = serbian(RS_CYRL, "0917");
    let (rl_fee, rl_case) = serbian(RS_LATN, "0918");
    let mut waste = fee(
        "R-2026-101",
        JANA,
        "Poplatek za odpady",
        90000,
        "2026-05-31",
    );
    waste.instalments = vec![
        Instalment {
            no: 1,
            due_date: date("2026-05-31"),
            amount: Money(45000),
            paid: false,
        },
        Instalment {
            no: 2,
            due_date: date("2026-09-30"),
            amount: Money(45000),
            paid: false,
        },
    ];
    Scenario {
        receivables: vec![
            waste,
            rs_fee,
            rl_fee,
            tax(
                "R-BG-1",
                BG,
                "Данък върху недвижимите имоти 2026",
                "EUR",
                15000,
                PaymentInfo {
                    iban: Some("BG80BNBG96611020345678".into()),
                    bic: Some("BNBGBGSF".into()),
                    reference: Some("Данък сгради 2026".into()),
                    code: Some("442100".into()),
                    ..Default::default()
                },
            ),
            tax(
                "R-SK-1",
                SK,
                "Daň z nehnuteľností 2026",
                "EUR",
                4000,
                PaymentInfo {
                    iban: Some("SK3112000000198742637541".into()),
                    variable_symbol: Some("2026001".into()),
                    constant_symbol: Some("0308".into()),
                    specific_symbol: Some("123".into()),
                    ..Default::default()
                },
            ),
        ],
        submissions: vec![
            submission("S-CZ-1", JANA, "Žádost o kácení", "MULH 12/2026"),
            rs_case,
            rl_case,
            // Filed at the counter: followed by its registration index and access code,
            // not by the person.
            case(
                "BG-DOC-77",
                "BG-FILER-77",
                SubmissionReference {
                    registration_index: Some(BG_INDEX.into()),
                    ..Default::default()
                },
            ),
        ],
        access_codes: [("BG-DOC-77".to_string(), BG_CODE.to_string())].into(),
        ..Scenario::default()
    }
}

/// The one mail to `to` whose subject has `about`.
fn find<'a>(mails: &'a [Mail], to: &str, about: &str) -> &'a Mail {
    let found: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.to.contains(to) && m.subject.contains(about))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one mail to {to} about {about:?} in {mails:#?}"
    );
    found[0]
}

fn has_all(m: &Mail, lines: &[&str]) {
    for l in lines {
        assert!(m.body.contains(l), "{l:?} missing in:\n{}", m.body);
    }
}

/// The payment QR code inline in the e-mail, read back.
fn qr_of(m: &Mail) -> String {
    assert_eq!(m.images.len(), 1, "one inline image in {}", m.subject);
    assert!(m.html.contains("cid:payment-qr"), "{}", m.html);
    assert!(
        m.images[0].cid.contains("payment-qr"),
        "{:?}",
        m.images[0].cid
    );
    scan_qr(&m.images[0].png)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_country_reads_its_own_payment_details_and_references() {
    let mut t = TestApp::on_sqlite(scenario(), morning("2026-05-01")).await;
    for (person, locale) in [
        (RS_CYRL, "sr-Cyrl"),
        (RS_LATN, "sr-Latn"),
        (BG, "bg"),
        (SK, "sk"),
    ] {
        let (id, _) = t
            .app
            .enrol("lhota", person, &mail_of(person), Some(locale))
            .await
            .expect("enrol");
        if person == BG {
            t.app
                .track(&id, "agenda", BG_INDEX, BG_CODE)
                .await
                .expect("follow the document");
        }
    }
    let mails = t.cycle().await;
    assert_eq!(mails.len(), 9, "{mails:#?}");

    // Czech: a waste fee in instalments, with QR Platba; a submission by its reference
    // number.
    let m = find(&mails, JANA_MAIL, "Poplatek za odpady");
    has_all(m, &["Variabilní symbol: 77101", "31. 5. 2026"]);
    let code = qr_of(m);
    assert!(
        code.starts_with("SPD*1.0*ACC:CZ") && code.contains("*AM:900.00*CC:CZK*X-VS:77101"),
        "{code}"
    );
    let m = find(&mails, JANA_MAIL, "MULH 12/2026");
    assert!(m.body.contains("MULH 12/2026"), "{}", m.body);

    // Serbian, in Cyrillic and in Latin script: the account, model 97 and the reference,
    // the payment code, the IPS QR code; the case by its case number, not the key.
    for (person, key, labels) in [
        (
            RS_CYRL,
            "KG-ZUP-2026-0917",
            [
                "Рачун: 840-742351843-94",
                "Позив на број: 97 76123456",
                "Шифра плаћања: 253",
                "NBS IPS QR",
                "Број предмета: 351-917/2026",
            ],
        ),
        (
            RS_LATN,
            "KG-ZUP-2026-0918",
            [
                "Račun: 840-742351843-94",
                "Poziv na broj: 97 76123456",
                "Šifra plaćanja: 253",
                "NBS IPS QR",
                "Broj predmeta: 351-917/2026",
            ],
        ),
    ] {
        let to = mail_of(person);
        let m = find(&mails, &to, "Porez na imovinu 2026");
        has_all(m, &labels[..4]);
        let lang = format!(
            "<html lang=\"{}\">",
            if person == RS_CYRL {
                "sr-Cyrl"
            } else {
                "sr-Latn"
            }
        );
        assert!(
            m.html.contains(&lang),
            "the HTML part says its language: {}",
            m.html
        );
        assert_eq!(
            qr_of(m),
            "K:PR|V:01|C:1|R:840000074235184394|N:Obec Lhota|I:RSD12345,00|SF:253|S:Porez na imovinu 2026|RO:9776123456"
        );
        let m = find(&mails, &to, "351-917/2026");
        has_all(m, &labels[4..]);
        assert!(
            !m.body.contains(key) && !m.subject.contains(key),
            "{}",
            m.body
        );
    }

    // Bulgarian, in EUR: IBAN, BIC, payment reason and code, the EPC QR code; a document
    // followed by its registration index and access code, named by the index.
    let to = mail_of(BG);
    let m = find(&mails, &to, "Данък върху недвижимите имоти 2026");
    has_all(
        m,
        &[
            "IBAN: BG80BNBG96611020345678",
            "Основание за плащане: Данък сгради 2026",
            "Код за вид плащане: 442100",
            "EPC QR",
        ],
    );
    assert_eq!(
        qr_of(m),
        "BCD\n002\n1\nSCT\n\nObec Lhota\nBG80BNBG96611020345678\nEUR150.00\n\n\nДанък сгради 2026"
    );
    let m = find(&mails, &to, BG_INDEX);
    has_all(m, &["Регистрационен индекс: 94-00-123/12.03.2026"]);
    assert!(!m.body.contains("BG-DOC-77"), "{}", m.body);

    // Slovak, in EUR: IBAN with the three symbols, the EPC QR code.
    let m = find(&mails, &mail_of(SK), "Daň z nehnuteľností 2026");
    has_all(
        m,
        &[
            "IBAN: SK3112000000198742637541",
            "Variabilný symbol: 2026001",
            "Konštantný symbol: 0308",
            "Špecifický symbol: 123",
        ],
    );
    assert_eq!(
        qr_of(m),
        "BCD\n002\n1\nSCT\n\nObec Lhota\nSK3112000000198742637541\nEUR40.00\n\n\n2026001"
    );
}
