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
}
