#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Judges what the kernel-test guest printed (tests/kernel/guest/scenarios.sh).

Each scenario's expectations come from what its pt_worker processes said
they did (pids, thread ids, the PASIDs the kernel gave them) and from the
contract's rules; a mechanism that cannot see a hook must name the rules it
leaves unchecked instead of reporting them. Prints one line per scenario,
and on failure what differed, with the tail of the guest's kernel log.
"""
import argparse
import json
import re
import sys

FULL = ("auto", "kprobe")
PASID_HOOKS = ("bind", "unbind", "pasid_alloc", "pasid_free", "mmdrop")
# Rules a recording without the PASID alloc/free hooks cannot check.
NEED_FREE = {"pasid-leak", "double-free", "early-free-task", "early-free-mm-live", "pasid-reuse-live"}


class Failure(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failure(what)


def parse(text):
    """Splits the results into check blocks and scenario blocks."""
    checks, scenarios = {}, {}
    lines = text.replace("\r", "").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"PT-CHECK-BEGIN (\S+)$", line)
        if m:
            j = next((k for k in range(i + 1, len(lines)) if lines[k].startswith("PT-CHECK-END")), None)
            if j is None:
                raise Failure(f"check {m[1]}: no PT-CHECK-END")
            checks[m[1]] = ("\n".join(lines[i + 1:j]), lines[j])
            i = j + 1
            continue
        m = re.match(r"PT-SCENARIO-BEGIN (\S+) (\S+)$", line)
        if m:
            key = (m[1], m[2])
            block = {"workers": [], "record": [], "report": None, "rc": None, "raw": [], "events": []}
            i += 1
            while i < len(lines) and not lines[i].startswith(("PT-SCENARIO-BEGIN", "PT-CHECK-BEGIN", "PT-GUEST-END")):
                cur = lines[i]
                block["raw"].append(cur)
                if cur.startswith("pt-worker "):
                    block["workers"].append(cur)
                elif cur.startswith("pt-record "):
                    block["record"].append(cur)
                elif cur.startswith("PT-REPORT-BEGIN"):
                    j = next((k for k in range(i + 1, len(lines)) if lines[k].startswith("PT-REPORT-END")), None)
                    if j is None:
                        break
                    body = "\n".join(lines[i + 1:j]).strip()
                    block["report"] = json.loads(body) if body else None
                    block["rc"] = int(re.search(r"rc=(\d+)", lines[j])[1])
                    i = j
                elif cur.startswith("PT-EVENTS-BEGIN"):
                    j = next((k for k in range(i + 1, len(lines)) if lines[k].startswith("PT-EVENTS-END")), len(lines))
                    block["events"] = lines[i + 1:j]
                    i = j
                i += 1
            scenarios[key] = block
            continue
        i += 1
    return checks, scenarios


class Workers:
    """What the pt_worker processes of one scenario said they did."""

    def __init__(self, lines):
        self.procs = {}  # pid -> {"name", "pasid", "msr_tids", "freed", "bind"}
        for line in lines:
            m = re.match(r"pt-worker (\S+) pid=(\d+) (.*)$", line)
            if not m:
                continue
            name, pid, rest = m[1], int(m[2]), m[3]
            p = self.procs.setdefault(pid, {"name": name, "pasid": None, "msr_tids": set(), "bind": None,
                                            "done": False})
            expect("FAILED" not in rest, f"worker {name} pid {pid}: {rest}")
            step = re.match(r"(\S+) tid=(\d+) pasid=(-?\d+)", rest)
            if step and step[1] == "alloc":
                p["pasid"] = int(step[3])
            elif step and step[1] == "msr":
                p["msr_tids"].add(int(step[2]))
            b = re.match(r"bind dev=\S+ err=(-?\d+)", rest)
            if b:
                p["bind"] = int(b[1])
            if rest == "done":
                p["done"] = True
        for pid, p in self.procs.items():
            expect(p["done"], f"worker {p['name']} pid {pid} did not finish")

    def named(self, name):
        found = [(pid, p) for pid, p in self.procs.items() if p["name"] == name]
        expect(len(found) == 1, f"expected one worker {name}, got {len(found)}")
        return found[0]


def lifetime_of(report, pid, pasid):
    """The lifetime of PASID `pasid` that process `pid`'s threads loaded."""
    found = [l for l in report["lifetimes"]
             if l["pasid"] == pasid and any(t["pid"] == pid for t in l["threads"])]
    expect(len(found) >= 1, f"no lifetime of PASID {pasid} with threads of pid {pid}")
    return found[0]


