//! SMS text planning: which encoding a text needs and how many parts it takes, computed
//! before sending so that the cost is known and recorded.
//!
//! GSM 03.38 (7-bit): 160 septets in one message, 153 per part when concatenated; the
//! extension characters (`^{}\[~]|€` and form feed) take two septets and are never split
//! across parts. Anything outside the alphabet (Czech "č", Cyrillic) forces UCS-2: 70
//! UTF-16 units in one message, 67 per part, a surrogate pair never split.
//! [`transliterate`] turns Czech, Slovak, Serbian and Bulgarian text into the GSM
//! alphabet for tenants that prefer fewer parts to diacritics.

/// The basic GSM 03.38 alphabet (one septet each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table (escape + character: two septets each).
const GSM_EXTENSION: &str = "^{}\\[~]|€\u{c}";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// How a text goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2) in all.
    pub units: usize,
    pub parts: usize,
}

fn gsm_septets(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts parts by filling each one greedily with indivisible units of `width`.
fn count_parts(widths: &[usize], single: usize, per_part: usize) -> usize {
    let total: usize = widths.iter().sum();
    if total <= single {
        return 1;
    }
    let mut parts = 1;
    let mut used = 0;
    for &w in widths {
        if used + w > per_part {
            parts += 1;
            used = 0;
        }
        used += w;
    }
    parts
}

pub fn plan(text: &str) -> Plan {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm_septets).collect();
    match gsm {
        Some(widths) => Plan {
            encoding: Encoding::Gsm7,
            units: widths.iter().sum(),
            parts: count_parts(&widths, 160, 153),
        },
        None => {
            let widths: Vec<usize> = text.chars().map(char::len_utf16).collect();
            Plan {
                encoding: Encoding::Ucs2,
                units: widths.iter().sum(),
                parts: count_parts(&widths, 70, 67),
            }
        }
    }
}

/// The GSM 03.38 code of a basic character (the table lacks only 0x1B, the escape).
fn gsm_code(c: char) -> Option<u8> {
    let i = GSM_BASIC.chars().position(|g| g == c)?;
    Some(if i >= 0x1B { i as u8 + 1 } else { i as u8 })
}

/// The code after the escape (0x1B) of an extension character.
fn gsm_extension_code(c: char) -> Option<u8> {
    Some(match c {
        '\u{c}' => 0x0A,
        '^' => 0x14,
        '{' => 0x28,
        '}' => 0x29,
        '\\' => 0x2F,
        '[' => 0x3C,
        '~' => 0x3D,
        ']' => 0x3E,
        '|' => 0x40,
        '€' => 0x65,
        _ => return None,
    })
}

/// A text ready for the wire: the SMPP data_coding and each part's `short_message`, each
/// after a concatenation header (UDH) when there is more than one part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// 0 = the SMSC's default alphabet (GSM 03.38, one septet per octet), 8 = UCS-2.
    pub data_coding: u8,
    pub parts: Vec<Vec<u8>>,
}

impl Encoded {
    /// Whether the parts carry a UDH (SMPP esm_class bit 0x40).
    pub fn concatenated(&self) -> bool {
        self.parts.len() > 1
    }
}

/// Encodes `text` the way [`plan`] counted it: GSM-7 septets unpacked one per octet (the
/// SMSC packs them), or UTF-16BE; split into parts of 153 septets or 67 units, never
/// inside an escape sequence or a surrogate pair. `reference` tells this message's parts
/// apart from another's on the phone.
pub fn encode(text: &str, reference: u8) -> Encoded {
    let plan = plan(text);
    let (data_coding, units, per_part): (u8, Vec<Vec<u8>>, usize) = match plan.encoding {
        Encoding::Gsm7 => (
            0,
            text.chars()
                .map(|c| match (gsm_code(c), gsm_extension_code(c)) {
                    (Some(code), _) => vec![code],
                    (None, Some(code)) => vec![0x1B, code],
                    (None, None) => vec![gsm_code('?').unwrap_or(0x3F)],
                })
                .collect(),
            153,
        ),
        Encoding::Ucs2 => (
            8,
            text.chars()
                .map(|c| {
                    let mut buf = [0u16; 2];
                    c.encode_utf16(&mut buf)
                        .iter()
                        .flat_map(|u| u.to_be_bytes())
                        .collect()
                })
                .collect(),
            67 * 2,
        ),
    };
    if plan.parts == 1 {
        return Encoded {
            data_coding,
            parts: vec![units.concat()],
        };
    }
    let mut chunks: Vec<Vec<u8>> = vec![Vec::new()];
    for unit in units {
        let current = chunks.last_mut().map(|c| c.len()).unwrap_or(0);
        if current + unit.len() > per_part {
            chunks.push(Vec::new());
        }
        if let Some(last) = chunks.last_mut() {
            last.extend_from_slice(&unit);
        }
    }
    let total = chunks.len() as u8;
    let parts = chunks
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let mut part = vec![0x05, 0x00, 0x03, reference, total, i as u8 + 1];
            part.extend_from_slice(&body);
            part
        })
        .collect();
    Encoded { data_coding, parts }
}

