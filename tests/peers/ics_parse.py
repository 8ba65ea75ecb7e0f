#!/usr/bin/env python3
"""Reads an iCalendar file with the `icalendar` library (as a calendar app would) and
prints its events as JSON: uid, summary, description, start (ISO date), and each alarm's
action and trigger in seconds relative to the start. A file the library refuses exits 1
with its error. Usage: ics_parse.py FILE"""
import json
import sys

import icalendar


def main():
    with open(sys.argv[1], "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    out = {
        "name": str(cal.get("X-WR-CALNAME", "") or cal.get("NAME", "")),
        "timezone": str(cal.get("X-WR-TIMEZONE", "")),
        "events": [],
    }
    for ev in cal.walk("VEVENT"):
        start = ev.decoded("DTSTART")
        alarms = []
        for a in ev.walk("VALARM"):
            trigger = a.decoded("TRIGGER")
            alarms.append({"action": str(a.get("ACTION")), "seconds": int(trigger.total_seconds()),
                           "description": str(a.get("DESCRIPTION", ""))})
        out["events"].append({
            "uid": str(ev.get("UID")),
            "summary": str(ev.get("SUMMARY")),
            "description": str(ev.get("DESCRIPTION", "")),
            "start": start.isoformat(),
            "alarms": alarms,
        })
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - the test reads the reason
        print(f"ics_parse: {e}", file=sys.stderr)
        sys.exit(1)
