#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validates `pasidtrace analyze --format json` output against
docs/report.schema.json, for every sample (with and without
--show-kernel-pointers) and every checked-in expected report, and checks the
documented key order, which JSON Schema cannot express.

usage: validate_report_schema.py PASIDTRACE_BINARY SOURCE_DIR
"""
import copy
import json
import pathlib
import subprocess
import sys

import jsonschema

TOP_KEYS = ["report", "version", "model", "input", "summary", "lifetimes", "unchecked", "findings"]
INPUT_KEYS = ["path", "format", "events", "lost", "skipped", "failed_binds", "late"]
LIFETIME_KEYS = ["pasid", "mm", "state", "alloc_ts", "alloc_seen", "free_ts", "mmput_ts", "mmdrop_ts",
                 "bindings", "threads"]
FINDING_KEYS = ["rule", "severity", "pasid", "mm", "ts", "uncertain", "message", "evidence"]


def without_mm_id(keys):
    return [k for k in keys if k != "mm_id"]


def check_order(report, where):
    problems = []
    if list(report) != TOP_KEYS:
        problems.append(f"{where}: top-level keys {list(report)}")
    if list(report["input"]) != INPUT_KEYS:
        problems.append(f"{where}: input keys {list(report['input'])}")
    for lt in report["lifetimes"]:
        if without_mm_id(lt) != LIFETIME_KEYS:
            problems.append(f"{where}: lifetime keys {list(lt)}")
    for f in report["findings"]:
        if without_mm_id(f) != FINDING_KEYS:
            problems.append(f"{where}: finding keys {list(f)}")
    return problems


def validate(validator, report, where):
    errors = [f"{where}: {e.json_path}: {e.message}" for e in validator.iter_errors(report)]
    return errors + (check_order(report, where) if not errors else [])


def main():
    binary, source = sys.argv[1], pathlib.Path(sys.argv[2])
    schema = json.loads((source / "docs/report.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    samples = sorted(p for p in (source / "samples").rglob("*.jsonl") if p.name != "bad.jsonl")
    expected = sorted((source / "samples/expected").rglob("*.json"))
    if not samples:
        sys.exit("no samples found")
    problems, checked = [], 0
    for sample in samples:
        for extra in ([], ["--show-kernel-pointers"]):
            run = subprocess.run([binary, "analyze", "--format", "json", "--fail-on", "never", *extra, str(sample)],
                                 capture_output=True, text=True, check=False)
            if run.returncode != 0:
                problems.append(f"{sample}: exit {run.returncode}: {run.stderr.strip()}")
                continue
            problems += validate(validator, json.loads(run.stdout), f"{sample} {' '.join(extra)}")
            checked += 1
    for path in expected:
        problems += validate(validator, json.loads(path.read_text()), str(path))
        checked += 1

    # The schema must be able to fail: a report with a wrong state is rejected.
    broken = json.loads(subprocess.run([binary, "analyze", "--format", "json", "--fail-on", "never",
                                        str(samples[0])], capture_output=True, text=True, check=True).stdout)
    broken = copy.deepcopy(broken)
    broken["summary"]["findings"]["fatal"] = 1
    if validator.is_valid(broken):
        problems.append("schema accepted a report with an unknown summary key")

    for p in problems:
        print(p)
    print(f"{checked} reports checked, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
