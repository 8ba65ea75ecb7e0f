//! The eID login harness: the daemon with SAML (a pysaml2 IdP) and OpenID Connect
//! configured, the simulator's registry, and the steps of a login.

use super::*;
use base64::Engine as _;
use hlidac::identity::login::Failure;
use hlidac::identity::saml::Outgoing;
use hlidac_adapters::{Document, RegistryPerson};
use hlidac_sim::{RegistryEntry, Scenario};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use std::path::Path;
use std::process::Command;

pub(crate) const PID: &str = "CZ/CZ/6f3a9c1e-2b7d-4c1a-9e1f-123456789abc";
pub(crate) const EIDAS: &str = "http://eidas.europa.eu/attributes/naturalperson/";
pub(crate) const EGN: &str = "8001010008";

pub(crate) fn identity_of(
    scheme: &str,
    identifier: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("scheme".into(), scheme.into());
    m.insert("identifier".into(), identifier.into());
    m
}

pub(crate) fn registry(entries: &[(&str, &str, &str)], doc_until: chrono::NaiveDate) -> Scenario {
    Scenario {
        registry: entries
            .iter()
            .map(|(scheme, id, person)| RegistryEntry {
                identity: identity_of(scheme, id),
                person: RegistryPerson {
                    person_ref: person.to_string(),
                    documents: vec![Document {
                        kind: "id_card".into(),
                        number_masked: Some("****4821".into()),
                        valid_until: doc_until,
                    }],
                },
            })
            .collect(),
        ..Scenario::default()
    }
}

/// The daemon with SAML and OIDC configured, its web side on a known address.
pub(crate) struct Eid {
    pub(crate) t: TestApp,
    pub(crate) web: String,
    pub(crate) idp: Peer,
    pub(crate) idp_key: PKey<Private>,
    pub(crate) idp_cert: X509,
    pub(crate) dir: tempfile::TempDir,
}

pub(crate) async fn setup(
    engine: Engine,
    loa_asserted: Option<&str>,
    oidc: &[(&str, String, String)],
) -> Option<Eid> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    setup_on(engine, loa_asserted, oidc, listener).await
}

/// Where the test IdP is and the files it is known by, for the `[[identity.saml]]` block.
pub(crate) struct IdpFiles {
    pub(crate) url: String,
    pub(crate) cert: String,
    /// The certificate its metadata is signed with.
    pub(crate) metadata_cert: String,
}

/// The IdP configured as Czech NIA usually is: entity id, endpoints and certificate given.
pub(crate) fn nia_block(idp: &IdpFiles) -> String {
    format!(
        "[[identity.saml]]\nid = \"nia\"\nname = \"Identita občana\"\nprofile = \"cz-nia\"\n\
         entity_id = \"{u}/metadata\"\nsso_url = \"{u}/sso/redirect\"\nslo_url = \"{u}/slo/redirect\"\n\
         signing_cert_files = [\"{c}\"]\nloa = \"substantial\"\n",
        u = idp.url,
        c = idp.cert
    )
}

/// [`setup`] with the web side on a listener bound in advance (an OP must know the
/// redirect URI before the daemon knows the OP's issuer).
pub(crate) async fn setup_on(
    engine: Engine,
    loa_asserted: Option<&str>,
    oidc: &[(&str, String, String)],
    listener: tokio::net::TcpListener,
) -> Option<Eid> {
    setup_with(
        engine,
        loa_asserted,
        oidc,
        listener,
        nia_block,
        |c| c,
        |_| {},
    )
    .await
}

/// The daemon on SQLite with the NIA-like IdP, `tweak` applied to its config and
/// `records` added to the simulator's scenario (the citizen pages' tests).
pub(crate) async fn setup_citizen(
    tweak: impl Fn(String) -> String + Send + Sync + 'static,
    records: fn(&mut Scenario),
) -> Option<Eid> {
    setup_sqlite(nia_block, tweak, records).await
}

/// [`setup_with`] on SQLite with no OpenID Connect provider, serving on a free port.
pub(crate) async fn setup_sqlite(
    saml_block: fn(&IdpFiles) -> String,
    tweak: impl Fn(String) -> String + Send + Sync + 'static,
    records: fn(&mut Scenario),
) -> Option<Eid> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    setup_with(
        Engine::Sqlite,
        None,
        &[],
        listener,
        saml_block,
        tweak,
        records,
    )
    .await
}

