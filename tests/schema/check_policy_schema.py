#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""docs/policy.schema.json and hardrun's policy loader agree.

- every policy of the repository (examples/, the embedded default, the
  valid corpus here) validates under the schema AND `hardrun policy
  validate` accepts it;
- `hardrun policy show` (every rule and setting the loader knows, with its
  default) validates under the schema, which has no additionalProperties: a
  rule or setting added to the loader and not to the schema fails here;
- every broken policy of broken-policies.json is refused by both;
- loader-only.json lists what a schema cannot express (profile names that
  must exist, system calls libseccomp must know, arithmetic across
  settings): the schema accepts them, the loader refuses them, so the limit
  stays known.

usage: check_policy_schema.py HARDRUN REPO_ROOT
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

HARDRUN, ROOT = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def schema_errors(validator, doc):
    return [f"{'/' + '/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def loader(path):
    """(valid, problems) from `hardrun policy validate --format json`."""
    out = subprocess.run([HARDRUN, "policy", "validate", "--format", "json", "--no-trust-check", path],
                         capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        failures.append(f"{path}: validate exited {out.returncode}: {out.stderr.strip()}")
        return None, []
    report = json.loads(out.stdout)
    if report["valid"] != (out.returncode == 0):
        failures.append(f"{path}: exit status {out.returncode} but valid is {report['valid']}")
    return report["valid"], report["errors"]


def check(validator, name, doc, path, want_schema, want_loader):
    errors = schema_errors(validator, doc)
    valid, problems = loader(path)
    if (not errors) != want_schema:
        failures.append(f"{name}: the schema {'refuses' if errors else 'accepts'} it: {errors[:3]}")
    if valid is not None and valid != want_loader:
        failures.append(f"{name}: the loader {'accepts' if valid else 'refuses'} it: {problems[:3]}")


def with_file(doc, fn):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    try:
        fn(f.name)
    finally:
        os.unlink(f.name)


def main():
    with open(os.path.join(ROOT, "docs", "policy.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    counts = {"valid": 0, "broken": 0, "loader-only": 0}

    valid = sorted(glob.glob(os.path.join(ROOT, "examples", "policies", "*.json")))
    valid += [os.path.join(ROOT, "examples", "kubernetes", "policy.json"),
              os.path.join(ROOT, "policy", "default-policy.json")]
    valid += sorted(glob.glob(os.path.join(HERE, "valid", "*.json")))
    for path in valid:
        if not os.path.exists(path):
            continue
        with open(path) as f:
            check(validator, os.path.relpath(path, ROOT), json.load(f), path, True, True)
        counts["valid"] += 1

    show = subprocess.run([HARDRUN, "--hardrun-policy", os.path.join(ROOT, "examples", "policies", "profiles.json"),
                           "policy", "show"], capture_output=True, text=True, check=True)
    errors = schema_errors(validator, json.loads(show.stdout))
    if errors:
        failures.append(f"policy show (every rule and setting the loader knows): the schema refuses {errors[:5]}")

    for corpus, want_schema in (("broken-policies.json", False), ("loader-only.json", True)):
        with open(os.path.join(HERE, corpus)) as f:
            cases = json.load(f)
        for case in cases:
            with_file(case["policy"], lambda p, c=case: check(validator, f"{corpus}: {c['name']}", c["policy"], p,
                                                              want_schema, False))
            counts["broken" if not want_schema else "loader-only"] += 1

    print(f"checked {counts['valid']} valid policies, {counts['broken']} broken ones, "
          f"{counts['loader-only']} only the loader can refuse")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


sys.exit(main())