def owner_lifetime(report, pid, pasid):
    """The lifetime whose mm is process `pid`'s: its main thread loaded or allocated it."""
    found = [l for l in report["lifetimes"]
             if l["pasid"] == pasid and any(t["tid"] == pid for t in l["threads"])]
    expect(len(found) == 1, f"no single lifetime of PASID {pasid} holding pid {pid}'s main thread")
    return found[0]


def rules(report):
    return [(f["rule"], f["pasid"], f["mm"]) for f in report["findings"]]


def unchecked(report):
    return {u["rule"] for u in report["unchecked"]}


def recorded_hooks(block):
    """The recording header's hooks (pasidtrace convert's first line): hook -> (mechanism, status)."""
    expect(block["events"], "no recorded events (pasidtrace convert) in the guest output")
    header = json.loads(block["events"][0])
    return {h["hook"]: (h["mechanism"], h["status"]) for h in header["hooks"]}


def check_mechanisms(block, mech):
    """The recording used the mechanisms --mechanism asked for."""
    hooks = recorded_hooks(block)
    for name in PASID_HOOKS:
        used, status = hooks[name]
        if mech == "tracepoint":
            if name == "mmdrop":
                expect(":kmem:kmem_cache_free" in used and status == "attached",
                       f"mmdrop recorded through {used} ({status}), expected the kmem_cache_free proxy")
            else:
                expect(status != "attached", f"{name} attached through {used} under --mechanism tracepoint")
        else:
            want = "fentry:" if mech == "auto" else "kprobe:"
            expect(used.startswith(want) and status == "attached",
                   f"{name} recorded through {used} ({status}), expected {want}")


def check_common(block, mech):
    expect(block["report"] is not None, "no report between PT-REPORT-BEGIN and PT-REPORT-END")
    check_mechanisms(block, mech)
    expect(any(r.startswith("pt-record rc=0") for r in block["record"]), "record did not exit 0")
    report = block["report"]
    expect(report["input"]["lost"] == 0, f"events lost: {report['input']['lost']}")
    expect(report["model"] == "mm", f"model {report['model']}, expected mm for 6.1")
    if mech in FULL:
        expect(not report["unchecked"], f"rules unchecked with every hook attached: {sorted(unchecked(report))}")
    else:
        missing = NEED_FREE - unchecked(report)
        expect(not missing, f"without alloc/free hooks these rules must be unchecked: {sorted(missing)}")
    return report


def check_threads(report, workers, mech):
    """Every process's PASID and MSR threads, as the worker said."""
    for pid, p in workers.procs.items():
        if p["pasid"] is None or p["pasid"] < 0:
            continue
        l = lifetime_of(report, pid, p["pasid"])
        tids = {t["tid"] for t in l["threads"] if t["pid"] == pid}
        expect(tids == p["msr_tids"], f"pid {pid} PASID {p['pasid']}: MSR threads {sorted(tids)}, "
                                      f"the worker loaded it on {sorted(p['msr_tids'])}")
        expect(l["mmdrop_ts"] is not None, f"pid {pid} PASID {p['pasid']}: its mm's drop was not seen")
        expect(l["alloc_seen"] == (mech in FULL), f"pid {pid}: alloc_seen {l['alloc_seen']}")


def scenario_clean(report, rc, w, mech):
    expect(len(w.procs) == 3, f"expected 3 workers, got {len(w.procs)}")
    pasids = {p["pasid"] for p in w.procs.values()}
    expect(len(pasids) == 3, f"the three live processes did not get three PASIDs: {pasids}")
    expect(rules(report) == [] and rc == 0, f"findings {rules(report)} (exit {rc}), expected none")
    check_threads(report, w, mech)
    expect(len(report["lifetimes"]) == 3, f"{len(report['lifetimes'])} lifetimes, expected 3")
    for l in report["lifetimes"]:
        want = "freed" if mech in FULL else "open"
        expect(l["state"] == want, f"PASID {l['pasid']} state {l['state']}, expected {want}")


