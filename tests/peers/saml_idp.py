#!/usr/bin/env python3
"""A SAML 2.0 Identity Provider for hlidac's integration tests, built on pysaml2.

    saml_idp.py --port 0 --key IDP_KEY.pem --cert IDP_CERT.pem --sp-metadata SP_META.xml \
                --user USER.json [--entity-id URI] [--state-dir DIR]

Listens on 127.0.0.1 (port 0: any free port), prints one line `listening <port>` and serves
until killed. It logs in the user of USER.json without any UI, like the Czech NIA would after a
successful login:

  GET  /metadata        the IdP's metadata (SSO HTTP-Redirect and HTTP-POST, SLO HTTP-Redirect)
  GET  /sso/redirect    AuthnRequest, HTTP-Redirect binding (SAMLRequest, RelayState, SigAlg,
                        Signature); the signature is checked over the query's octets as received
  POST /sso/post        AuthnRequest, HTTP-POST binding, enveloped XML signature
        Both answer with an HTML page holding an auto-submitted form that posts SAMLResponse and
        RelayState to the ACS URL. The Assertion is signed, then encrypted (AES-256-CBC, key by
        RSA-OAEP-MGF1P to the SP's encryption certificate), then the Response is signed. An extra
        parameter plain=1 (outside the signed part) skips the encryption; gcm=1 encrypts with
        AES-256-GCM instead.
  GET  /slo/redirect    LogoutRequest, HTTP-Redirect binding; answers 302 to the SP's
                        SingleLogoutService with a signed LogoutResponse (query signature).
  GET  /slo/redirect    also the SP's LogoutResponse to a logout this IdP started: its query
                        signature is checked and it is recorded
  GET  /test/logout     IdP-initiated single logout of the last login issued: answers 302 to
                        the SP's SingleLogoutService with a signed LogoutRequest
  GET  /test/requests   JSON list of the requests accepted, in order
  GET  /test/refused    JSON list of the requests refused (with HTTP 400), in order
  POST /test/reset      empties both lists
  POST /test/rotate     a new signing key and certificate (written over --key and --cert); the
                        metadata names the new certificate
  PUT  /test/metadata   serve the body as /metadata from now on

A request that is unsigned, badly signed, signed with SHA-1, from an issuer the SP metadata does
not name, for another Destination, or with an ACS URL the SP metadata does not list is refused
with HTTP 400 and a plain-text reason.

The SP metadata file may appear after the start: the pysaml2 Server is built on the first SAML
request and rebuilt whenever the file changes. USER.json is read on every login:
  {"loa": null or an AuthnContextClassRef that overrides the one requested,
   "attributes": {"<attribute URI>": "value" or ["value", ...], ...},
   "error": optional {"status": "<second-level StatusCode>", "message": "..."}: answer with that
            failure (top-level Responder) instead of an assertion}
With --metadata-key and --metadata-cert (a federation's signer), /metadata is signed with that
key and carries a validUntil a day ahead.
With --state-dir, requests.json, refused.json and each Response sent (response-N.xml) are kept
there, and pysaml2's temporary files go there too.
"""

import argparse
import base64
import binascii
import datetime
import html
import json
import logging
import os
import secrets
import sys
import tempfile
import threading
import time
import warnings
import zlib
from xml.etree import ElementTree
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote_plus
from xml.parsers import expat

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from defusedxml import ElementTree as SafeET

# pysaml2 names cryptography's CFB mode at import time, which cryptography warns about.
warnings.filterwarnings("ignore", message=".*CFB.*")

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, md, saml, xmldsig as ds
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.sigver import security_context
from saml2.s_utils import sid
from saml2.server import Server
from saml2.sigver import (
    RSA_OAEP_MGF1P,
    get_pem_wrapped_unwrapped,
    get_xmlsec_binary,
    make_temp,
    pre_encrypt_assertion,
    pre_encryption_part,
)
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
NS_SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
ATTRNAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
NAMEID_TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
AC_UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
LIFETIME = 300  # seconds: SubjectConfirmationData and Conditions NotOnOrAfter
NOT_BEFORE_SLACK = 30  # seconds: Conditions NotBefore lies this far in the past
ISSUE_INSTANT_SKEW = 300  # seconds: a request's IssueInstant may differ this much from now

SHA1_ALGS = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#sha1",
}
REDIRECT_SIG_HASHES = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}

log = logging.getLogger("saml_idp")

