//! Alert templates (minijinja) per event kind: one built-in set whose words all come
//! from the Fluent catalogues (`t("message-id", arg=…)`), rendered in the citizen's
//! locale, with locale-aware filters for amounts, dates, day counts and statuses. A
//! tenant may override a kind per locale with its own `<locale>/<kind>.txt`. A
//! template's first line is `Subject: …`.

use crate::i18n;
use minijinja::value::Kwargs;
use minijinja::{Environment, State, Value};

/// One built-in template: (name, the text of `templates/<name>`).
macro_rules! t {
    ($name:literal) => {
        ($name, include_str!(concat!("../../templates/", $name)))
    };
}

/// The built-in templates: one per kind, and the parts they include.
#[rustfmt::skip]
const BUILT_IN: &[(&str, &str)] = &[
    t!("receivable.new.txt"),
    t!("receivable.reminder.txt"),
    t!("receivable.overdue.txt"),
    t!("receivable.paid.txt"),
    t!("receivable.cancelled.txt"),
    t!("receivable.discount_ending.txt"),
    t!("submission.new.txt"),
    t!("submission.status_changed.txt"),
    t!("document.expiry.txt"),
    t!("personal.reminder.txt"),
    t!("digest.txt"),
    t!("_payment.txt"),
    t!("_footer.txt"),
];

pub const EVENT_KINDS: &[&str] = &[
    "receivable.new",
    "receivable.reminder",
    "receivable.overdue",
    "receivable.paid",
    "receivable.cancelled",
    "receivable.discount_ending",
    "submission.new",
    "submission.status_changed",
    "document.expiry",
    "personal.reminder",
    "digest",
];

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("no template for {kind} in {locale}")]
    Missing { locale: String, kind: String },
    #[error("template {name} failed: {message}")]
    Render { name: String, message: String },
    #[error("template {0} does not start with a \"Subject: \" line")]
    NoSubject(String),
}

/// A rendered message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::built_in()
    }
}

