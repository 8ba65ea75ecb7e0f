#!/usr/bin/env python3
"""A real SMTP server for hlidac's tests (aiosmtpd).

Listens on 127.0.0.1 (port 0 = a free port), prints "PORT <n>" once listening, and writes
each accepted message to DIR/<n>.json with its envelope and its decoded subject and body,
and the raw message to DIR/<n>.eml.
The reply to DATA is steered by DIR/mode: absent or empty = accept, "451" = temporary
refusal, "550" = permanent refusal, "close" = drop the connection.
Each address listed in DIR/reject (one a line) is refused at RCPT TO with "550 5.1.1", as a
mailbox that no longer exists.
With --lean only the headers are decoded (the body and html fields stay empty): the
tests that count thousands of messages need their Message-IDs, and decoding every body
would make this server the slowest part of the test.
"""
import argparse
import asyncio
import email
import base64
import json
import os
from email import policy
from email.parser import BytesHeaderParser

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, directory, lean):
        self.directory = directory
        self.lean = lean
        # Started again on the same folder (an outage in a test): number on, never over.
        self.count = sum(1 for f in os.listdir(directory) if f.endswith(".json"))

    def mode(self):
        try:
            with open(os.path.join(self.directory, "mode")) as f:
                return f.read().strip()
        except FileNotFoundError:
            return ""

    def rejected(self):
        try:
            with open(os.path.join(self.directory, "reject")) as f:
                return {line.strip().lower() for line in f if line.strip()}
        except FileNotFoundError:
            return set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected():
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mode = self.mode()
        if mode == "451":
            return "451 4.3.0 Try again later"
        if mode == "550":
            return "550 5.1.1 Mailbox unavailable"
        if mode == "close":
            session.transport.close()
            return "421 4.3.0 Closing"
        raw = envelope.original_content or envelope.content
        if self.lean:
            msg = BytesHeaderParser(policy=policy.default).parsebytes(raw)
            part = html = None
        else:
            msg = email.message_from_bytes(raw, policy=policy.default)
            part = msg.get_body(preferencelist=("plain",))
            html = msg.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "subject": str(msg["subject"]),
            "message_id": str(msg["message-id"]),
            "body": part.get_content() if part is not None else "",
            "html": html.get_content() if html is not None else "",
            "list_unsubscribe": str(msg["list-unsubscribe"] or ""),
            "list_unsubscribe_post": str(msg["list-unsubscribe-post"] or ""),
            # Inline images (the payment QR code), base64, with their Content-ID.
            "images": [] if self.lean else [
                {"cid": str(p["content-id"] or ""),
                 "png": base64.b64encode(p.get_content()).decode("ascii")}
                for p in msg.walk() if p.get_content_maintype() == "image"
            ],
        }
        self.count += 1
        name = os.path.join(self.directory, f"{self.count:06d}.json")
        with open(name[:-5] + ".eml", "wb") as f:
            f.write(raw)
        with open(name + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(name + ".tmp", name)
        return "250 2.0.0 Accepted"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lean", action="store_true")
    args = parser.parse_args()
    handler = Handler(args.dir, args.lean)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, enable_SMTPUTF8=True, hostname="sink.test"),
        "127.0.0.1",
        args.port,
    )
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
