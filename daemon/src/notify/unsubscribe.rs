//! The token in every e-mail's unsubscribe link and `List-Unsubscribe` header:
//! `<citizen id>.<topic or "all">.<MAC>`. It cannot be forged or turned into another
//! citizen's, and it carries nothing personal. The dispatcher makes it; the unsubscribe
//! page checks it.

use crate::crypto::Crypto;
use crate::store::TOPICS;

const DOMAIN: &str = "unsubscribe";

/// The token for a citizen's topic (`None` = all alerts).
pub fn token(crypto: &Crypto, citizen_id: &str, topic: Option<&str>) -> String {
    let what = format!("{citizen_id}.{}", topic.unwrap_or("all"));
    let mac = crypto.sign(DOMAIN, &what);
    format!("{what}.{mac}")
}

/// The citizen and topic of a valid token.
pub fn check(crypto: &Crypto, token: &str) -> Option<(String, Option<String>)> {
    let mut parts = token.splitn(3, '.');
    let (citizen, topic, mac) = (parts.next()?, parts.next()?, parts.next()?);
    let known = topic == "all" || TOPICS.contains(&topic);
    if !known || !crypto.verify(DOMAIN, &format!("{citizen}.{topic}"), mac) {
        return None;
    }
    Some((
        citizen.to_string(),
        (topic != "all").then(|| topic.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_cannot_be_altered() {
        let c = crate::crypto::Crypto::from_master(&[3u8; 32]);
        let t = token(&c, "abc123", Some("receivables"));
        assert_eq!(
            check(&c, &t),
            Some(("abc123".into(), Some("receivables".into())))
        );
        assert_eq!(
            check(&c, &token(&c, "abc123", None)),
            Some(("abc123".into(), None))
        );
        assert_eq!(
            check(&c, &t.replace("abc123", "abc124")),
            None,
            "another citizen"
        );
        assert_eq!(
            check(&c, &t.replace("receivables", "all")),
            None,
            "another topic"
        );
        let other = crate::crypto::Crypto::from_master(&[4u8; 32]);
        assert_eq!(check(&other, &t), None, "another key");
        assert_eq!(check(&c, "garbage"), None);
    }
}
