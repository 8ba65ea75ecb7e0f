//! The vocabularies of the municipalities' own systems (Czech NSESSS, Bulgarian document
//! tracking), mapped onto hlidac's canonical statuses, for adapter authors: an adapter sends the canonical `status` and keeps the
//! source's own word in `status_native`.

use crate::records::SubmissionStatus;

/// Czech filing systems (NSESSS, the national standard for records management: GINIS,
/// VERA, Athena, e-spis …). A document or file has a state (`stav`), is resolved by a
/// method (`zpusobVyrizeni`), and its history is a list of events (`udalost`). The last
/// event decides first, then the state with its resolution method; `None` means the words
/// are not known and the record must not be guessed at (the adapter reports an error).
pub fn nsesss_status(
    state: &str,
    resolution: Option<&str>,
    last_event: Option<&str>,
) -> Option<SubmissionStatus> {
    use SubmissionStatus::*;
    let norm = |s: &str| s.trim().to_ascii_lowercase();
    match last_event.map(norm).as_deref() {
        Some("dokumentzruseni" | "spiszruseni") => return Some(Cancelled),
        Some("dokumentotevreni" | "spisotevreni" | "spisznovuotevreni") => return Some(Reopened),
        _ => {}
    }
    match norm(state).as_str() {
        "nevyrizen" | "nevyrizeny" | "otevren" | "otevreny" => {
            Some(match last_event.map(norm).as_deref() {
                Some("dokumentzmenazpracovatele" | "dokumentpredani" | "spiszmenazpracovatele") => {
                    Assigned
                }
                Some("dokumentzalozeni" | "dokumentzaevidovani" | "dokumentprijeti") | None => {
                    Received
                }
                Some(_) => InProgress,
            })
        }
        "vyrizen" | "vyrizeny" => Some(match resolution.map(norm).as_deref() {
            Some("postoupenim" | "postoupeni") => Forwarded,
            _ => Resolved,
        }),
        "prenesen" | "preneseny" => Some(Forwarded),
        "uzavren" | "uzavreny" | "predandospisovny" | "predandoarchivu" | "vyrazen"
        | "skartovan" => Some(Closed),
        _ => None,
    }
}

/// Bulgarian document tracking ("проследяване на преписка"): the status words that
/// municipal document systems show a citizen next to a registration index. Matched without
/// regard to case and surrounding spaces; `None` for words not known (never guessed at).
pub fn bg_status(word: &str) -> Option<SubmissionStatus> {
    use SubmissionStatus::*;
    let w = word.trim().to_lowercase();
    Some(match w.as_str() {
        "регистриран" | "регистрирана" | "постъпил" | "приет" | "входиран" => {
            Received
        }
        "разпределен" | "разпределена" | "насочен" | "възложен" | "резолиран" => {
            Assigned
        }
        "в процес на обработка"
        | "в процес на изпълнение"
        | "в изпълнение"
        | "в работа"
        | "обработва се"
        | "за съгласуване"
        | "на съгласуване" => InProgress,
        "очаква документи"
        | "изискани допълнителни документи"
        | "за допълване"
        | "указания за отстраняване на нередовности"
        | "спрян" => WaitingForCitizen,
        "препратен по компетентност" | "изпратен по компетентност" | "препратен" => {
            Forwarded
        }
        "приключен"
        | "приключена"
        | "изпълнен"
        | "решен"
        | "готов"
        | "издаден"
        | "отговорен"
        | "отказ" => Resolved,
        "архивиран" | "архивирана" | "приключена и архивирана" => {
            Closed
        }
        "анулиран" | "оттеглен" | "прекратен" => Cancelled,
        "възобновен" | "възобновена" => Reopened,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubmissionStatus::*;

    #[test]
    fn nsesss_words_map_onto_statuses() {
        let s = |state, res, ev| nsesss_status(state, res, ev);
        assert_eq!(
            s("nevyrizen", None, Some("DokumentZaevidovani")),
            Some(Received)
        );
        assert_eq!(
            s("nevyrizen", None, Some("DokumentZmenaZpracovatele")),
            Some(Assigned)
        );
        assert_eq!(
            s("nevyrizen", None, Some("DokumentVlozeniDoSpisu")),
            Some(InProgress)
        );
        assert_eq!(s("vyrizen", Some("dokumentem"), None), Some(Resolved));
        assert_eq!(s("vyrizen", Some("postoupenim"), None), Some(Forwarded));
        assert_eq!(s("prenesen", None, None), Some(Forwarded));
        assert_eq!(s("uzavren", None, None), Some(Closed));
        assert_eq!(s("predanDoSpisovny", None, None), Some(Closed));
        assert_eq!(s("predanDoArchivu", None, None), Some(Closed));
        assert_eq!(s("vyrizen", None, Some("DokumentZruseni")), Some(Cancelled));
        assert_eq!(
            s("nevyrizen", None, Some("DokumentOtevreni")),
            Some(Reopened)
        );
        assert_eq!(
            s("cosi", None, None),
            None,
            "unknown words are not guessed at"
        );
    }

    #[test]
    fn bulgarian_tracking_words_map_onto_statuses() {
        assert_eq!(bg_status("Регистриран"), Some(Received));
        assert_eq!(bg_status(" РАЗПРЕДЕЛЕН "), Some(Assigned));
        assert_eq!(bg_status("В процес на обработка"), Some(InProgress));
        assert_eq!(bg_status("Очаква документи"), Some(WaitingForCitizen));
        assert_eq!(bg_status("Препратен по компетентност"), Some(Forwarded));
        assert_eq!(bg_status("Приключен"), Some(Resolved));
        assert_eq!(bg_status("Архивиран"), Some(Closed));
        assert_eq!(bg_status("Оттеглен"), Some(Cancelled));
        assert_eq!(bg_status("Възобновен"), Some(Reopened));
        assert_eq!(
            bg_status("нещо друго"),
            None,
            "unknown words are not guessed at"
        );
    }
}
