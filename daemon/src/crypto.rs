//! Keys and what they protect: national identifiers and contact details never reach the
//! database in clear. A person reference is kept as a keyed hash (HMAC-SHA-256) for lookups
//! and, where hlidac must send it back to the municipality, sealed with AES-256-GCM.
//!
//! One 32-byte master key (hex in a file, or a systemd credential) yields both subkeys.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::{Path, PathBuf};

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("cannot read the key file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create the key file {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the key file {0} must hold 64 hex digits (32 random bytes); make one with `openssl rand -hex 32`")]
    Format(PathBuf),
    #[error("a sealed value could not be opened: wrong key or damaged data")]
    Open,
}

#[derive(Clone)]
pub struct Crypto {
    hash_key: [u8; 32],
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Crypto([redacted])")
    }
}

fn derive(master: &[u8; 32], label: &str) -> [u8; 32] {
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes keys of any length");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Crypto {
    pub fn from_master(master: &[u8; 32]) -> Crypto {
        let enc = derive(master, "hlidac/seal/v1");
        Crypto {
            hash_key: derive(master, "hlidac/hash/v1"),
            cipher: Aes256Gcm::new(&enc.into()),
        }
    }

    /// Reads the key, or creates it (mode 0600) when `create` is set and it does not exist.
    pub fn load(path: &Path, create: bool) -> Result<Crypto, CryptoError> {
        if create && !path.exists() {
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            write_private(path, hex::encode(key).as_bytes()).map_err(|source| {
                CryptoError::Create {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
            tracing::info!(path = %path.display(), "created a new secret key");
        }
        let text = std::fs::read_to_string(path).map_err(|source| CryptoError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let bytes = hex::decode(text.trim()).map_err(|_| CryptoError::Format(path.into()))?;
        let master: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::Format(path.into()))?;
        Ok(Crypto::from_master(&master))
    }

    /// A keyed hash of `value` within `domain` (so equal values in different roles differ).
    pub fn hash(&self, domain: &str, value: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.hash_key)
            .expect("HMAC takes keys of any length");
        mac.update(domain.as_bytes());
        mac.update(&[0x1f]);
        mac.update(value.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..20])
    }

    /// A MAC over `message` within `domain`, for links that must not be forged.
    /// The keyed hash under which a person reference is stored.
    pub fn person_hash(&self, person_ref: &str) -> String {
        self.hash("person_ref", person_ref)
    }

    /// The hash a contact is found by: an e-mail address trimmed and in lower case (its
    /// case does not matter to the mail system), a phone number as it is.
    pub fn contact_hash(&self, channel: &str, address: &str) -> String {
        if channel == "email" {
            self.hash(channel, &address.trim().to_lowercase())
        } else {
            self.hash(channel, address)
        }
    }

    /// A contact as it is stored: the address sealed, and the hash it is found by.
    pub fn seal_contact(&self, channel: &'static str, address: &str) -> SealedContact {
        SealedContact {
            channel,
            address_enc: self.seal(address),
            address_hash: self.contact_hash(channel, address),
        }
    }

    pub fn sign(&self, domain: &str, message: &str) -> String {
        self.hash(&format!("sign:{domain}"), message)
    }

    /// Checks a [`Crypto::sign`] value in constant time.
    pub fn verify(&self, domain: &str, message: &str, signature: &str) -> bool {
        same(self.sign(domain, message).as_bytes(), signature.as_bytes())
    }

    pub fn seal(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, CryptoError> {
        let raw = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(sealed)
            .map_err(|_| CryptoError::Open)?;
        if raw.len() < 12 {
            return Err(CryptoError::Open);
        }
        let (nonce, ct) = raw.split_at(12);
        let pt = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| CryptoError::Open)?;
        String::from_utf8(pt).map_err(|_| CryptoError::Open)
    }
}

/// A contact ready to store ([`Crypto::seal_contact`]): `email` or `sms`, the address
/// sealed, and its keyed hash.
#[derive(Clone, Debug)]
pub struct SealedContact {
    pub channel: &'static str,
    pub address_enc: String,
    pub address_hash: String,
}

/// Whether two secrets are equal, compared in constant time (OpenSSL's `CRYPTO_memcmp`);
/// only a difference in length shows early.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && openssl::memcmp::eq(a, b)
}

/// Writes a file only its owner can read.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_hashes_are_keyed() {
        let a = Crypto::from_master(&[7u8; 32]);
        let b = Crypto::from_master(&[8u8; 32]);
        let sealed = a.seal("CZ-1234");
        assert!(!sealed.contains("CZ-1234"));
        assert_eq!(a.open(&sealed).expect("opens"), "CZ-1234");
        assert!(b.open(&sealed).is_err());
        assert_ne!(a.seal("x"), a.seal("x"), "nonces differ");
        assert_eq!(a.hash("person", "CZ-1"), a.hash("person", "CZ-1"));
        assert_ne!(a.hash("person", "CZ-1"), b.hash("person", "CZ-1"));
        assert_ne!(a.hash("person", "CZ-1"), a.hash("email", "CZ-1"));
        // An address is found however its case and surrounding spaces were typed (the
        // stored hashes were made of the lower-case address, so they still match).
        let jana = a.hash("email", "jana@example.cz");
        assert_eq!(a.contact_hash("email", " Jana@Example.CZ "), jana);
        assert_eq!(a.contact_hash("sms", "+420601"), a.hash("sms", "+420601"));
        assert_ne!(
            a.contact_hash("sms", "+420601"),
            a.contact_hash("email", "+420601")
        );
        let sealed = a.seal_contact("email", " Jana@Example.CZ ");
        assert_eq!(sealed.channel, "email");
        assert_eq!(sealed.address_hash, jana);
        assert_eq!(
            a.open(&sealed.address_enc).expect("opens"),
            " Jana@Example.CZ "
        );
    }

    #[test]
    fn signatures_and_secrets_match_only_exactly() {
        let a = Crypto::from_master(&[7u8; 32]);
        let sig = a.sign("verp", "abc");
        assert!(a.verify("verp", "abc", &sig));
        assert!(!a.verify("verp", "abd", &sig));
        assert!(!a.verify("link", "abc", &sig));
        assert!(!a.verify("verp", "abc", &sig[..sig.len() - 1]));
        assert!(!a.verify("verp", "abc", &format!("{sig}0")));
        assert!(same(b"token", b"token"));
        assert!(!same(b"token", b"tokeN"));
        assert!(!same(b"token", b"token "));
        assert!(!same(b"", b"t"));
        assert!(same(b"", b""));
    }

    #[test]
    fn key_file_is_created_private_and_reloaded() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("k/hlidac.key");
        let a = Crypto::load(&path, true).expect("created");
        let mode = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let b = Crypto::load(&path, false).expect("reloaded");
        assert_eq!(a.hash("d", "v"), b.hash("d", "v"));
        std::fs::write(dir.path().join("bad"), "nothex").expect("write");
        assert!(matches!(
            Crypto::load(&dir.path().join("bad"), false),
            Err(CryptoError::Format(_))
        ));
    }
}