def scenario_early_free(report, rc, w, mech):
    pid, p = w.named("early-free")
    check_threads(report, w, mech)
    if mech not in FULL:
        expect(rules(report) == [] and rc == 0, f"findings {rules(report)}: the free is not observed")
        return
    mm = owner_lifetime(report, pid, p["pasid"])["mm"]
    want = [("early-free-task", p["pasid"], mm), ("double-free", p["pasid"], mm)]
    expect(rules(report) == want, f"findings {rules(report)}, expected {want}")
    expect(rc == 1, f"analyze exit {rc}, expected 1")
    # Stacks symbolized from the recording: the early free comes from the
    # test module's write handler, the second free from __mmdrop.
    first_free = report["findings"][0]["evidence"][-1]
    expect(any("[pasid_test]" in f for f in first_free.get("stack", [])),
           f"the early free's stack has no pasid_test module frame: {first_free.get('stack')}")
    second_free = report["findings"][1]["evidence"][-1]
    expect(any("__mmdrop" in f for f in second_free.get("stack", [])),
           f"the second free's stack does not pass through __mmdrop: {second_free.get('stack')}")


def scenario_leak(report, rc, w, mech):
    pid, p = w.named("leak")
    check_threads(report, w, mech)
    l = owner_lifetime(report, pid, p["pasid"])
    want = [("pasid-leak", p["pasid"], l["mm"])]
    expect(rules(report) == want, f"findings {rules(report)}, expected {want}")
    expect(l["state"] == "leaked" and rc == 1, f"state {l['state']}, exit {rc}")


def scenario_reuse(report, rc, w, mech):
    a_pid, a = w.named("reuse-a")
    b_pid, b = w.named("reuse-b")
    expect(a["pasid"] == b["pasid"], f"B got PASID {b['pasid']}, not A's freed {a['pasid']}: no reuse to test")
    pasid = a["pasid"]
    mm_a = owner_lifetime(report, a_pid, pasid)["mm"]
    mm_b = [l["mm"] for l in report["lifetimes"] if l["pasid"] == pasid and l["mm"] != mm_a]
    expect(len(mm_b) == 1, f"expected one other lifetime of PASID {pasid} (B's), got {mm_b}")
    mm_b = mm_b[0]
    # A's early free; A's thread loads the value B now owns (the second mm
    # is named); A's drop frees B's PASID while B lives; B's drop frees it again.
    want = [("early-free-task", pasid, mm_a), ("pasid-reuse-live", pasid, mm_a),
            ("early-free-mm-live", pasid, mm_b), ("double-free", pasid, mm_b)]
    expect(rules(report) == want, f"findings {rules(report)}, expected {want}")
    expect(rc == 1, f"analyze exit {rc}")


def scenario_bind_fail(report, rc, w, mech):
    pid, p = w.named("bind-fail")
    expect(p["bind"] is not None and p["bind"] < 0, f"the bind did not fail: err={p['bind']}")
    expect(report["input"]["failed_binds"] == 1, f"failed_binds {report['input']['failed_binds']}, expected 1")
    expect(rules(report) == [] and rc == 0, f"findings {rules(report)}, expected none")
    check_threads(report, w, mech)
    l = owner_lifetime(report, pid, p["pasid"])
    expect(l["state"] == "freed" and not l["bindings"], f"state {l['state']}, bindings {l['bindings']}")


SCENARIOS = {
    ("clean", "auto"): scenario_clean,
    ("early-free", "auto"): scenario_early_free,
    ("leak", "auto"): scenario_leak,
    ("reuse", "auto"): scenario_reuse,
    ("bind-fail", "auto"): scenario_bind_fail,
    ("clean", "kprobe"): scenario_clean,
    ("early-free", "kprobe"): scenario_early_free,
    ("clean", "tracepoint"): scenario_clean,
    ("early-free", "tracepoint"): scenario_early_free,
}


