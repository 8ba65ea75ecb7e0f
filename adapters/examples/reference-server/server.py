#!/usr/bin/env python3
"""A reference implementation of the hlidac adapter protocol, version 1.1, over PostgreSQL.

    server.py --listen 127.0.0.1:8490 --dsn postgres://agenda@localhost/lhota \\
              --token-file /etc/hlidac-adapter/token

It serves the tables of schema.sql: the receivables and submissions of the people hlidac
asks about (with ETags), the change feed (with tombstones), and registry matching. Only
the standard library and pg8000 (pure Python) are used. To serve your own system, change
the SQL in the functions below, or build views with the schema's names over your tables.

Privacy: the log never holds a person reference, an identifier or a query string; the
registry log line names the purpose and legal basis of each call and its outcome.
"""
import argparse
import contextlib
import datetime
import hashlib
import hmac
import json
import os
import re
import sys
import threading
import unicodedata
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pg8000.native

CAPABILITIES = {
    "protocol": "hlidac-adapter/1",
    "version": "1.1",
    "kinds": ["registry", "receivables", "submissions"],
    "changes": True,    # GET /v1/changes
    "etag": True,       # ETag and 304 on the lists
    "tracking": False,  # no GET /v1/submissions/track (Bulgarian document tracking)
    "max_page": 500,    # hlidac sends at most this many people per list call
}
MAX_PAGE = CAPABILITIES["max_page"]  # person references per list call
CHANGE_PAGE = 500                    # change-log lines per change-feed page
MAX_BODY = 64 * 1024                 # the largest request body read
SCHEMES = {"cz-nia", "eidas", "bg-egn", "rs-umcn", "oidc"}
# A change is numbered when it is written but seen only when its transaction commits, so
# a transaction still open can commit a lower number than one already read. The feed
# therefore hands out a cursor only past changes older than this (and sends the newer ones
# again on the next read, which costs hlidac nothing). Keep it longer than the longest
# transaction that writes fees or filing records.
SETTLE_SECONDS = 60


