"""Parses an OpenMetrics text exposition from standard input with the Prometheus
project's own parser (prometheus_client), strictly: any malformed line is an error.
Prints one JSON object per family: name, type, unit and its samples."""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    for family in text_string_to_metric_families(text):
        print(json.dumps({
            "name": family.name,
            "type": family.type,
            "unit": family.unit,
            "samples": [[s.name, s.labels, s.value] for s in family.samples],
        }))


if __name__ == "__main__":
    main()