def judge_check(checks, mech):
    expect(mech in checks, f"no check output for --mechanism {mech}")
    body, end = checks[mech]
    expect(end.endswith("rc=0"), f"check --mechanism {mech}: {end}")
    hooks = {h["hook"]: h for h in json.loads(body)["hooks"]}
    want = "fentry" if mech == "auto" else "kprobe"
    for name in PASID_HOOKS:
        used = [a for a in hooks[name]["attempts"] if a["status"] == "attached"]
        expect(used and used[0]["mechanism"] == want,
               f"check --mechanism {mech}: {name} attached through {used[0]['mechanism'] if used else 'nothing'}, "
               f"expected {want}")
    if mech == "auto":
        # Debian 6.1.0-56's __mmput has no ftrace location: it must be
        # refused before any load (or, in another build, be absent or attach).
        mmput = hooks["mmput"]["attempts"][0]
        expect(mmput["mechanism"] == "fentry" and
               any(s in mmput["status"] for s in ("notrace", "not in the kernel's BTF", "attached")),
               f"check: fentry:__mmput neither attached nor refused before loading: '{mmput['status']}'")
    return f"{', '.join(PASID_HOOKS)} through {want}"


def summary(report):
    found = [f"{f['rule']}({f['pasid']},{f['mm']})" for f in report["findings"]]
    return ", ".join(found) if found else "no findings"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--only")
    args = ap.parse_args()

    def tail():
        try:
            with open(args.console, errors="replace") as f:
                return "".join(f.readlines()[-40:])
        except OSError as e:
            return f"(no guest log: {e})"

    try:
        with open(args.results, errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    if "PT-GUEST-BEGIN" not in text:
        print("test-kernel: FAIL: the guest never started its scenarios (no PT-GUEST-BEGIN); "
              "guest kernel log tail:\n" + tail())
        return 1
    # Judge what did run even when the guest did not finish.
    failures = 0
    if not re.search(r"PT-GUEST-END rc=0", text):
        failures += 1
        print("test-kernel: FAIL: the guest did not finish its scenarios (no PT-GUEST-END rc=0); its last "
              "output:\n    " + "\n    ".join(text.replace("\r", "").splitlines()[-10:]))

    try:
        checks, scenarios = parse(text)
    except (Failure, json.JSONDecodeError) as e:
        print(f"test-kernel: FAIL: unreadable guest output: {e}")
        return 1
    if not args.only:
        for mech in ("auto", "kprobe"):
            try:
                print(f"test-kernel: ok   check --mechanism {mech}: {judge_check(checks, mech)}")
            except (Failure, KeyError, json.JSONDecodeError) as e:
                failures += 1
                print(f"test-kernel: FAIL check --mechanism {mech}: {e}")
    if args.only and args.only not in {name for name, _ in SCENARIOS}:
        print(f"test-kernel: FAIL: no scenario named {args.only} "
              f"(scenarios: {', '.join(sorted({n for n, _ in SCENARIOS}))})")
        return 1
    for (name, mech), judge in SCENARIOS.items():
        if args.only and name != args.only:
            continue
        label = f"{name} --mechanism {mech}"
        block = scenarios.get((name, mech))
        try:
            expect(block is not None, "scenario did not run")
            report = check_common(block, mech)
            judge(report, block["rc"], Workers(block["workers"]), mech)
            print(f"test-kernel: ok   {label}: {summary(report)}")
        except (Failure, KeyError, TypeError, json.JSONDecodeError) as e:
            failures += 1
            print(f"test-kernel: FAIL {label}: {e}")
            if block:
                shown = [l for l in block["raw"] if l.startswith(("pt-worker", "pt-record", "PT-ERROR"))]
                print("  guest output:\n    " + "\n    ".join(shown))
                print("  recorded events (pasidtrace convert):\n    " + "\n    ".join(block["events"]))
    if failures:
        print(f"test-kernel: {failures} failure(s); guest kernel log tail:\n{tail()}")
        return 1
    print("test-kernel: all scenarios passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