/// Checks an SMS sender: up to 11 letters and digits, or a number of up to 15 digits.
pub fn check_sender(sender: &str) -> Result<(), String> {
    let numeric = sender.strip_prefix('+').unwrap_or(sender);
    if !numeric.is_empty() && numeric.len() <= 15 && numeric.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    if !sender.is_empty()
        && sender.len() <= 11
        && sender
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
    {
        return Ok(());
    }
    Err(format!(
        "{sender:?} is not an SMS sender: use up to 11 letters and digits, or a phone number"
    ))
}

/// Checks a phone number in international form (`+` and 8 to 15 digits).
pub fn check_phone(phone: &str) -> Result<(), String> {
    let digits = phone.strip_prefix('+').unwrap_or("");
    if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("a phone number must be in international form, such as +420601234567".into())
    }
}

/// Typographic punctuation as the plain characters GSM 03.38 has (dashes, no-break
/// spaces, curly quotes): a text that needs no other character then stays in GSM-7, 160
/// characters a part rather than 70.
pub fn plain_punctuation(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
            '\u{a0}' | '\u{202f}' | '\u{2009}' => ' ',
            '\u{201e}' | '\u{201c}' | '\u{201d}' => '"',
            '\u{201a}' | '\u{2018}' | '\u{2019}' => '\'',
            c => c,
        })
        .collect()
}

/// How a tenant's SMS goes out: its sender (the tenant's, else the instance's) and the
/// text, transliterated into GSM letters when the tenant asks for it.
pub fn outgoing(
    config: &crate::config::Config,
    tenant: &crate::config::TenantConfig,
    text: String,
) -> (String, String) {
    let sender = tenant
        .sms_sender
        .clone()
        .or_else(|| config.sms.as_ref().map(|s| s.sender.clone()))
        .unwrap_or_default();
    let text = if tenant.sms_transliterate {
        transliterate(&text)
    } else {
        text
    };
    (sender, text)
}

