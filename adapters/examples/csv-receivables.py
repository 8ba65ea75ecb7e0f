#!/usr/bin/env python3
"""hlidac exec adapter: receivables from a CSV export (for example a nightly export of a
town's fee register).

    csv-receivables.py EXPORT.csv

The CSV has a header row and the columns
    key, person_ref, kind, title, period, currency, amount_due, amount_outstanding,
    due_date, variable_symbol, account, status
with amounts as decimal numbers ("900.00" or "900,00") and due_date as YYYY-MM-DD or
D.M.YYYY. One instalment per row. Reads the request line from stdin, prints the handshake,
the records of the people asked about, and the end line. Any problem with the file exits
non-zero, which hlidac treats as a failed poll: nothing changes, nothing is sent.
"""
import csv
import json
import re
import sys

PROTOCOL = "hlidac-adapter/1"


def amount(text):
    t = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?", t):
        raise ValueError(f"not an amount: {text!r}")
    whole, _, frac = t.partition(".")
    return f"{whole}.{(frac + '00')[:2]}"


def date(text):
    t = text.strip()
    m = re.fullmatch(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})", t)
    if m:
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return t
    raise ValueError(f"not a date: {text!r}")


def main():
    request = json.loads(sys.stdin.readline())
    wanted = set(request.get("person_refs", []))
    if request.get("op") != "receivables":
        print(f"this adapter serves receivables, not {request.get('op')}", file=sys.stderr)
        return 2
    out = [json.dumps({"protocol": PROTOCOL})]
    with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            if row["person_ref"] not in wanted:
                continue
            try:
                due = amount(row["amount_due"])
                out.append(json.dumps({
                    "key": row["key"],
                    "person_ref": row["person_ref"],
                    "kind": row["kind"] or "other",
                    "title": row["title"],
                    "period": row.get("period") or None,
                    "currency": row.get("currency") or "CZK",
                    "amount_due": due,
                    "amount_outstanding": amount(row["amount_outstanding"]),
                    "instalments": [{"no": 1, "due_date": date(row["due_date"]), "amount": due,
                                     "paid": row["status"] == "paid"}],
                    "payment": {"account": row.get("account") or None,
                                "variable_symbol": row.get("variable_symbol") or None},
                    "status": row["status"],
                }, ensure_ascii=False))
            except (KeyError, ValueError) as e:
                print(f"line {n}: {e}", file=sys.stderr)
                return 1
    out.append(json.dumps({"end": True, "complete": True}))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
