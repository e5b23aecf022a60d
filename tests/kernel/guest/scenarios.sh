#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The guest's scenarios. Each one is recorded by `pasidtrace record` while
# pt_worker processes make the kernel allocate, load, bind and free PASIDs
# (and, through the test module, break their lifetimes); the recording is
# analyzed in the guest and the JSON report printed between markers for
# the host (tests/kernel/check_guest_results.py) to judge.
#
# Mechanisms (pasidtrace --mechanism): the default chain, kprobes forced,
# and tracepoint proxies only. The environment (kernel command line) may
# narrow the run: pt_only=SCENARIO, pt_dev=PCI device for the bind.
PT=/usr/bin/pasidtrace
DEV=${pt_dev:-0000:00:04.0}
CPUS=$(grep -c ^processor /proc/cpuinfo)

# A process that ends on a CPU leaves its mm held there lazily until that
# CPU runs another process: run one on each, twice (a vCPU may lag), so the
# drops (and the PASID frees inside them) happen now.
flush_lazy_mms() {
  for round in 1 2; do
    cpu=0
    while [ "$cpu" -lt "$CPUS" ]; do
      taskset -c "$cpu" true
      cpu=$((cpu + 1))
    done
    sleep 0.15
  done
}

record_start() { # MECHANISM FILE
  rm -f /tmp/record.err
  $PT record --mechanism "$1" -o "$2" 2>/tmp/record.err &
  REC=$!
  waited=0
  until grep -q "hooks attached" /tmp/record.err 2>/dev/null; do
    if ! kill -0 "$REC" 2>/dev/null || [ "$waited" -ge 1200 ]; then
      echo "PT-ERROR record did not start:"
      sed 's/^/pt-record /' /tmp/record.err
      kill -KILL "$REC" 2>/dev/null
      wait "$REC" 2>/dev/null
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  sed -n 's/^/pt-record /p' /tmp/record.err
}

record_stop() {
  flush_lazy_mms
  kill -INT "$REC"
  wait "$REC"
  echo "pt-record rc=$?"
  sed -n '2,$s/^/pt-record /p' /tmp/record.err
}

analyze() { # SCENARIO MECHANISM FILE
  echo "PT-REPORT-BEGIN $1 $2"
  $PT analyze --format json "$3"
  rc=$?
  echo
  echo "PT-REPORT-END $1 $2 rc=$rc"
  # The events themselves, for the host to show when a verdict fails.
  echo "PT-EVENTS-BEGIN $1 $2"
  $PT convert "$3" --to jsonl
  echo "PT-EVENTS-END $1 $2 rc=$?"
}

# Three processes at once (so three PASIDs), with 0, 1 and 2 extra threads
# loading the MSR; every PASID must be freed at its mm's drop.
scenario_clean() {
  pt_worker clean alloc msr sleep:300 &
  w1=$!
  pt_worker clean alloc threads-msr:1 sleep:300 &
  w2=$!
  pt_worker clean alloc msr threads-msr:2 sleep:300 &
  w3=$!
  wait "$w1" "$w2" "$w3"
}

# The mm's PASID freed while the mm and its MSR thread live; __mmdrop then
# frees it again.
scenario_early_free() {
  pt_worker early-free alloc msr free-early
}

# The mm forgets its PASID without freeing it.
scenario_leak() {
  pt_worker leak alloc msr leak
}

# A's PASID freed early, B allocated the same value, then a thread of A
# loads A's stale value: A uses B's PASID. A's drop frees it (B's) again
# before B ends.
scenario_reuse() {
  rm -f /tmp/a2b /tmp/b2a /tmp/b-exit
  mkfifo /tmp/a2b /tmp/b2a /tmp/b-exit
  pt_worker reuse-a alloc msr free-early signal:/tmp/a2b wait:/tmp/b2a threads-msr:1 &
  a=$!
  pt_worker reuse-b wait:/tmp/a2b alloc signal:/tmp/b2a wait:/tmp/b-exit &
  b=$!
  wait "$a"
  flush_lazy_mms
  echo x > /tmp/b-exit
  wait "$b"
}

# The emulated IOMMU has no PASID support: the bind fails at once.
scenario_bind_fail() {
  pt_worker bind-fail alloc msr bind:"$DEV"
}

run() { # SCENARIO MECHANISM
  [ -n "${pt_only:-}" ] && [ "$pt_only" != "$1" ] && return 0
  echo "PT-SCENARIO-BEGIN $1 $2"
  file=/tmp/$1-$2.ptr
  record_start "$2" "$file" || return 1
  "scenario_$(echo "$1" | tr - _)"
  record_stop
  analyze "$1" "$2" "$file"
  rm -f "$file"
}

check() { # MECHANISM
  echo "PT-CHECK-BEGIN $1"
  $PT check --format json --mechanism "$1"
  echo "PT-CHECK-END $1 rc=$?"
}

# Tracepoint-only runs are judged by their recordings' headers instead.
check auto
check kprobe
for s in clean early-free leak reuse bind-fail; do run "$s" auto; done
for m in kprobe tracepoint; do
  run clean "$m"
  run early-free "$m"
done
