#!/usr/bin/env python3
"""Verifies the DKIM signature of a raw message with dkimpy, answering the DNS query for
the public key from the command line instead of DNS.

    dkim_verify.py MESSAGE.eml PUBLIC_KEY_BASE64   -> prints "pass <queried name>" or "fail"
"""
import sys

import dkim

message = open(sys.argv[1], "rb").read()
record = ("v=DKIM1; k=rsa; p=" + sys.argv[2]).encode()
asked = []


def dns(name, timeout=5):
    asked.append(name.decode() if isinstance(name, bytes) else name)
    return record


ok = dkim.verify(message, dnsfunc=dns)
print(("pass " if ok else "fail ") + ",".join(asked))
