//! XML Encryption of assertions: RSA-OAEP key transport, AES-128/256 in CBC or GCM.
//!
//! RSA PKCS#1 v1.5 key transport is refused (it is an oracle for Bleichenbacher's attack).
//! The decrypted assertion is parsed on its own, inside an element that carries the
//! namespaces in scope where the EncryptedAssertion stood, and its own signature is then
//! checked like any other.

use super::xml::{self, NS_DS, NS_XENC, NS_XENC11};
use openssl::pkey::{PKey, Private};
use openssl::symm::Cipher;
use roxmltree::Node;

/// Why an encrypted assertion could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XencError {
    #[error("bad base64 in the encrypted assertion")]
    Base64,
    #[error("<{0}> names no algorithm")]
    NoAlgorithm(String),
    #[error("the EncryptedKey names no algorithm")]
    KeyNoAlgorithm,
    #[error("<{0}> has no CipherValue")]
    NoCipherValue(String),
    #[error("the EncryptedAssertion has no EncryptedData")]
    NoEncryptedData,
    #[error("the encrypted assertion carries no EncryptedKey")]
    NoEncryptedKey,
    #[error("the decrypted assertion is not UTF-8")]
    NotUtf8,
    #[error("OAEP digest not accepted: {0}")]
    OaepDigest(String),
    #[error("OAEP MGF not accepted: {0}")]
    OaepMgf(String),
    #[error("RSA PKCS#1 v1.5 key transport refused")]
    Pkcs1v15,
    #[error("key transport not accepted: {0}")]
    KeyTransport(String),
    #[error("the assertion's key could not be unwrapped with our key")]
    Unwrap,
    #[error("content encryption not accepted: {0}")]
    ContentEncryption(String),
    #[error("the assertion could not be decrypted (wrong key or damaged data)")]
    Decrypt,
    /// OpenSSL failed before any secret was used: its words.
    #[error("{0}")]
    Crypto(String),
    #[error(transparent)]
    Xml(#[from] xml::XmlError),
}

fn b64(text: &str) -> Result<Vec<u8>, XencError> {
    xml::base64_content(text).ok_or(XencError::Base64)
}

fn algorithm<'a>(node: Node<'a, '_>) -> Result<&'a str, XencError> {
    xml::child(node, NS_XENC, "EncryptionMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .ok_or_else(|| XencError::NoAlgorithm(node.tag_name().name().into()))
}

fn cipher_value(node: Node) -> Result<Vec<u8>, XencError> {
    let value = xml::child(node, NS_XENC, "CipherData")
        .and_then(|d| xml::child(d, NS_XENC, "CipherValue"))
        .ok_or_else(|| XencError::NoCipherValue(node.tag_name().name().into()))?;
    b64(xml::strict_text(value)?)
}

/// Decrypts an `EncryptedAssertion` element and returns the assertion's XML text, wrapped in
/// an element declaring the namespaces in scope (so prefixes bound outside still resolve).
pub fn decrypt_assertion(encrypted: Node, key: &PKey<Private>) -> Result<String, XencError> {
    let data = xml::child(encrypted, NS_XENC, "EncryptedData").ok_or(XencError::NoEncryptedData)?;
    // The wrapped key is in the EncryptedData's KeyInfo (Czech NIA) or next to it.
    let enc_key = xml::child(data, NS_DS, "KeyInfo")
        .and_then(|ki| xml::child(ki, NS_XENC, "EncryptedKey"))
        .or_else(|| xml::child(encrypted, NS_XENC, "EncryptedKey"))
        .ok_or(XencError::NoEncryptedKey)?;
    let session_key = unwrap_key(enc_key, key)?;
    let plain = decrypt_content(algorithm(data)?, &session_key, &cipher_value(data)?)?;
    let plain = String::from_utf8(plain).map_err(|_| XencError::NotUtf8)?;
    let mut wrapper = String::from("<hlidac-decrypted");
    for ns in encrypted.namespaces() {
        match ns.name() {
            Some(p) => wrapper.push_str(&format!(" xmlns:{p}=\"{}\"", xml::esc(ns.uri()))),
            None => wrapper.push_str(&format!(" xmlns=\"{}\"", xml::esc(ns.uri()))),
        }
    }
    let plain = plain.trim_start_matches('\u{feff}');
    let plain = if plain.starts_with("<?xml") {
        plain
            .split_once("?>")
            .map(|(_, rest)| rest)
            .unwrap_or(plain)
    } else {
        plain
    };
    Ok(format!("{wrapper}>{plain}</hlidac-decrypted>"))
}

fn unwrap_key(enc_key: Node, key: &PKey<Private>) -> Result<Vec<u8>, XencError> {
    let method =
        xml::child(enc_key, NS_XENC, "EncryptionMethod").ok_or(XencError::KeyNoAlgorithm)?;
    let alg = method.attribute("Algorithm").unwrap_or("");
    let digest_uri = method
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "DigestMethod")
        .and_then(|d| d.attribute("Algorithm"));
    let mgf_uri = method
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "MGF")
        .and_then(|d| d.attribute("Algorithm"));
    let md_of = |uri: Option<&str>| -> Result<openssl::hash::MessageDigest, XencError> {
        Ok(match uri {
            None | Some("http://www.w3.org/2000/09/xmldsig#sha1") => {
                openssl::hash::MessageDigest::sha1()
            }
            Some("http://www.w3.org/2001/04/xmlenc#sha256") => {
                openssl::hash::MessageDigest::sha256()
            }
            Some("http://www.w3.org/2001/04/xmlenc#sha512") => {
                openssl::hash::MessageDigest::sha512()
            }
            Some(other) => return Err(XencError::OaepDigest(other.into())),
        })
    };
    let (oaep_md, mgf_md) = match alg {
        "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p" => (md_of(digest_uri)?, md_of(None)?),
        "http://www.w3.org/2009/xmlenc11#rsa-oaep" => {
            let mgf = match mgf_uri {
                None | Some("http://www.w3.org/2009/xmlenc11#mgf1sha1") => md_of(None)?,
                Some("http://www.w3.org/2009/xmlenc11#mgf1sha256") => {
                    openssl::hash::MessageDigest::sha256()
                }
                Some(other) => return Err(XencError::OaepMgf(other.into())),
            };
            (md_of(digest_uri)?, mgf)
        }
        "http://www.w3.org/2001/04/xmlenc#rsa-1_5" => return Err(XencError::Pkcs1v15),
        other => return Err(XencError::KeyTransport(other.into())),
    };
    let wrapped = cipher_value(enc_key)?;
    let mut ctx =
        openssl::pkey_ctx::PkeyCtx::new(key).map_err(|e| XencError::Crypto(e.to_string()))?;
    let fail = |_| XencError::Unwrap;
    ctx.decrypt_init().map_err(fail)?;
    ctx.set_rsa_padding(openssl::rsa::Padding::PKCS1_OAEP)
        .map_err(fail)?;
    let md = |d: openssl::hash::MessageDigest| {
        openssl::md::Md::from_nid(d.type_()).ok_or_else(|| XencError::Crypto("digest".into()))
    };
    ctx.set_rsa_oaep_md(md(oaep_md)?).map_err(fail)?;
    ctx.set_rsa_mgf1_md(md(mgf_md)?).map_err(fail)?;
    let mut out = Vec::new();
    ctx.decrypt_to_vec(&wrapped, &mut out).map_err(fail)?;
    Ok(out)
}