/// [`setup_on`] with the IdP's block given, and the whole config text changed by `tweak`.
pub(crate) async fn setup_with(
    engine: Engine,
    loa_asserted: Option<&str>,
    oidc: &[(&str, String, String)],
    listener: tokio::net::TcpListener,
    saml_block: fn(&IdpFiles) -> String,
    tweak: impl Fn(String) -> String + Send + Sync + 'static,
    scenario_extra: fn(&mut Scenario),
) -> Option<Eid> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (idp_key_file, idp_cert_file) = keypair(dir.path(), "idp");
    let (fed_key_file, fed_cert_file) = keypair(dir.path(), "federation");
    let (sp_key, sp_cert) = keypair(dir.path(), "sp");
    let web = format!("http://{}", listener.local_addr().expect("addr"));
    let address = base64::engine::general_purpose::STANDARD
        .encode("<eidas:LocatorDesignator>12</eidas:LocatorDesignator><eidas:Thoroughfare>Hlavní</eidas:Thoroughfare><eidas:PostName>Lhota</eidas:PostName>");
    let mut user = jana_at_the_idp(loa_asserted);
    let attributes = &mut user["attributes"];
    attributes[format!("{EIDAS}PlaceOfBirth")] = "Brno".into();
    attributes[format!("{EIDAS}CurrentAddress")] = address.into();
    attributes["http://www.stork.gov.eu/1.0/eMail"] = "jana.eid@example.cz".into();
    attributes["http://schemas.eidentita.cz/moris/2016/identity/claims/phonenumber"] =
        "+420601123456".into();
    std::fs::write(dir.path().join("user.json"), user.to_string()).expect("user");
    let idp = start_saml_idp(
        dir.path(),
        (&idp_key_file, &idp_cert_file),
        (&fed_key_file, &fed_cert_file),
    );
    let idp_url = format!("http://127.0.0.1:{}", idp.port);
    // Real identity providers stamp their messages with the real time, so the daemon's
    // clock starts at it; the document expires 45 days after today in Prague.
    let start = chrono::Utc::now();
    let doc_until =
        start.with_timezone(&chrono_tz::Europe::Prague).date_naive() + chrono::Days::new(45);
    let mut scenario = registry(
        &[
            ("cz-nia", PID, JANA),
            ("rs-umcn", "0203985710000", PETR),
            ("bg-egn", EGN, "BG-REG-0001"),
        ],
        doc_until,
    );
    scenario_extra(&mut scenario);
    let mut oidc_blocks = String::new();
    for (id, issuer, secret) in oidc {
        let secret_file = dir.path().join(format!("{id}.secret"));
        std::fs::write(&secret_file, secret).expect("secret");
        let (profile, loa) = if *id == "rs" {
            ("rs-eid", "low")
        } else {
            ("generic-oidc", "substantial")
        };
        oidc_blocks.push_str(&format!(
            "[[identity.oidc]]\nid = \"{id}\"\nname = \"{id}\"\nprofile = \"{profile}\"\nissuer = \"{issuer}\"\n\
             client_id = \"hlidac-{id}\"\nclient_secret_file = \"{}\"\nloa = \"{loa}\"\n\
             scopes = [\"openid\", \"profile\", \"email\"]\n",
            secret_file.display()
        ));
    }
    let (web2, key_s, cert_s) = (
        web.clone(),
        sp_key.display().to_string(),
        sp_cert.display().to_string(),
    );
    let idp_block = saml_block(&IdpFiles {
        url: idp_url.clone(),
        cert: idp_cert_file.display().to_string(),
        metadata_cert: fed_cert_file.display().to_string(),
    });
    let t = TestApp::spawn_with(engine, scenario, start, move |c| {
        let text = format!(
            "{}[identity]\nkey_file = \"{key_s}\"\ncert_file = \"{cert_s}\"\nlogin_rate_per_minute = 1000\n\
             {idp_block}{oidc_blocks}",
            with_registry_source(c, "")
        )
        .replace("listen = \"127.0.0.1:0\"", &format!("listen = \"127.0.0.1:0\"\npublic_url = \"{web2}\""));
        tweak(text)
    })
    .await?;
    t.serve_web_on(listener);
    let metadata = get_text(&format!("{web}/saml/metadata")).await;
    std::fs::write(dir.path().join("sp.xml"), metadata).expect("sp metadata");
    let (idp_key, idp_cert) = load_pair(&idp_key_file, &idp_cert_file);
    Some(Eid {
        t,
        web,
        idp,
        idp_key,
        idp_cert,
        dir,
    })
}

impl Eid {
    /// Logs in through the IdP; `plain` asks it not to encrypt. Returns the ACS form
    /// (not yet posted) and the browser holding the flow cookie.
    pub(crate) async fn to_acs(&self, plain: bool) -> (Browser, Page) {
        let b = Browser::new();
        let r = b
            .send(b.http.get(format!("{}/t/lhota/login/nia", self.web)))
            .await;
        assert_eq!(r.status(), 303);
        let mut to_idp = r.headers()["location"].to_str().expect("loc").to_string();
        if plain {
            to_idp.push_str("&plain=1");
        }
        let form = b.get(&to_idp).await;
        assert_eq!(form.status, 200, "{}", form.body);
        (b, form)
    }