impl Templates {
    pub fn built_in() -> Templates {
        let mut env = Environment::new();
        env.set_keep_trailing_newline(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
        for (name, text) in BUILT_IN {
            env.add_template(name, text)
                .expect("built-in templates parse (checked by a test)");
        }
        add_locale_functions(&mut env);
        Templates { env }
    }

    /// The built-in templates and each tenant's own (`templates_dir`). Every problem is
    /// reported, with the tenant's key path: a file that cannot be read, a name that is not
    /// `<locale>/<kind>.txt`, a template that does not parse or lacks its `Subject:` line.
    pub fn load(config: &crate::config::Config) -> Result<Templates, Vec<(String, String)>> {
        let mut t = Templates::built_in();
        let mut errors = Vec::new();
        for (i, tenant) in config.tenants.iter().enumerate() {
            let Some(dir) = &tenant.templates_dir else {
                continue;
            };
            let key = format!("tenant[{i}].templates_dir");
            let locales = match std::fs::read_dir(dir) {
                Ok(d) => d,
                Err(e) => {
                    errors.push((key, format!("cannot read {}: {e}", dir.display())));
                    continue;
                }
            };
            for locale in locales.flatten() {
                let locale_name = locale.file_name().to_string_lossy().to_string();
                let Ok(files) = std::fs::read_dir(locale.path()) else {
                    errors.push((
                        key.clone(),
                        format!("{locale_name} is not a folder of templates"),
                    ));
                    continue;
                };
                for file in files.flatten() {
                    let file_name = file.file_name().to_string_lossy().to_string();
                    let kind = file_name.strip_suffix(".txt").unwrap_or("");
                    if !EVENT_KINDS.contains(&kind) {
                        errors.push((
                            key.clone(),
                            format!(
                                "{locale_name}/{file_name}: not a template name; use <locale>/<kind>.txt with a kind of {EVENT_KINDS:?}"
                            ),
                        ));
                        continue;
                    }
                    let text = match std::fs::read_to_string(file.path()) {
                        Ok(t) => t,
                        Err(e) => {
                            errors.push((key.clone(), format!("{locale_name}/{file_name}: {e}")));
                            continue;
                        }
                    };
                    if !text.starts_with("Subject: ") {
                        errors.push((
                            key.clone(),
                            format!(
                                "{locale_name}/{file_name}: the first line must be \"Subject: …\""
                            ),
                        ));
                        continue;
                    }
                    let name = format!("{}:{}", tenant.id, template_name(&locale_name, kind));
                    if let Err(e) = t.env.add_template_owned(name, text) {
                        errors.push((key.clone(), format!("{locale_name}/{file_name}: {e}")));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(t)
        } else {
            Err(errors)
        }
    }

    /// Renders `kind` in `locale` for `tenant`: the tenant's own template for the locale
    /// first, then the built-in one (every locale has every word).
    pub fn render(
        &self,
        tenant: &str,
        locale: &str,
        kind: &str,
        ctx: &serde_json::Value,
    ) -> Result<Rendered, TemplateError> {
        let used_locale = i18n::locale_for(locale);
        let own = format!("{tenant}:{}", template_name(used_locale, kind));
        let built_in = format!("{kind}.txt");
        let name = [own, built_in]
            .into_iter()
            .find(|n| self.env.get_template(n).is_ok())
            .ok_or_else(|| TemplateError::Missing {
                locale: locale.into(),
                kind: kind.into(),
            })?;
        let tmpl = self
            .env
            .get_template(&name)
            .map_err(|e| TemplateError::Render {
                name: name.clone(),
                message: e.to_string(),
            })?;
        let mut ctx = ctx.clone();
        if let Some(obj) = ctx.as_object_mut() {
            obj.insert("locale".into(), used_locale.into());
        }
        let text = tmpl.render(&ctx).map_err(|e| TemplateError::Render {
            name: name.clone(),
            message: format!("{e:#}"),
        })?;
        let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
        let subject = first
            .strip_prefix("Subject: ")
            .ok_or_else(|| TemplateError::NoSubject(name.clone()))?
            .trim()
            .to_string();
        Ok(Rendered {
            subject,
            body: rest.trim_start_matches('\n').to_string(),
        })
    }
}

/// The HTML alternative of a rendered text: escaped, paragraphs at blank lines, line
/// breaks kept, web addresses made links, under a heading with the municipality's name in
/// its colour. One template, two parts that say the same.
pub fn to_html(
    subject: &str,
    text: &str,
    municipality: &str,
    color: Option<&str>,
    lang: &str,
) -> String {
    fn escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    fn link(line: &str) -> String {
        line.split(' ')
            .map(|word| {
                if word.starts_with("https://") || word.starts_with("http://") {
                    format!("<a href=\"{w}\">{w}</a>", w = escape(word))
                } else {
                    escape(word)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
    // "Label: https://…" reads as the label, linked: no long address runs off a phone.
    fn labelled(line: &str) -> String {
        match line.rsplit_once(": ") {
            Some((label, url))
                if !label.trim().is_empty()
                    && !url.contains(' ')
                    && (url.starts_with("https://") || url.starts_with("http://")) =>
            {
                format!("<a href=\"{}\">{}</a>", escape(url), escape(label.trim()))
            }
            _ => link(line),
        }
    }
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(|l| labelled(l.trim_end())).collect();
            format!("<p>{}</p>", lines.join("<br>\n"))
        })
        .collect();
    // Only a plain #rrggbb reaches the style attribute.
    let color = color
        .filter(|c| {
            c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
        })
        .unwrap_or("#1f3a5f");
    // The citizen's language, for screen readers; only a language tag's letters get in.
    let lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(16)
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title></head>\n<body>\n<h1 style=\"color: {color}; font-size: 1.2em\">{}</h1>\n{}\n</body></html>\n",
        escape(subject),
        escape(municipality),
        paragraphs.join("\n")
    )
}

fn template_name(locale: &str, kind: &str) -> String {
    format!("{locale}/{kind}.txt")
}

/// `t()` and the locale-aware filters, for the alert templates and the pages alike; they
/// read the locale from the context's `locale`.
pub fn add_locale_functions(env: &mut Environment) {
    env.add_function("t", translate);
    env.add_filter("money", money);
    env.add_filter("date", date);
    env.add_filter("days", days);
    env.add_filter("status", status);
}

fn locale_of(state: &State) -> String {
    state
        .lookup("locale")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| i18n::REFERENCE.into())
}

/// `t("message-id", name=value, …)`: a message of the catalogues in the template's locale.
fn translate(state: &State, id: String, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let mut args = Vec::new();
    for key in kwargs.args() {
        let v: Value = kwargs.get(key)?;
        let arg = if v.is_number() {
            i18n::Arg::Num(f64::try_from(v.clone()).unwrap_or(0.0))
        } else if v.is_undefined() || v.is_none() {
            i18n::Arg::Str(String::new())
        } else {
            i18n::Arg::Str(
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string()),
            )
        };
        args.push((key, arg));
    }
    Ok(i18n::t(&locale_of(state), &id, &args))
}

/// `"1200.00"|money("CZK")` → `1 200,00 Kč` in Czech, `CZK 1,200.00` in English.
fn money(state: &State, amount: Value, currency: String) -> String {
    let amount = amount
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| amount.to_string());
    i18n::money(&locale_of(state), &amount, &currency)
}

/// `"2026-05-31"|date` → `31. 5. 2026` (cs) or `31 May 2026` (en).
fn date(state: &State, value: String) -> String {
    match value.parse::<chrono::NaiveDate>() {
        Ok(d) => i18n::date(&locale_of(state), d),
        Err(_) => value,
    }
}

/// `3|days` → `3 dny` (cs: 1 den, 2–4 dny, 5+ dní) or `3 days`.
fn days(state: &State, n: i64) -> String {
    i18n::days(&locale_of(state), n)
}

/// A submission status code in words.
fn status(state: &State, code: Value) -> String {
    i18n::status(&locale_of(state), code.as_str().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> serde_json::Value {
        serde_json::json!({
            "tenant": {"name": "Obec Lhota"},
            "unsubscribe_url": "https://hlidac.example/unsubscribe/x.all.y",
            "topic_unsubscribe_url": "https://hlidac.example/unsubscribe/x.receivables.y",
            "overview_url": "https://hlidac.example/t/lhota/me",
            "settings_url": "https://hlidac.example/t/lhota/settings",
            "topic": "receivables",
            "count": 1,
            "items": [{"subject": "Obec Lhota: nový poplatek", "body": "Poplatek ze psů"}],
            "alert": {
                "key": "R1", "title": "Poplatek ze psů", "kind": "dog_fee", "period": "2026",
                "currency": "CZK", "amount_due": "1200.00", "amount_outstanding": "1200.00",
                "amount": "1200.00", "due_date": "2026-05-31", "days_left": 3,
                "days_overdue": -3, "status": "open",
                "payment": {"account": "19-1234567/0100", "variable_symbol": "1337"},
                "matter": "Žádost", "filing_number": "MUDE 1/2026", "case_number": "OV/55/2026",
                "reference": "MUDE 1/2026",
                "references": [
                    {"label": "label-filing-number", "value": "MUDE 1/2026"},
                    {"label": "label-case-number", "value": "OV/55/2026"}
                ],
                "old_status": "received", "status_native": null, "assigned_to": "Odbor",
                "deadline": null,
                "discount_until": "2026-04-30", "discount_percent": "5", "discount_amount": "1140.00",
                "valid_until": "2026-06-30", "number_masked": "****4821",
                "date": "2026-06-01", "note": "Vyzvednout pas"
            }
        })
    }

    #[test]
    fn payment_details_are_labelled_in_the_country_s_terms() {
        let t = Templates::built_in();
        let cases = [
            (
                ("sr-Latn", "receivable.new", "RSD"),
                serde_json::json!({
                    "account": "840-742351843-94", "model": "97", "reference": "76123456",
                    "code": "253"
                }),
                &[
                    "Račun: 840-742351843-94",
                    "Poziv na broj: 97 76123456",
                    "Šifra plaćanja: 253",
                ][..],
            ),
            (
                ("bg", "receivable.reminder", "EUR"),
                serde_json::json!({
                    "iban": "BG80 BNBG 9661 1020 3456 78", "bic": "BNBGBGSD",
                    "reference": "Данък сгради 2026", "code": "442100"
                }),
                &[
                    "IBAN: BG80 BNBG 9661 1020 3456 78",
                    "BIC: BNBGBGSD",
                    "Основание за плащане: Данък сгради 2026",
                    "Код за вид плащане: 442100",
                ],
            ),
            (
                ("cs", "receivable.new", "CZK"),
                serde_json::json!({
                    "account": "19-2000145399/0800", "variable_symbol": "1337",
                    "constant_symbol": "0558", "specific_symbol": "2026"
                }),
                &[
                    "Variabilní symbol: 1337",
                    "Konstantní symbol: 0558",
                    "Specifický symbol: 2026",
                ],
            ),
        ];
        for ((locale, kind, currency), payment, lines) in cases {
            let mut c = ctx();
            c["alert"]["currency"] = currency.into();
            c["alert"]["payment"] = payment;
            let r = t.render("x", locale, kind, &c).expect("renders");
            for line in lines {
                assert!(
                    r.body.contains(line),
                    "{locale}: {line:?} missing:\n{}",
                    r.body
                );
            }
        }
    }

    #[test]
    fn a_case_is_named_by_the_reference_the_citizen_knows() {
        let t = Templates::built_in();
        let mut c = ctx();
        c["alert"] = serde_json::json!({
            "key": "KG-ZUP-2026-0917", "matter": "Zahtev za građevinsku dozvolu",
            "status": "assigned", "old_status": "received",
            "reference": "351-917/2026",
            "references": [{"label": "label-case-number", "value": "351-917/2026"}]
        });
        for (locale, label) in [
            ("sr-Cyrl", "Број предмета: 351-917/2026"),
            ("sr-Latn", "Broj predmeta: 351-917/2026"),
            ("en", "Case number: 351-917/2026"),
        ] {
            let r = t
                .render("x", locale, "submission.status_changed", &c)
                .expect("renders");
            assert!(
                r.subject.contains("351-917/2026"),
                "{locale}: {}",
                r.subject
            );
            assert!(r.body.contains(label), "{locale}: {}", r.body);
            assert!(
                !r.subject.contains("KG-ZUP") && !r.body.contains("KG-ZUP"),
                "{locale}: the source's own key shown as a case number"
            );
        }
        // Czech: the reference number and the case file mark, each with its own label.
        let r = t
            .render("x", "cs", "submission.new", &ctx())
            .expect("renders");
        assert!(r.body.contains("Číslo jednací: MUDE 1/2026"), "{}", r.body);
        assert!(r.body.contains("Spisová značka: OV/55/2026"), "{}", r.body);
        assert!(r.subject.contains("MUDE 1/2026"), "{}", r.subject);
    }

    #[test]
    fn every_kind_renders_in_every_locale_with_a_subject() {
        let t = Templates::built_in();
        for locale in crate::i18n::LOCALES {
            for kind in EVENT_KINDS {
                let r = t
                    .render("x", locale, kind, &ctx())
                    .unwrap_or_else(|e| panic!("{locale} {kind}: {e}"));
                assert!(
                    !r.subject.is_empty() && !r.body.is_empty(),
                    "{locale} {kind}"
                );
                assert!(
                    r.body.contains("Obec Lhota") || r.subject.contains("Obec Lhota"),
                    "{locale} {kind} names the municipality"
                );
            }
        }
    }

    #[test]
    fn czech_formats_amounts_dates_and_plural_days() {
        let t = Templates::built_in();
        let r = t
            .render("x", "cs", "receivable.reminder", &ctx())
            .expect("renders");
        assert!(r.body.contains("1\u{a0}200,00\u{a0}Kč"), "{}", r.body);
        assert!(r.body.contains("31. 5. 2026"), "{}", r.body);
        assert!(r.subject.contains("3 dny"), "{}", r.subject);
        let en = t
            .render("x", "en", "receivable.reminder", &ctx())
            .expect("renders");
        assert!(en.body.contains("CZK 1,200.00"), "{}", en.body);
        assert!(en.body.contains("31 May 2026"), "{}", en.body);
        let mut one = ctx();
        one["alert"]["days_left"] = 1.into();
        assert!(t
            .render("x", "cs", "receivable.reminder", &one)
            .expect("renders")
            .subject
            .contains("1 den"));
        one["alert"]["days_left"] = 5.into();
        assert!(t
            .render("x", "cs", "receivable.reminder", &one)
            .expect("renders")
            .subject
            .contains("5 dní"));
    }

    #[test]
    fn the_html_part_says_the_same_escaped() {
        let html = to_html(
            "a < b",
            "Dobrý den,\n\nČástka: 5 Kč <script>\nOdkaz: https://x.example/u?a=1&b=2\n",
            "Obec <Lhota>",
            Some("#aa0000\" onload=\"x"),
            "sr-Cyrl\" x=\"",
        );
        assert!(html.contains("<html lang=\"sr-Cyrlx\">"), "{html}");
        assert!(html.contains("<title>a &lt; b</title>"));
        assert!(html.contains(">Obec &lt;Lhota&gt;</h1>"));
        assert!(
            html.contains("color: #1f3a5f"),
            "a colour that is not #rrggbb is not used"
        );
        assert!(to_html("s", "t", "O", Some("#AA00ff"), "cs").contains("color: #AA00ff"));
        assert!(html.contains("<p>Dobrý den,</p>"));
        assert!(html.contains("5 Kč &lt;script&gt;<br>"));
        assert!(html.contains("<a href=\"https://x.example/u?a=1&amp;b=2\">Odkaz</a>"));
        assert!(!html.contains("<script>"));
    }

    /// Every alert e-mail ends with the municipality's contact line and links in words: the
    /// overview, the settings, this topic's stop (as List-Unsubscribe) and stop all.
    #[test]
    fn every_alert_leads_to_the_overview_and_names_whom_to_contact() {
        let t = Templates::built_in();
        let mut c = ctx();
        c["tenant"]["contact"] = "Podatelna, +420 555 123 456".into();
        for (name, _) in BUILT_IN.iter().filter(|(n, _)| !n.starts_with('_')) {
            let kind = name.trim_end_matches(".txt");
            for locale in crate::i18n::LOCALES {
                let r = t.render("x", locale, kind, &c).expect("renders");
                let (_, footer) = r.body.rsplit_once("\n--\n").expect("a footer");
                for want in [
                    "Podatelna, +420 555 123 456",
                    ": https://hlidac.example/t/lhota/me",
                    ": https://hlidac.example/t/lhota/settings",
                    ": https://hlidac.example/unsubscribe/x.all.y",
                ] {
                    assert!(
                        footer.contains(want),
                        "{kind} {locale}: {want:?} in\n{footer}"
                    );
                }
                // A digest spans topics: only "stop all" there.
                assert_eq!(
                    footer.contains("/unsubscribe/x.receivables.y"),
                    kind != "digest",
                    "{kind} {locale}:\n{footer}"
                );
                let html = to_html(&r.subject, &r.body, "Obec Lhota", None, locale);
                assert!(
                    !html.contains(">https://"),
                    "links in words, not addresses:\n{html}"
                );
            }
        }
        let r = t.render("x", "cs", "receivable.new", &c).expect("renders");
        assert!(r.body.contains("Kontakt na obec: Podatelna"), "{}", r.body);
    }

    #[test]
    fn a_status_e_mail_never_shows_the_source_s_own_code() {
        let t = Templates::built_in();
        let mut c = ctx();
        c["alert"]["status"] = "assigned".into();
        c["alert"]["status_native"] = "nevyrizen".into();
        let r = t
            .render("x", "cs", "submission.status_changed", &c)
            .expect("renders");
        assert!(r.body.contains("přiděleno zpracovateli"), "{}", r.body);
        assert!(!r.body.contains("nevyrizen") && !r.subject.contains("nevyrizen"));
    }

    #[test]
    fn an_unknown_locale_falls_back_to_english() {
        let t = Templates::built_in();
        let r = t
            .render("x", "xx", "receivable.paid", &ctx())
            .expect("renders");
        assert!(r.body.contains("CZK 1,200.00"));
    }
}