fn decrypt_content(alg: &str, key: &[u8], data: &[u8]) -> Result<Vec<u8>, XencError> {
    let fail = || XencError::Decrypt;
    let (cipher, gcm) = match alg {
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => (Cipher::aes_128_cbc(), false),
        "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => (Cipher::aes_256_cbc(), false),
        a if a == format!("{NS_XENC11}aes128-gcm") => (Cipher::aes_128_gcm(), true),
        a if a == format!("{NS_XENC11}aes256-gcm") => (Cipher::aes_256_gcm(), true),
        other => return Err(XencError::ContentEncryption(other.into())),
    };
    if key.len() != cipher.key_len() {
        return Err(fail());
    }
    if gcm {
        if data.len() < 12 + 16 {
            return Err(fail());
        }
        let (iv, rest) = data.split_at(12);
        let (ct, tag) = rest.split_at(rest.len() - 16);
        openssl::symm::decrypt_aead(cipher, key, Some(iv), &[], ct, tag).map_err(|_| fail())
    } else {
        if data.len() < 32 || !data.len().is_multiple_of(16) {
            return Err(fail());
        }
        let (iv, ct) = data.split_at(16);
        let mut crypter =
            openssl::symm::Crypter::new(cipher, openssl::symm::Mode::Decrypt, key, Some(iv))
                .map_err(|_| fail())?;
        crypter.pad(false);
        let mut out = vec![0; ct.len() + 16];
        let mut n = crypter.update(ct, &mut out).map_err(|_| fail())?;
        n += crypter.finalize(&mut out[n..]).map_err(|_| fail())?;
        out.truncate(n);
        // XML Encryption padding: the last byte says how many bytes to drop (1..=16);
        // the others are arbitrary, unlike PKCS#7.
        let pad = *out.last().ok_or_else(fail)? as usize;
        if pad == 0 || pad > 16 || pad > out.len() {
            return Err(fail());
        }
        out.truncate(out.len() - pad);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbc_and_gcm_round_trip_with_xml_enc_padding() {
        let key = [7u8; 32];
        let iv = [1u8; 16];
        let mut plain = b"<saml:Assertion/>".to_vec();
        let pad = 16 - plain.len() % 16;
        plain.extend(std::iter::repeat_n(0xAB, pad - 1));
        plain.push(pad as u8);
        let mut c = openssl::symm::Crypter::new(
            Cipher::aes_256_cbc(),
            openssl::symm::Mode::Encrypt,
            &key,
            Some(&iv),
        )
        .expect("crypter");
        c.pad(false);
        let mut ct = vec![0; plain.len() + 16];
        let n = c.update(&plain, &mut ct).expect("update");
        ct.truncate(n);
        let data = [iv.to_vec(), ct].concat();
        let out = decrypt_content("http://www.w3.org/2001/04/xmlenc#aes256-cbc", &key, &data)
            .expect("decrypt");
        assert_eq!(out, b"<saml:Assertion/>");

        let iv = [2u8; 12];
        let mut tag = [0u8; 16];
        let ct = openssl::symm::encrypt_aead(
            Cipher::aes_128_gcm(),
            &key[..16],
            Some(&iv),
            &[],
            b"<a/>",
            &mut tag,
        )
        .expect("gcm");
        let data = [iv.to_vec(), ct, tag.to_vec()].concat();
        let alg = format!("{NS_XENC11}aes128-gcm");
        assert_eq!(
            decrypt_content(&alg, &key[..16], &data).expect("decrypt"),
            b"<a/>"
        );
        let mut bad = data.clone();
        bad[14] ^= 1;
        assert!(decrypt_content(&alg, &key[..16], &bad).is_err());
    }
}