    pub(crate) fn saml_response_of(page: &Page) -> String {
        let (_, fields) = form_of(&page.body);
        let b64 = fields
            .iter()
            .find(|(k, _)| k == "SAMLResponse")
            .expect("SAMLResponse")
            .1
            .clone();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("b64"),
        )
        .expect("utf8")
    }

    /// Posts a crafted response through a fresh flow; returns the refusal's reason.
    pub(crate) async fn refused(&self, xml: &str, cookie: Option<&str>) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(xml);
        let (_, result) = self.t.app.identity.saml_acs(cookie, &b64).await;
        match result {
            Ok(_) => panic!("a crafted response was accepted"),
            Err(Failure::Refused(r)) => r,
            Err(other) => format!("{other:?}"),
        }
    }

    /// A login started at `idp` by the app, as a redirect: the flow cookie and the
    /// provider's URL the browser is sent to.
    pub(crate) async fn start_login(&self, idp: &str) -> (String, String) {
        let (cookie, out) = self
            .t
            .app
            .identity
            .login_start("lhota", idp)
            .await
            .expect("start");
        let Outgoing::Redirect(url) = out else {
            panic!("redirect binding")
        };
        (cookie, url)
    }

    /// A fresh login flow at the app: (flow cookie, request id).
    pub(crate) async fn flow(&self) -> (String, String) {
        let (cookie, url) = self.start_login("nia").await;
        let req = reqwest::Url::parse(&url).expect("url");
        let b64 = req
            .query_pairs()
            .find(|(k, _)| k == "SAMLRequest")
            .expect("req")
            .1
            .to_string();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("b64");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::DeflateDecoder::new(&raw[..]), &mut text)
            .expect("inflate");
        let id = text
            .split("ID=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("id")
            .to_string();
        (cookie, id)
    }

    /// The first unsubscribe link in the text of an alert e-mail that reached `to`.
    pub(crate) fn stop_link(&self, to: &str) -> String {
        let alert = self
            .t
            .smtp
            .mails()
            .into_iter()
            .find(|m| m.to == to && !m.list_unsubscribe.is_empty())
            .expect("an alert e-mail");
        link_in(&alert.body, "/unsubscribe/")
    }

    /// How many logins (of `tenant`, or of every tenant) ended in `outcome` at `idp` (or
    /// at any provider), with the rows counted, to show when a test wants another number.
    pub(crate) async fn logins_ending(
        &self,
        tenant: Option<&str>,
        idp: Option<&str>,
        outcome: &str,
    ) -> (i64, Vec<hlidac::store::LoginRow>) {
        let rows = self
            .t
            .app
            .store
            .login_rows(tenant, 0, i64::MAX)
            .await
            .expect("logins");
        let n = rows
            .iter()
            .filter(|r| r.outcome == outcome && idp.is_none_or(|i| r.idp == i))
            .map(|r| r.count)
            .sum();
        (n, rows)
    }

    pub(crate) async fn sessions(&self) -> i64 {
        self.t.app.store.session_count().await.expect("count")
    }
}

/// Jana as the SAML IdP knows her (`user.json`): her identifier, names and date of birth,
/// and the level of assurance it states (`None`: the one asked for).
pub(crate) fn jana_at_the_idp(loa: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "loa": loa,
        "attributes": {
            format!("{EIDAS}PersonIdentifier"): PID,
            format!("{EIDAS}CurrentGivenName"): "Jana",
            format!("{EIDAS}CurrentFamilyName"): "Nováková",
            format!("{EIDAS}DateOfBirth"): "1980-04-12",
        }
    })
}

/// The node `oidc-provider` peer with the client `hlidac-rs` (secret `secret`), sending
/// browsers back to `redirect_uri` with the claims of the file `claims`.
pub(crate) fn start_oidc_op(redirect_uri: &str, secret: &str, claims: &Path) -> Peer {
    let mut cmd = Command::new("node");
    cmd.arg(repo_root().join("tests/peers/oidc_op.js"))
        .args(["--port", "0", "--redirect-uri", redirect_uri])
        .args(["--client-id", "hlidac-rs", "--client-secret", secret])
        .arg("--claims")
        .arg(claims);
    Peer::start(cmd, "the OpenID Connect provider (oidc-provider)")
}

/// The pysaml2 IdP peer, signing with `key` (its key and certificate) and its metadata
/// with `metadata` (the federation's), for the SP described by `dir/sp.xml`, logging in
/// the user of `dir/user.json`.
pub(crate) fn start_saml_idp(dir: &Path, key: (&Path, &Path), metadata: (&Path, &Path)) -> Peer {
    let python = std::env::var("HLIDAC_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut cmd = Command::new(python);
    cmd.arg(repo_root().join("tests/peers/saml_idp.py"))
        .args(["--port", "0", "--key"])
        .arg(key.0)
        .arg("--cert")
        .arg(key.1)
        .arg("--sp-metadata")
        .arg(dir.join("sp.xml"))
        .arg("--user")
        .arg(dir.join("user.json"))
        .arg("--metadata-key")
        .arg(metadata.0)
        .arg("--metadata-cert")
        .arg(metadata.1);
    Peer::start(cmd, "the SAML IdP (pysaml2)")
}