# Every message names the signature namespace ds: and metadata md:, as IdPs usually write them.
ElementTree.register_namespace("ds", ds.NAMESPACE)
ElementTree.register_namespace("md", md.NAMESPACE)


class Refused(Exception):
    """The request is refused with HTTP 400 (or the given status) and this text."""

    def __init__(self, reason, status=400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class NiaLikeServer(Server):
    """pysaml2's IdP with the assertion built here (attributes as given, URI name format,
    xs:string values) and encrypted with AES-256-CBC instead of pysaml2's 3DES."""

    def setup_assertion(self, authn, sp_entity_id, in_response_to, consumer_url, name_id, policy, _issuer,
                        authn_statement, identity, best_effort, sign_response, farg=None,
                        session_not_on_or_after=None, sign_alg=None, digest_alg=None, **kwargs):
        now = time.time()
        attributes = []
        for name, value in identity.items():
            values = value if isinstance(value, list) else [value]
            attributes.append(saml.Attribute(
                name=name,
                name_format=ATTRNAME_FORMAT_URI,
                attribute_value=[saml.AttributeValue(text=str(v)) for v in values],
            ))
        # xsi:type="xs:string", with xmlns:xs declared on each AttributeValue.
        for attribute in attributes:
            for value in attribute.attribute_value:
                value.set_type("xs:string")
        return saml.Assertion(
            id=sid(),
            version="2.0",
            issue_instant=utc(now),
            issuer=_issuer,
            subject=saml.Subject(
                name_id=name_id,
                subject_confirmation=[saml.SubjectConfirmation(
                    method=saml.SCM_BEARER,
                    subject_confirmation_data=saml.SubjectConfirmationData(
                        in_response_to=in_response_to,
                        recipient=consumer_url,
                        not_on_or_after=utc(now + LIFETIME),
                    ),
                )],
            ),
            conditions=saml.Conditions(
                not_before=utc(now - NOT_BEFORE_SLACK),
                not_on_or_after=utc(now + LIFETIME),
                audience_restriction=[saml.AudienceRestriction(audience=[saml.Audience(text=sp_entity_id)])],
            ),
            authn_statement=[saml.AuthnStatement(
                authn_instant=utc(now),
                session_index=authn["session_index"],
                authn_context=saml.AuthnContext(
                    authn_context_class_ref=saml.AuthnContextClassRef(text=authn["class_ref"]),
                ),
            )],
            attribute_statement=[saml.AttributeStatement(attribute=attributes)] if attributes else [],
        )

    def _encrypt_assertion(self, encrypt_cert, sp_entity_id, response, node_xpath=None):
        wrapped, unwrapped = get_pem_wrapped_unwrapped(encrypt_cert)
        tmp = make_temp(wrapped.encode("ascii"), decode=False, delete_tmpfiles=self.config.delete_tmpfiles)
        msg_enc = getattr(self, "msg_enc", AES256_CBC)
        template = pre_encryption_part(msg_enc=msg_enc, key_enc=RSA_OAEP_MGF1P, encrypt_cert=unwrapped)
        return self.sec.encrypt_assertion(response, tmp.name, template, key_type="aes-256", node_xpath=node_xpath)


def with_utf8_declaration(xml):
    """xmlsec1 writes non-ASCII as character references unless its input declares an encoding."""
    if isinstance(xml, bytes):
        xml = xml.decode("utf-8")
    elif not isinstance(xml, str):
        xml = str(xml)
    xml = xml.lstrip()
    if xml.startswith("<?xml"):
        xml = xml.split("?>", 1)[1].lstrip()
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml


def utf8_xmlsec(crypto):
    """Makes pysaml2's xmlsec1 backend keep UTF-8 in what it signs and encrypts."""
    sign_statement, encrypt_assertion = crypto.sign_statement, crypto.encrypt_assertion

    def sign(statement, *args, **kwargs):
        return sign_statement(with_utf8_declaration(statement), *args, **kwargs)

    def encrypt(statement, *args, **kwargs):
        if not isinstance(statement, str):
            statement = pre_encrypt_assertion(statement)
        return encrypt_assertion(with_utf8_declaration(statement), *args, **kwargs)

    crypto.sign_statement, crypto.encrypt_assertion = sign, encrypt


def raw_child_element(xml_bytes, namespace, local):
    """The octets of the first child of the root named {namespace}local, as they stand in the
    document (prefixes and whitespace as sent), or None."""
    parser = expat.ParserCreate(namespace_separator=" ")
    wanted = f"{namespace} {local}"
    state = {"depth": 0}

    def start(name, _attrs):
        state["depth"] += 1
        if state["depth"] == 2 and name == wanted and "start" not in state:
            state["start"] = parser.CurrentByteIndex

    def end(_name):
        if state["depth"] == 2 and "start" in state and "end" not in state:
            state["end"] = parser.CurrentByteIndex
        state["depth"] -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(xml_bytes, True)
    if "start" not in state:
        return None
    begin = state["start"]
    # Where the start tag ends, minding quoted attribute values.
    i, quote = begin, None
    while True:
        c = xml_bytes[i:i + 1]
        if quote:
            if c == quote:
                quote = None
        elif c in (b'"', b"'"):
            quote = c
        elif c == b">":
            break
        i += 1
    if xml_bytes[i - 1:i] == b"/":
        finish = i + 1  # <Extensions/>
    else:
        finish = xml_bytes.index(b">", state["end"]) + 1
    return xml_bytes[begin:finish].decode("utf-8", "replace")


def raw_query_params(query):
    """The query's parameters as (name, raw value, decoded value), in order."""
    out = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, raw = part.partition("=")
        out.append((unquote_plus(name), raw, unquote_plus(raw)))
    return out


class Idp:
    def __init__(self, args, port):
        self.args = args
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.entity_id = args.entity_id or f"{self.base}/metadata"
        self.sso_redirect = f"{self.base}/sso/redirect"
        self.sso_post = f"{self.base}/sso/post"
        self.slo_redirect = f"{self.base}/slo/redirect"
        self.lock = threading.Lock()  # the state below
        self.work = threading.Lock()  # one SAML exchange at a time: pysaml2 is not made for threads
        self.server = None
        self.server_stamp = None
        self.requests = []
        self.refused = []
        self.sessions = {}  # (name_id, session_index) of the logins issued
        self.responses_sent = 0
        self.metadata_xml = self._metadata()

    def _config(self, with_sp):
        conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": get_xmlsec_binary(),
            "key_file": self.args.key,
            "cert_file": self.args.cert,
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "accepted_time_diff": ISSUE_INSTANT_SKEW,
            "service": {"idp": {
                "name": "hlidac test IdP",
                "endpoints": {
                    "single_sign_on_service": [
                        (self.sso_redirect, BINDING_HTTP_REDIRECT),
                        (self.sso_post, BINDING_HTTP_POST),
                    ],
                    "single_logout_service": [(self.slo_redirect, BINDING_HTTP_REDIRECT)],
                },
                # Checked here, not by pysaml2 (whose Redirect check re-encodes the query); the
                # metadata still says it.
                "want_authn_requests_signed": not with_sp,
                "name_id_format": [NAMEID_TRANSIENT],
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "sign_response": True,
                "sign_assertion": True,
            }},
        }
        if with_sp:
            conf["metadata"] = {"local": [self.args.sp_metadata]}
        config = IdPConfig()
        config.load(conf)
        return config

    def _metadata(self):
        descriptor = entity_descriptor(self._config(with_sp=False))
        descriptor.extensions = None  # pysaml2's algsupport list, MD5 and SHA-1 included
        if self.args.metadata_key:
            descriptor.valid_until = utc(time.time() + 24 * 3600)
            signer = self._config(with_sp=False)
            signer.key_file = self.args.metadata_key
            signer.cert_file = self.args.metadata_cert
            _, xml = sign_entity_descriptor(descriptor, "_" + secrets.token_hex(16), security_context(signer),
                                            sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
            xml = str(xml)
        else:
            xml = descriptor.to_string(nspair={"md": md.NAMESPACE, "ds": ds.NAMESPACE}).decode("utf-8")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml.split("?>", 1)[-1].lstrip()

    def saml_server(self):
        """The pysaml2 Server, built on first use and again whenever the SP metadata changes."""
        path = self.args.sp_metadata
        try:
            st = os.stat(path)
            with open(path, "rb") as f:
                content = f.read()
        except FileNotFoundError:
            raise Refused(f"SP metadata {path} does not exist (yet)", 503)
        stamp = (st.st_mtime_ns, st.st_size, content)
        with self.lock:
            if self.server is None or self.server_stamp != stamp:
                try:
                    self.server = NiaLikeServer(config=self._config(with_sp=True))
                except Exception as e:
                    raise Refused(f"SP metadata {path} unusable: {e}", 503)
                self.server_stamp = stamp
                utf8_xmlsec(self.server.sec.crypto)
                sps = [eid for eid, ent in self.server.metadata.items() if "spsso_descriptor" in ent]
                log.info("SP metadata loaded: %s", ", ".join(sps))
            return self.server

    def record(self, entry):
        with self.lock:
            self.requests.append(entry)
            self._save("requests.json", self.requests)

    def record_refused(self, entry):
        with self.lock:
            self.refused.append(entry)
            self._save("refused.json", self.refused)

    def reset(self):
        with self.lock:
            self.requests.clear()
            self.refused.clear()

    def _save(self, name, value):
        if self.args.state_dir:
            tmp = os.path.join(self.args.state_dir, name + ".tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(value, f, ensure_ascii=False, indent=1)
            os.replace(tmp, os.path.join(self.args.state_dir, name))

    # ---- signatures -------------------------------------------------------------------------

    @staticmethod
    def signing_certs(server, issuer):
        try:
            certs = server.metadata.certs(issuer, "spsso", "signing")
        except KeyError:
            certs = []
        return [x509.load_der_x509_certificate(base64.b64decode(c)) for _, c in certs]

    def verify_redirect(self, server, query, message_param):
        """Checks the HTTP-Redirect signature over the octets received (SAML bindings 3.4.4.1).
        Returns (decoded params, inflated XML bytes, SigAlg)."""
        params = raw_query_params(query)
        by_name = {}
        for name, raw, value in params:
            if name in by_name:
                raise Refused(f"parameter {name} given twice")
            by_name[name] = (raw, value)
        if message_param not in by_name:
            raise Refused(f"no {message_param}")
        try:
            xml_bytes = zlib.decompress(base64.b64decode(by_name[message_param][1], validate=True), -15)
        except (binascii.Error, zlib.error) as e:
            raise Refused(f"{message_param} is not base64 of DEFLATEd XML: {e}")
        if "Signature" not in by_name or "SigAlg" not in by_name:
            raise Refused("unsigned request: the HTTP-Redirect binding needs SigAlg and Signature")
        sig_alg = by_name["SigAlg"][1]
        if sig_alg in SHA1_ALGS:
            raise Refused(f"SigAlg {sig_alg}: SHA-1 signatures are refused")
        if sig_alg not in REDIRECT_SIG_HASHES:
            raise Refused(f"SigAlg {sig_alg} not supported")
        signed = f"{message_param}={by_name[message_param][0]}"
        if "RelayState" in by_name:
            signed += f"&RelayState={by_name['RelayState'][0]}"
        signed += f"&SigAlg={by_name['SigAlg'][0]}"
        try:
            signature = base64.b64decode(by_name["Signature"][1], validate=True)
        except binascii.Error:
            raise Refused("Signature is not base64")
        issuer = self.issuer_of(xml_bytes)
        certs = self.signing_certs(server, issuer)
        if not certs:
            raise Refused(f"issuer {issuer!r} has no signing certificate in the SP metadata")
        for cert in certs:
            key = cert.public_key()
            if not isinstance(key, rsa.RSAPublicKey):
                continue
            try:
                key.verify(signature, signed.encode("ascii"), padding.PKCS1v15(), REDIRECT_SIG_HASHES[sig_alg]())
                return {n: v for n, (_, v) in by_name.items()}, xml_bytes, sig_alg
            except InvalidSignature:
                pass
        raise Refused("bad signature: the query signature does not verify with the SP metadata's certificate")

    def verify_post(self, server, xml_bytes):
        """Checks the enveloped signature of an HTTP-POST message. Returns its SignatureMethod."""
        root = self.parse(xml_bytes)
        sig = root.find(f"{{{NS_DS}}}Signature")
        if sig is None:
            raise Refused("unsigned request: no enveloped ds:Signature in the message")
        method = sig.find(f"{{{NS_DS}}}SignedInfo/{{{NS_DS}}}SignatureMethod")
        sig_alg = method.get("Algorithm") if method is not None else None
        if sig_alg in SHA1_ALGS:
            raise Refused(f"SignatureMethod {sig_alg}: SHA-1 signatures are refused")
        for digest in sig.iterfind(f"{{{NS_DS}}}SignedInfo/{{{NS_DS}}}Reference/{{{NS_DS}}}DigestMethod"):
            if digest.get("Algorithm") in SHA1_ALGS:
                raise Refused(f"DigestMethod {digest.get('Algorithm')}: SHA-1 digests are refused")
        issuer = self.issuer_of(xml_bytes)
        if not self.signing_certs(server, issuer):
            raise Refused(f"issuer {issuer!r} has no signing certificate in the SP metadata")
        msgtype = {f"{{{NS_SAMLP}}}AuthnRequest": "authn_request"}.get(root.tag)
        if msgtype is None:
            raise Refused(f"the SAMLRequest is a {root.tag}, not a samlp:AuthnRequest")
        try:
            server.sec.correctly_signed_message(xml_bytes.decode("utf-8"), msgtype, must=True)
        except Exception as e:
            raise Refused(f"bad signature: {type(e).__name__}: {str(e)[:300]}")
        return sig_alg

    @staticmethod
    def parse(xml_bytes):
        try:
            return SafeET.fromstring(xml_bytes)
        except Exception as e:
            raise Refused(f"not XML: {e}")

    def issuer_of(self, xml_bytes):
        issuer = self.parse(xml_bytes).find("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer")
        if issuer is None or not (issuer.text or "").strip():
            raise Refused("no Issuer in the request")
        return issuer.text.strip()

    # ---- checks common to requests ----------------------------------------------------------

    def check_root(self, xml_bytes, local, expected_destination):
        root = self.parse(xml_bytes)
        if root.tag != f"{{{NS_SAMLP}}}{local}":
            raise Refused(f"the SAMLRequest is a {root.tag}, not a samlp:{local}")
        destination = root.get("Destination")
        if destination != expected_destination:
            raise Refused(f"Destination {destination!r}, expected {expected_destination!r}")

    def check_request(self, server, message, expected_destination):
        issuer = message.issuer.text.strip() if message.issuer is not None and message.issuer.text else None
        try:
            known = issuer is not None and "spsso_descriptor" in server.metadata[issuer]
        except KeyError:
            known = False
        if not known:
            raise Refused(f"issuer {issuer!r} is not an SP of the SP metadata")
        if message.destination != expected_destination:
            raise Refused(f"Destination {message.destination!r}, expected {expected_destination!r}")
        try:
            issued = datetime.datetime.strptime(message.issue_instant[:19], "%Y-%m-%dT%H:%M:%S")
        except (TypeError, ValueError):
            raise Refused(f"IssueInstant {message.issue_instant!r} unreadable")
        age = time.time() - issued.replace(tzinfo=datetime.timezone.utc).timestamp()
        if abs(age) > ISSUE_INSTANT_SKEW:
            raise Refused(f"IssueInstant {message.issue_instant} is {int(age)} s from now")
        return issuer

    @staticmethod
    def acs_url(server, sp, message):
        services = server.metadata.assertion_consumer_service(sp, BINDING_HTTP_POST)
        urls = [s["location"] for s in services]
        if message.protocol_binding and message.protocol_binding != BINDING_HTTP_POST:
            raise Refused(f"ProtocolBinding {message.protocol_binding}: only HTTP-POST is answered")
        if message.assertion_consumer_service_url:
            if message.assertion_consumer_service_url not in urls:
                raise Refused(f"AssertionConsumerServiceURL {message.assertion_consumer_service_url!r} "
                              f"is not an HTTP-POST ACS of the SP metadata {urls}")
            return message.assertion_consumer_service_url
        if message.assertion_consumer_service_index is not None:
            for s in services:
                if str(s.get("index")) == str(message.assertion_consumer_service_index):
                    return s["location"]
            raise Refused(f"AssertionConsumerServiceIndex {message.assertion_consumer_service_index} "
                          "is not an HTTP-POST ACS of the SP metadata")
        if not services:
            raise Refused("the SP metadata has no HTTP-POST AssertionConsumerService")
        for s in services:
            if str(s.get("is_default", "")).lower() == "true":
                return s["location"]
        return services[0]["location"]

    # ---- SSO ---------------------------------------------------------------------------------

    def sso(self, binding, params, query):
        """params: decoded parameters; query: the raw query (Redirect). Returns the HTML page."""
        server = self.saml_server()
        if binding == BINDING_HTTP_REDIRECT:
            params, xml_bytes, sig_alg = self.verify_redirect(server, query, "SAMLRequest")
            destination = self.sso_redirect
        else:
            if "SAMLRequest" not in params:
                raise Refused("no SAMLRequest")
            try:
                xml_bytes = base64.b64decode(params["SAMLRequest"], validate=False)
            except binascii.Error as e:
                raise Refused(f"SAMLRequest is not base64: {e}")
            sig_alg = self.verify_post(server, xml_bytes)
            destination = self.sso_post
        self.check_root(xml_bytes, "AuthnRequest", destination)
        try:
            parsed = server.parse_authn_request(params["SAMLRequest"], binding)
        except Exception as e:
            raise Refused(f"AuthnRequest not accepted by pysaml2: {type(e).__name__}: {str(e)[:300]}")
        message = parsed.message
        sp = self.check_request(server, message, destination)
        acs = self.acs_url(server, sp, message)
        rac = message.requested_authn_context
        class_refs = [r.text.strip() for r in rac.authn_context_class_ref] if rac is not None else []
        force = message.force_authn
        relay_state = params.get("RelayState")
        plain = params.get("plain") == "1"
        server.msg_enc = AES256_GCM if params.get("gcm") == "1" else AES256_CBC
        entry = {
            "id": message.id,
            "binding": "redirect" if binding == BINDING_HTTP_REDIRECT else "post",
            "destination": message.destination,
            "issuer": sp,
            "acs_url": acs,
            "signature_verified": True,
            "sig_alg": sig_alg,
            "requested_authn_context": (
                {"comparison": rac.comparison, "class_refs": class_refs} if rac is not None else None),
            "force_authn": None if force is None else force in ("true", "1"),
            "is_passive": None if message.is_passive is None else message.is_passive in ("true", "1"),
            "extensions_xml": raw_child_element(xml_bytes, NS_SAMLP, "Extensions"),
            "relay_state": relay_state,
            "plain": plain,
        }

        user = self.load_user()
        name_id = saml.NameID(format=NAMEID_TRANSIENT, text="_" + secrets.token_hex(20))
        session_index = "_" + secrets.token_hex(16)
        loa = user.get("loa") or (class_refs[0] if class_refs else AC_UNSPECIFIED)
        error = user.get("error")
        if error:
            response = server.create_error_response(
                message.id, acs, (error.get("status", "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"),
                                  error.get("message")),
                sign=True)
            response_xml = str(response)
            entry["issued"] = {"error": error}
        else:
            enc_certs = server.metadata.certs(sp, "spsso", "encryption")
            if not plain and not enc_certs:
                raise Refused("the SP metadata has no encryption certificate for the assertion")
            response_xml = server.create_authn_response(
                identity=user.get("attributes") or {},
                in_response_to=message.id,
                destination=acs,
                sp_entity_id=sp,
                name_id=name_id,
                authn={"class_ref": loa, "session_index": session_index},
                sign_response=True,
                sign_assertion=True,
                encrypt_assertion=not plain,
                encrypt_assertion_self_contained=True,
                encrypt_cert_assertion=None if plain else enc_certs[0][1],
            )
            response_xml = str(response_xml)
            with self.lock:
                self.sessions[(name_id.text, session_index)] = sp
            entry["issued"] = {"name_id": name_id.text, "session_index": session_index, "loa": loa,
                               "encrypted": not plain}
        if not response_xml.lstrip().startswith("<?xml"):
            response_xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + response_xml
        self.keep_response(response_xml)
        self.record(entry)
        return self.auto_post(acs, base64.b64encode(response_xml.encode("utf-8")).decode("ascii"), relay_state)

    def load_user(self):
        try:
            with open(self.args.user, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError) as e:
            raise Refused(f"user file {self.args.user} unusable: {e}", 500)

    def keep_response(self, xml):
        with self.lock:
            self.responses_sent += 1
            n = self.responses_sent
        if self.args.state_dir:
            with open(os.path.join(self.args.state_dir, f"response-{n}.xml"), "w", encoding="utf-8") as f:
                f.write(xml)

    @staticmethod
    def auto_post(action, saml_response, relay_state):
        fields = f'<input type="hidden" name="SAMLResponse" value="{html.escape(saml_response)}"/>\n'
        if relay_state is not None:
            fields += f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}"/>\n'
        return (
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>SAML login</title></head>\n"
            "<body onload=\"document.forms[0].submit()\">\n"
            f"<form method=\"post\" action=\"{html.escape(action)}\">\n{fields}"
            "<input type=\"submit\" value=\"Continue\"/>\n</form>\n</body></html>\n"
        )

    # ---- SLO ---------------------------------------------------------------------------------

    def rotate(self):
        """A new signing key and certificate in place of the old; the metadata says so."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "rotated idp")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
        with open(self.args.key, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption()))
        with open(self.args.cert, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        with self.lock:
            self.server = None
            self.server_stamp = None
            self.metadata_xml = self._metadata()

    def logout_sp(self):
        """IdP-initiated logout of the last login issued: the Location of the 302 to the SP."""
        server = self.saml_server()
        with self.lock:
            if not self.sessions:
                raise Refused("no login to log out", 409)
            (name_id, session_index), sp = list(self.sessions.items())[-1]
        slo = server.metadata.single_logout_service(sp, BINDING_HTTP_REDIRECT, "spsso")
        if not slo:
            raise Refused("the SP metadata has no HTTP-Redirect SingleLogoutService")
        destination = slo[0]["location"]
        request_id, request = server.create_logout_request(
            destination, sp, name_id=saml.NameID(format=NAMEID_TRANSIENT, text=name_id),
            session_indexes=[session_index], sign=False)
        info = server.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination, "idp-logout",
                                    sign=True, sigalg=SIG_RSA_SHA256)
        self.record({"id": request_id, "binding": "idp-logout", "destination": destination,
                     "name_id": name_id})
        return dict(info["headers"])["Location"]

    def logout_response(self, server, query):
        """The SP's answer to logout_sp: checked and recorded."""
        params, xml_bytes, sig_alg = self.verify_redirect(server, query, "SAMLResponse")
        root = self.parse(xml_bytes)
        if root.tag != f"{{{NS_SAMLP}}}LogoutResponse":
            raise Refused(f"the SAMLResponse is a {root.tag}, not a samlp:LogoutResponse")
        if root.get("Destination") != self.slo_redirect:
            raise Refused(f"Destination {root.get('Destination')!r}, expected {self.slo_redirect!r}")
        code = root.find(f"{{{NS_SAMLP}}}Status/{{{NS_SAMLP}}}StatusCode")
        self.record({
            "binding": "logout-response",
            "issuer": self.issuer_of(xml_bytes),
            "signature_verified": True,
            "sig_alg": sig_alg,
            "in_response_to": root.get("InResponseTo"),
            "status": code.get("Value") if code is not None else None,
            "relay_state": params.get("RelayState"),
        })
        return "<!DOCTYPE html>\n<html><head><title>Logged out</title></head><body>logged out</body></html>\n"

    def slo(self, query):
        """Returns the Location of the 302 carrying the LogoutResponse."""
        server = self.saml_server()
        params, xml_bytes, sig_alg = self.verify_redirect(server, query, "SAMLRequest")
        self.check_root(xml_bytes, "LogoutRequest", self.slo_redirect)
        try:
            parsed = server.parse_logout_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
        except Exception as e:
            raise Refused(f"LogoutRequest not accepted by pysaml2: {type(e).__name__}: {str(e)[:300]}")
        message = parsed.message
        sp = self.check_request(server, message, self.slo_redirect)
        slo = server.metadata.single_logout_service(sp, BINDING_HTTP_REDIRECT, "spsso")
        if not slo:
            raise Refused("the SP metadata has no HTTP-Redirect SingleLogoutService")
        name_id = message.name_id.text.strip() if message.name_id is not None and message.name_id.text else None
        session_indexes = [s.text.strip() for s in message.session_index if s.text]
        with self.lock:
            known = any((name_id, s) in self.sessions for s in session_indexes) if session_indexes else any(
                n == name_id for n, _ in self.sessions)
        relay_state = params.get("RelayState")
        response = server.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
        info = server.apply_binding(BINDING_HTTP_REDIRECT, str(response), response.destination,
                                    relay_state or "", response=True, sign=True, sigalg=SIG_RSA_SHA256)
        location = dict(info["headers"])["Location"]
        self.record({
            "id": message.id,
            "binding": "slo",
            "destination": message.destination,
            "issuer": sp,
            "signature_verified": True,
            "sig_alg": sig_alg,
            "name_id": name_id,
            "name_id_format": message.name_id.format if message.name_id is not None else None,
            "session_indexes": session_indexes,
            "known_session": known,
            "relay_state": relay_state,
            "response_location": location,
        })
        return location


class Handler(BaseHTTPRequestHandler):
    idp = None  # set before serving
    protocol_version = "HTTP/1.1"
    server_version = "hlidac-test-idp"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, content_type="text/plain; charset=utf-8", headers=()):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        self.handle_saml("GET", path, query, None)

    def do_PUT(self):
        self.do_POST()

    def do_POST(self):
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self.handle_saml(self.command, path, query, body)

    def handle_saml(self, method, path, query, body):
        idp = self.idp
        try:
            if method == "GET" and path == "/metadata":
                self.send(200, idp.metadata_xml, "application/samlmetadata+xml")
            elif method == "GET" and path == "/sso/redirect":
                with idp.work:
                    page = idp.sso(BINDING_HTTP_REDIRECT, None, query)
                self.send(200, page, "text/html; charset=utf-8")
            elif method == "POST" and path == "/sso/post":
                form = dict(parse_qsl(body, keep_blank_values=True))
                form.update({k: v for k, v in parse_qsl(query) if k in ("plain", "gcm")})
                with idp.work:
                    page = idp.sso(BINDING_HTTP_POST, form, query)
                self.send(200, page, "text/html; charset=utf-8")
            elif method == "GET" and path == "/slo/redirect" and "SAMLResponse=" in query:
                with idp.work:
                    page = idp.logout_response(idp.saml_server(), query)
                self.send(200, page, "text/html; charset=utf-8")
            elif method == "GET" and path == "/slo/redirect":
                with idp.work:
                    location = idp.slo(query)
                self.send(302, "", headers=[("Location", location)])
            elif method == "GET" and path == "/test/logout":
                with idp.work:
                    location = idp.logout_sp()
                self.send(302, "", headers=[("Location", location)])
            elif method == "POST" and path == "/test/rotate":
                with idp.work:
                    idp.rotate()
                self.send(200, "rotated\n")
            elif method == "PUT" and path == "/test/metadata":
                with idp.lock:
                    idp.metadata_xml = body
                self.send(200, "metadata replaced\n")
            elif method == "GET" and path == "/test/requests":
                with idp.lock:
                    self.send(200, json.dumps(idp.requests, ensure_ascii=False), "application/json")
            elif method == "GET" and path == "/test/refused":
                with idp.lock:
                    self.send(200, json.dumps(idp.refused, ensure_ascii=False), "application/json")
            elif method == "POST" and path == "/test/reset":
                idp.reset()
                self.send(200, "reset\n")
            else:
                self.send(404, f"no {method} {path}\n")
        except Refused as e:
            log.warning("refused %s %s: %s", method, path, e.reason)
            idp.record_refused({"method": method, "path": path, "status": e.status, "reason": e.reason})
            self.send(e.status, f"refused: {e.reason}\n")
        except Exception as e:  # a bug here: say it, keep serving
            log.exception("error on %s %s", method, path)
            self.send(500, f"IdP error: {type(e).__name__}: {e}\n")


