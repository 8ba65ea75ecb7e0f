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
        "регистриран"
        | "регистрирана"
        | "регистрирано"
        | "прието за изпълнение"
        | "заведен"
        | "заведена"
        | "за преценка"
        | "за разпределяне"
        | "чака изпълнение" => Received,
        "разпределен" | "разпределена" | "разпределено" => {
            Assigned
        }
        "в процес на изпълнение"
        | "в процес на обработка"
        | "изпълнява се"
        | "разглежда се"
        | "обработва се"
        | "проверка" => InProgress,
        "некоректен" | "върнато на клиента за корекция" | "за отстраняване на нередовности" => {
            WaitingForCitizen
        }
        "изпратен по компетентност" | "препратен по компетентност" => {
            Forwarded
        }
        // A refusal is a decision on the request: resolved, with the word kept in
        // status_native for the citizen to read.
        "приключен"
        | "приключена"
        | "приключено"
        | "приключило"
        | "изпълнена"
        | "изпълнена след срока"
        | "предаден в деловодство"
        | "предаден на клиент"
        | "отказано изпълнение"
        | "отказано за разглеждане"
        | "отказан"
        | "отхвърлен" => Resolved,
        "предаден в архив" => Closed,
        "прекратена" | "прекратен" | "отменен" | "отменена" | "отхвърлен от клиент" => {
            Cancelled
        }
        "повторно отворена" | "повторно отворен" => Reopened,
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
        // Words as Bulgarian tracking systems show them (the cadastre's manual, the Gva
        // document system, the Ombudsman's system).
        assert_eq!(bg_status("Регистриран"), Some(Received));
        assert_eq!(bg_status("Прието за изпълнение"), Some(Received));
        assert_eq!(bg_status(" РАЗПРЕДЕЛЕН "), Some(Assigned));
        assert_eq!(bg_status("В процес на изпълнение"), Some(InProgress));
        assert_eq!(bg_status("Некоректен"), Some(WaitingForCitizen));
        assert_eq!(bg_status("изпратен по компетентност"), Some(Forwarded));
        assert_eq!(bg_status("Приключен"), Some(Resolved));
        assert_eq!(bg_status("Отказано изпълнение"), Some(Resolved));
        assert_eq!(bg_status("Предаден в архив"), Some(Closed));
        assert_eq!(bg_status("прекратена"), Some(Cancelled));
        assert_eq!(bg_status("повторно отворена"), Some(Reopened));
        assert_eq!(
            bg_status("нещо друго"),
            None,
            "unknown words are not guessed at"
        );
    }
}