class Failure(Exception):
    """An answer other than 200: its status and the protocol's error code."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# ----- the database -----------------------------------------------------------------------

class Database:
    """A few pg8000 connections shared by the request threads; each request runs in one
    read-only transaction, so that what it reads is consistent."""

    BEGIN = "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"

    def __init__(self, dsn, size=4):
        url = urlsplit(dsn)
        if url.scheme not in ("postgres", "postgresql"):
            raise ValueError("the DSN must be a postgres:// URL")
        self.params = {
            "user": unquote(url.username or os.environ.get("PGUSER", "postgres")),
            "password": unquote(url.password) if url.password else os.environ.get("PGPASSWORD"),
            "host": url.hostname or "localhost",
            "port": url.port or 5432,
            "database": unquote(url.path.lstrip("/")) or None,
            "application_name": "hlidac-reference-server",
            "timeout": 30,  # seconds; a database that hangs fails the request
        }
        self.idle = []
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(size)  # at most `size` connections

    @contextlib.contextmanager
    def transaction(self):
        with self.slots:
            with self.lock:
                con = self.idle.pop() if self.idle else None
            if con is not None:
                try:
                    con.run(self.BEGIN)
                except Exception:  # it died, with a database restart for instance
                    with contextlib.suppress(Exception):
                        con.close()
                    con = None
            if con is None:
                con = pg8000.native.Connection(**self.params)
                con.run(self.BEGIN)
            try:
                yield con
            finally:
                try:
                    con.run("ROLLBACK")  # read only: nothing to keep
                    with self.lock:
                        self.idle.append(con)
                except Exception:  # the connection broke: it is not reused
                    with contextlib.suppress(Exception):
                        con.close()


def rows(con, sql, **params):
    """The rows of a query as dicts. Values go as parameters, never into the SQL text."""
    result = con.run(sql, **params)
    names = [c["name"] for c in con.columns or []]
    return [dict(zip(names, row)) for row in result]


# ----- records ----------------------------------------------------------------------------

def money(amount):
    return f"{Decimal(amount):.2f}"  # a decimal string with two decimals: "450.00"


def instant(ts):
    return ts.isoformat(timespec="seconds")  # RFC 3339 with its zone


def compact(fields):
    """The fields that are set: the protocol leaves out what a record does not have."""
    return {k: v for k, v in fields.items() if v is not None}


def tombstone(key, person_ref, why, version, updated_at):
    """A record that left the source (1.1): "cancelled" by a decision of the municipality,
    or "withdrawn" when it was deleted (entered in error). Never read as paid."""
    return {"key": key, "person_ref": person_ref, "withdrawn": why,
            "version": str(version), "updated_at": instant(updated_at)}


def deletions(con, kind, present, person_refs=(), keys=()):
    """Tombstones for the deleted records of these people, or with these keys, as long as
    the change log remembers them: in lists too, so that hlidac also learns of a deletion
    when it reads the lists and not the change feed."""
    return [tombstone(t["key"], t["person_ref"], "withdrawn", t["version"], t["logged_at"])
            for t in rows(con, """
                SELECT DISTINCT ON (key) key, person_ref, deleted, version, logged_at
                FROM change_log
                WHERE kind = :kind AND (person_ref = ANY(:refs) OR key = ANY(:keys))
                ORDER BY key, seq DESC""", kind=kind, refs=list(person_refs), keys=list(keys))
            if t["deleted"] and t["key"] not in present]  # its last change was a delete


PAYMENT_FIELDS = ("account", "iban", "bic", "variable_symbol", "constant_symbol",
                  "specific_symbol", "model", "reference", "code")


def receivables(con, today, person_refs=(), keys=()):
    """The receivables of these people, or with these keys, as the protocol has them."""
    fees = rows(con, """
        SELECT f.*, coalesce((SELECT sum(p.amount) FROM payments p
                              WHERE p.fee_key = f.key), 0) AS paid
        FROM fees f
        WHERE f.person_ref = ANY(:refs) OR f.key = ANY(:keys)
        ORDER BY f.key""", refs=list(person_refs), keys=list(keys))
    instalments = {}
    for i in rows(con, """
            SELECT i.fee_key, i.no, i.due_date, i.amount,
                   coalesce((SELECT sum(p.amount) FROM payments p
                             WHERE p.fee_key = i.fee_key AND p.instalment_no = i.no), 0)
                       >= i.amount AS paid
            FROM instalments i
            WHERE i.fee_key = ANY(:keys)
            ORDER BY i.fee_key, i.no""", keys=[f["key"] for f in fees]):
        instalments.setdefault(i["fee_key"], []).append(i)
    return ([receivable(f, instalments.get(f["key"], []), today) for f in fees]
            + deletions(con, "receivable", {f["key"] for f in fees}, person_refs, keys))


def receivable(fee, instalments, today):
    if fee["cancelled"]:
        return tombstone(fee["key"], fee["person_ref"], "cancelled",
                         fee["version"], fee["updated_at"])
    outstanding = max(fee["amount_due"] - fee["paid"], Decimal(0))
    # The dates still ahead of the citizen: each unpaid instalment's, or the fee's own.
    if instalments:
        unpaid = [i["due_date"] for i in instalments if not i["paid"]]
    else:
        unpaid = [fee["due_date"]] if fee["due_date"] else []
    if fee["status"]:               # in_enforcement, written_off, disputed: set by hand
        status = fee["status"]
    elif outstanding <= 0:
        status = "paid"
    elif any(due < today for due in unpaid):
        status = "overdue"          # only this status brings an overdue notice
    elif fee["paid"] > 0:
        status = "partially_paid"
    else:
        status = "open"
    payment = compact({f: fee[f] for f in PAYMENT_FIELDS})
    return compact({
        "key": fee["key"],
        "person_ref": fee["person_ref"],
        # The protocol's kinds, or the town's own word: hlidac reads an unknown one as
        # `other` and keeps the word.
        "kind": fee["kind"],
        "title": fee["title"],
        "period": fee["period"],
        "currency": fee["currency"],
        "amount_due": money(fee["amount_due"]),
        "amount_outstanding": money(outstanding),
        "instalments": [{"no": i["no"], "due_date": i["due_date"].isoformat(),
                         "amount": money(i["amount"]), "paid": i["paid"]}
                        for i in instalments],
        # A fee without instalments says when it is due (1.1).
        "due_date": None if instalments or not fee["due_date"] else fee["due_date"].isoformat(),
        "payment": payment or None,
        "status": status,
        "updated_at": instant(fee["updated_at"]),
        "version": str(fee["version"]),
    })


def submissions(con, person_refs=(), keys=()):
    """The filing records of these people, or with these keys, as submissions."""
    out, present = [], set()
    for r in rows(con, """
            SELECT * FROM filing_records
            WHERE person_ref = ANY(:refs) OR key = ANY(:keys)
            ORDER BY key""", refs=list(person_refs), keys=list(keys)):
        reference = compact({f: r[f] for f in
                             ("filing_number", "case_number", "registration_index")})
        out.append(compact({
            "key": r["key"],
            "person_ref": r["person_ref"],
            "reference": reference or None,
            "matter": r["matter"],
            "received_at": instant(r["received_at"]) if r["received_at"] else None,
            "status": r["status"],
            "status_native": r["status_native"],
            "assigned_to": r["assigned_to"],
            "deadline": r["deadline"].isoformat() if r["deadline"] else None,
            "updated_at": instant(r["updated_at"]),
            "version": str(r["version"]),
        }))
        present.add(r["key"])
    return out + deletions(con, "submission", present, person_refs, keys)


# ----- the change feed --------------------------------------------------------------------

def change_head(con):
    """The cursor to read from: the last change that has settled (see SETTLE_SECONDS)."""
    return rows(con, """
        SELECT coalesce((SELECT min(seq) - 1 FROM change_log
                         WHERE logged_at > now() - make_interval(secs => :settle)),
                        (SELECT max(seq) FROM change_log), 0) AS head""",
                settle=SETTLE_SECONDS)[0]["head"]


def changes_since(con, cursor, today, limit):
    # A cursor is a number this server handed out: not from the future, and not from
    # before the oldest line the log keeps. Anything else is 410 Gone, never an empty
    # page: an empty page would lose changes, 410 makes hlidac read everything again.
    if not re.fullmatch(r"[0-9]{1,18}", cursor):
        raise Failure(410, "cursor_gone", "this cursor is not one of this server's")
    cursor = int(cursor)
    span = rows(con, "SELECT min(seq) AS first, max(seq) AS last FROM change_log")[0]
    known = (cursor == 0 if span["last"] is None
             else span["first"] - 1 <= cursor <= span["last"])
    if not known:
        raise Failure(410, "cursor_gone", "this cursor is unknown or too old; read everything")

    lines = rows(con, """
        SELECT seq, kind, key, logged_at <= now() - make_interval(secs => :settle) AS settled
        FROM change_log WHERE seq > :cursor ORDER BY seq LIMIT :limit""",
                 cursor=cursor, settle=SETTLE_SECONDS, limit=limit)
    # Move the cursor over the settled lines only; the newer ones come again next time.
    next_cursor = cursor
    for line in lines:
        if not line["settled"]:
            break
        next_cursor = line["seq"]

    # Each key changed once or more: send what it is now, or its tombstone if deleted.
    changed = {"receivable": set(), "submission": set()}
    for line in lines:
        changed[line["kind"]].add(line["key"])
    return {
        "receivables": receivables(con, today, keys=changed["receivable"]),
        "submissions": submissions(con, keys=changed["submission"]),
        "next_cursor": str(next_cursor),
        # More only when the cursor moved: a page of unsettled lines waits for the next poll.
        "more": len(lines) == limit and next_cursor > cursor,
    }


# ----- registry matching ------------------------------------------------------------------

def text(obj, field, longest=1000):
    """A string field of a JSON object that is not blank, or None."""
    value = obj.get(field)
    return value if isinstance(value, str) and value.strip() and len(value) <= longest else None


def same_name(a, b):
    """Names compared case-insensitively, whatever their Unicode form."""
    def fold(name):
        return unicodedata.normalize("NFC", name).strip().casefold()
    return fold(a) == fold(b)


def registry_match(con, request):
    """The person an eID login names, if the registry agrees: 200, 404 or 409."""
    identity = request.get("identity") if isinstance(request, dict) else None
    if not (isinstance(identity, dict) and text(request, "purpose")
            and text(request, "legal_basis") and identity.get("scheme") in SCHEMES
            and text(identity, "identifier", longest=256)):
        raise Failure(400, "bad_request", "purpose, legal_basis, identity.scheme (cz-nia, "
                      "eidas, bg-egn, rs-umcn, oidc) and identity.identifier are required")
    family, dob = identity.get("family_name"), identity.get("date_of_birth")
    if not isinstance(family, (str, type(None))):
        raise Failure(400, "bad_request", "family_name is not text")
    try:
        dob = None if dob is None else datetime.datetime.strptime(dob, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        raise Failure(400, "bad_request", "date_of_birth is not YYYY-MM-DD") from None
    found = rows(con, """
        SELECT person_ref, family_name, date_of_birth FROM person_identifiers
        WHERE scheme = :scheme AND identifier = :identifier""",
                 scheme=identity["scheme"], identifier=identity["identifier"])
    if not found:
        raise Failure(404, "no_match", "no person has this identifier")
    person = found[0]
    # What the login says must not contradict the registry; what it leaves out is not asked.
    if ((dob and person["date_of_birth"] and dob != person["date_of_birth"])
            or (family and person["family_name"] and not same_name(family, person["family_name"]))):
        raise Failure(409, "conflict", "the identity contradicts the registry")
    documents = rows(con, """
        SELECT kind, number_masked, valid_until FROM documents
        WHERE person_ref = :ref ORDER BY valid_until, kind""", ref=person["person_ref"])
    return {"person_ref": person["person_ref"],
            "documents": [compact({"kind": d["kind"], "number_masked": d["number_masked"],
                                   "valid_until": d["valid_until"].isoformat()})
                          for d in documents]}


def access_log(request, outcome):
    """The registry's access record: who asked why, and the outcome; never who was asked
    about. The values are JSON-quoted so that they cannot forge a log line."""
    def said(field):
        value = request.get(field) if isinstance(request, dict) else None
        return json.dumps(value[:200] if isinstance(value, str) else None, ensure_ascii=False)
    print(f"registry match: purpose={said('purpose')} legal_basis={said('legal_basis')} "
          f"outcome={outcome}", file=sys.stderr, flush=True)


# ----- HTTP -------------------------------------------------------------------------------

def person_refs(query):
    refs = query.get("person_ref", [])
    if len(refs) > MAX_PAGE:
        raise Failure(400, "too_many", f"at most {MAX_PAGE} person_ref values per call")
    return refs


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: hlidac asks page after page
    timeout = 30                    # seconds a client may take to send a request

    def version_string(self):
        return "hlidac-reference/1.1"

    def do_GET(self):
        self.handle_request({
            "/v1/capabilities": lambda query: (200, CAPABILITIES),
            "/v1/receivables": self.get_receivables,
            "/v1/submissions": self.get_submissions,
            "/v1/changes": self.get_changes,
        })

    def do_POST(self):
        self.handle_request({"/v1/registry/match": self.post_match})

    def handle_request(self, routes):
        url = urlsplit(self.path)
        if self.headers.get("Content-Length", "0") != "0" or "Transfer-Encoding" in self.headers:
            self.close_connection = True  # a body may be left unread: no next request here
        try:
            if not self.authorized():
                raise Failure(401, "unauthorized", "a valid bearer token is required")
            route = routes.get(url.path)
            if route is None:
                raise Failure(404, "not_found", "no such endpoint")
            status, body = route(parse_qs(url.query, keep_blank_values=True))
        except Failure as f:
            status, body = f.status, {"error": f.code, "message": f.message}
        except Exception as e:  # the database is down, a query failed, …
            print(f"error: {type(e).__name__}", file=sys.stderr, flush=True)
            status, body = 500, {"error": "internal", "message": "the server failed"}
        self.send(status, body)

    def authorized(self):
        given = self.headers.get("Authorization", "")
        expected = "Bearer " + self.server.token
        return hmac.compare_digest(given.encode(), expected.encode())

    def get_receivables(self, query):
        refs = person_refs(query)
        with self.server.db.transaction() as con:
            records = receivables(con, self.server.today(), person_refs=refs)
        return 200, {"records": records, "complete": True}

    def get_submissions(self, query):
        refs = person_refs(query)
        with self.server.db.transaction() as con:
            records = submissions(con, person_refs=refs)
        return 200, {"records": records, "complete": True}

    def get_changes(self, query):
        cursor = query.get("cursor", [None])[0]
        limit = query.get("limit", [str(CHANGE_PAGE)])[0]
        if not limit.isdigit() or int(limit) < 1:
            raise Failure(400, "bad_request", "limit is a positive number")
        with self.server.db.transaction() as con:
            if cursor is None:
                return 200, {"next_cursor": str(change_head(con))}
            return 200, changes_since(con, cursor, self.server.today(),
                                      min(int(limit), CHANGE_PAGE))

    def post_match(self, query):
        request = None
        try:
            length = int(self.headers.get("Content-Length", ""))
            if not 0 <= length <= MAX_BODY:
                raise ValueError
            request = json.loads(self.rfile.read(length))
        except (ValueError, RecursionError):  # no length, too long, not JSON
            access_log(None, 400)
            raise Failure(400, "bad_request", "the body is not JSON of at most 64 KiB") from None
        try:
            with self.server.db.transaction() as con:
                person = registry_match(con, request)
        except Failure as f:
            access_log(request, f.status)
            raise
        access_log(request, 200)
        return 200, person

    def send(self, status, body):
        data = json.dumps(body, ensure_ascii=False).encode()
        etag = None
        if status == 200 and "records" in body:
            # The ETag is the body's hash: the same people with nothing changed give the
            # same body, and hlidac's If-None-Match gets 304 without a body.
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            asked = self.headers.get("If-None-Match", "")
            if etag in (t.strip() for t in asked.split(",")):
                status, data = 304, b""
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        if status != 304:
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # The standard log line holds the query string, and with it person references: log
    # the method, path and status only.
    def log_request(self, code="-", size="-"):
        path = urlsplit(self.path).path if hasattr(self, "path") else "-"
        print(f"{self.command} {json.dumps(path)} {code}", file=sys.stderr, flush=True)

    def log_error(self, format, *args):
        pass  # http.server's own errors quote the request line; log_request has the status


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, db, token, today):
        super().__init__(address, Handler)
        self.db, self.token, self.fixed_today = db, token, today

    def today(self):
        return self.fixed_today or datetime.date.today()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:8490",
                        help="HOST:PORT to serve on (port 0: any free one)")
    parser.add_argument("--dsn", required=True,
                        help="postgres://user@host[:port]/database (password: PGPASSWORD)")
    parser.add_argument("--token-file", required=True,
                        help="a file holding the bearer token hlidac sends")
    parser.add_argument("--today", type=datetime.date.fromisoformat,
                        help="the date statuses are computed for (tests); default: today")
    args = parser.parse_args()
    with open(args.token_file, encoding="utf-8") as f:
        token = f.read().strip()
    if len(token) < 8:
        sys.exit("the token file holds no token of at least 8 characters")
    db = Database(args.dsn)
    try:
        with db.transaction() as con:
            rows(con, "SELECT 1 FROM change_log LIMIT 1")
    except Exception as e:  # its message may quote the DSN: name only its kind
        sys.exit(f"cannot read the database ({type(e).__name__}); is schema.sql loaded?")
    host, _, port = args.listen.rpartition(":")
    server = Server((host, int(port)), db, token, args.today)
    print(f"listening {server.server_address[1]}", flush=True)  # the port, for scripts
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