def main():
    parser = argparse.ArgumentParser(description="SAML 2.0 IdP test peer (pysaml2)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", required=True, help="IdP signing key, PEM")
    parser.add_argument("--cert", required=True, help="IdP signing certificate, PEM")
    parser.add_argument("--sp-metadata", required=True, help="SP metadata XML (may appear later)")
    parser.add_argument("--user", required=True, help="JSON: loa, attributes (read on every login)")
    parser.add_argument("--entity-id", help="default http://127.0.0.1:<port>/metadata")
    parser.add_argument("--metadata-key", help="signs /metadata (a federation's key), PEM")
    parser.add_argument("--metadata-cert", help="the certificate of --metadata-key, PEM")
    parser.add_argument("--state-dir", help="keeps requests.json, refused.json, response-N.xml, temp files")
    args = parser.parse_args()
    for name in ("key", "cert", "user", "sp_metadata", "state_dir", "metadata_key", "metadata_cert"):
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="saml_idp: %(message)s")
    # pysaml2 logs a failed signature check at length; the refusal says it in one line.
    logging.getLogger("saml2").setLevel(logging.CRITICAL)
    if args.state_dir:
        os.makedirs(args.state_dir, exist_ok=True)
        tmp = os.path.join(args.state_dir, "tmp")
        os.makedirs(tmp, exist_ok=True)
        tempfile.tempdir = tmp

    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    Handler.idp = Idp(args, port)
    sys.stdout.write(f"listening {port}\n")
    sys.stdout.flush()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