/// Rewrites text into the GSM 03.38 alphabet: Latin diacritics dropped (keeping the few
/// GSM has, such as é and ä), Cyrillic transliterated (Bulgarian and Serbian), anything
/// else left for UCS-2.
pub fn transliterate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if gsm_septets(c).is_some() {
            out.push(c);
            continue;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        let latin: &str = match lower {
            'á' | 'ą' | 'â' | 'ă' => "a",
            'č' | 'ć' | 'ç' => "c",
            'ď' | 'đ' => "d",
            'ě' | 'ę' | 'ë' | 'ê' => "e",
            'í' | 'î' => "i",
            'ĺ' | 'ľ' | 'ł' => "l",
            'ň' | 'ń' => "n",
            'ó' | 'ô' | 'ő' => "o",
            'ŕ' | 'ř' => "r",
            'š' | 'ś' | 'ș' | 'ş' => "s",
            'ť' | 'ț' => "t",
            'ú' | 'ů' | 'ű' | 'û' => "u",
            'ý' => "y",
            'ž' | 'ź' | 'ż' => "z",
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'ђ' => "dj",
            'е' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => "y",
            'ј' => "j",
            'к' => "k",
            'л' => "l",
            'љ' => "lj",
            'м' => "m",
            'н' => "n",
            'њ' => "nj",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'ћ' => "c",
            'у' => "u",
            'ф' => "f",
            'х' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'џ' => "dz",
            'ш' => "sh",
            'щ' => "sht",
            'ъ' => "a",
            'ь' => "y",
            'ю' => "yu",
            'я' => "ya",
            '\u{a0}' => " ",
            '–' | '—' => "-",
            '„' | '“' | '”' => "\"",
            '‚' | '‘' | '’' => "'",
            _ => {
                out.push(c);
                continue;
            }
        };
        if c.is_uppercase() {
            let mut chars = latin.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(latin);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> (Encoding, usize, usize) {
        let plan = plan(text);
        (plan.encoding, plan.units, plan.parts)
    }

    #[test]
    fn gsm7_boundaries() {
        assert_eq!(p(""), (Encoding::Gsm7, 0, 1));
        assert_eq!(p(&"a".repeat(160)), (Encoding::Gsm7, 160, 1));
        assert_eq!(p(&"a".repeat(161)), (Encoding::Gsm7, 161, 2));
        assert_eq!(p(&"a".repeat(306)), (Encoding::Gsm7, 306, 2));
        assert_eq!(p(&"a".repeat(307)), (Encoding::Gsm7, 307, 3));
        assert_eq!(p("Poplatek 900 Kc, VS 1337."), (Encoding::Gsm7, 25, 1));
    }

    #[test]
    fn gsm7_extension_characters_count_twice_and_are_never_split() {
        assert_eq!(p(&"€".repeat(80)), (Encoding::Gsm7, 160, 1));
        assert_eq!(
            p(&format!("{}€", "a".repeat(159))),
            (Encoding::Gsm7, 161, 2)
        );
        // 152 septets then an extension character: it does not fit in part one's last
        // septet, so it moves whole into part two.
        let text = format!("{}{}{}", "a".repeat(152), "€", "a".repeat(152));
        assert_eq!(p(&text), (Encoding::Gsm7, 306, 3));
        let text = format!("{}{}{}", "a".repeat(151), "€", "a".repeat(153));
        assert_eq!(p(&text), (Encoding::Gsm7, 306, 2));
    }

    #[test]
    fn ucs2_boundaries_for_czech_and_cyrillic() {
        assert_eq!(p(&"č".repeat(70)), (Encoding::Ucs2, 70, 1));
        assert_eq!(p(&"č".repeat(71)), (Encoding::Ucs2, 71, 2));
        assert_eq!(p(&"д".repeat(134)), (Encoding::Ucs2, 134, 2));
        assert_eq!(p(&"д".repeat(135)), (Encoding::Ucs2, 135, 3));
        // One Czech letter turns a GSM text into UCS-2.
        assert_eq!(p(&format!("{}ř", "a".repeat(69))), (Encoding::Ucs2, 70, 1));
        // A surrogate pair (two units) is never split: 66 units then an emoji.
        let text = format!("{}😀{}", "ž".repeat(66), "ž".repeat(10));
        assert_eq!(p(&text), (Encoding::Ucs2, 78, 2));
    }

    #[test]
    fn transliteration_reaches_gsm7_and_saves_parts() {
        let cs =
            "Poplatek ze psů 1 200,00 Kč je splatný 31. 5. 2026. Děkujeme, Městys Demo – hlídač";
        let t = transliterate(cs);
        assert_eq!(
            t,
            "Poplatek ze psu 1 200,00 Kc je splatny 31. 5. 2026. Dekujeme, Mestys Demo - hlidac"
        );
        assert_eq!(plan(&t).encoding, Encoding::Gsm7);
        assert!(plan(&t).parts <= plan(cs).parts);
        assert_eq!(
            transliterate("Такса за битови отпадъци"),
            "Taksa za bitovi otpadatsi"
        );
        assert_eq!(
            transliterate("Љубљана Ђорђе Џон Шишка"),
            "Ljubljana Djordje Dzon Shishka"
        );
        assert_eq!(
            transliterate("Čačak: rešenje je izdato"),
            "Cacak: resenje je izdato"
        );
        assert_eq!(
            plan(&transliterate("Пощата на община Средец")).encoding,
            Encoding::Gsm7
        );
    }
    #[test]
    fn encoding_matches_the_plan_and_splits_whole_characters() {
        let one = encode("Hello €", 7);
        assert_eq!(one.data_coding, 0);
        assert_eq!(
            one.parts,
            vec![vec![0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x20, 0x1B, 0x65]]
        );
        assert_eq!(encode("@£$¥è_ÆÉ¤¡ÄÖÑÜ§¿äà", 1).parts[0], {
            let mut v = vec![0x00, 0x01, 0x02, 0x03, 0x04, 0x11, 0x1C, 0x1F, 0x24, 0x40];
            v.extend([0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x60, 0x7B, 0x7F]);
            v
        });
        // 152 septets and a euro: the escape pair moves whole into part two.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        let e = encode(&text, 9);
        assert_eq!(e.parts.len(), plan(&text).parts);
        assert_eq!(&e.parts[0][..6], &[0x05, 0x00, 0x03, 9, 2, 1]);
        assert_eq!(e.parts[0].len(), 6 + 152);
        assert_eq!(&e.parts[1][6..8], &[0x1B, 0x65]);
        // Czech: UCS-2, 67 units a part, big-endian.
        let cs = "č".repeat(71);
        let e = encode(&cs, 3);
        assert_eq!(e.data_coding, 8);
        assert_eq!(e.parts.len(), 2);
        assert_eq!(e.parts[0].len(), 6 + 134);
        assert_eq!(&e.parts[0][6..8], &[0x01, 0x0D]);
        assert_eq!(encode("ž", 0).parts, vec![vec![0x01, 0x7E]]);
    }

    #[test]
    fn senders_and_phones_are_checked() {
        assert!(check_sender("MESTO DEMO").is_ok());
        assert!(check_sender("+420601234567").is_ok());
        assert!(check_sender("Městys").is_err());
        assert!(check_sender("A-VERY-LONG-NAME").is_err());
        assert!(check_phone("+420601234567").is_ok());
        assert!(check_phone("601234567").is_err());
        assert!(check_phone("+42060123456789012").is_err());
    }
}
