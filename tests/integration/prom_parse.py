#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A strict reader of the Prometheus text exposition format (0.0.4), as
node_exporter's textfile collector takes it: refuses whatever the format
does not allow (bad names, bad escapes, a sample before its family's TYPE,
a family split in two, a series twice, a counter not ending in _total) and
prints the samples as JSON: [{"name":..., "labels": {...}, "value": N}].
Exit status 1 with the line that is wrong."""
import json
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r'"((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL}={VALUE},?)*)\}})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)$")
PAIR = re.compile(rf"({LABEL})={VALUE}(,|$)")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def unescape(v):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "\\": "\\", '"': '"'}[m.group(1)], v)


def fail(n, line, why):
    sys.exit(f"line {n}: {why}: {line!r}")


def main():
    text = sys.stdin.read()
    if text and not text.endswith("\n"):
        sys.exit("the last line has no newline")
    types, helps, done, series, samples = {}, set(), set(), set(), []
    current = None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            m = re.match(rf"^# (HELP|TYPE) ({NAME}) (.*)$", line)
            if not m:
                fail(n, line, "a comment that is neither HELP nor TYPE")
            kind, name, rest = m.groups()
            if name in done or (current and name != current):
                if current:
                    done.add(current)
                if name in done:
                    fail(n, line, "a family that was already closed")
            current = name
            if kind == "HELP":
                if name in helps or re.search(r"\\[^\\n]", rest):
                    fail(n, line, "HELP twice or a bad escape")
                helps.add(name)
            else:
                if name in types or rest not in TYPES:
                    fail(n, line, "TYPE twice or unknown")
                if rest == "counter" and not name.endswith("_total"):
                    fail(n, line, "a counter whose name does not end in _total")
                types[name] = rest
            continue
        m = SAMPLE.match(line)
        if not m:
            fail(n, line, "not a sample")
        name, labels_text, value = m.group(1), m.group(2) or "", m.group(4)
        if name != current or name not in types:
            fail(n, line, "a sample outside its family (no TYPE before it)")
        labels, pos = {}, 0
        while pos < len(labels_text):
            p = PAIR.match(labels_text, pos)
            if not p:
                fail(n, line, "bad labels")
            if p.group(1) in labels:
                fail(n, line, "a label twice")
            labels[p.group(1)] = unescape(p.group(2))
            pos = p.end()
        if labels_text.endswith(","):
            fail(n, line, "a trailing comma")
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            fail(n, line, "the same series twice")
        series.add(key)
        v = float(value)
        if types[name] == "counter" and (v < 0 or v != int(v)):
            fail(n, line, "a counter that is not a whole number >= 0")
        samples.append({"name": name, "labels": labels, "value": int(v) if v == int(v) else v})
    json.dump(samples, sys.stdout)


main()
