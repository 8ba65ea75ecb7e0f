//! The vocabularies of the municipalities' own systems, mapped onto hlidac's canonical
//! statuses, for adapter authors: an adapter sends the canonical `status` and keeps the
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
}
