#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The trace.dat benchmark: records a trace.dat of at least a
# million real events here (tracefs instance + trace-cmd extract, the
# recipe's tracepoints, a fork/exec/thread load), then times
# `pasidtrace analyze big.dat` against `trace-cmd report big.dat >/dev/null`,
# alternating the two, and prints the medians and their ratio.
#
#   bench/run-tracedat-bench.sh PASIDTRACE TRACEDAT_LOAD [OUT_DIR]
# Environment: EVENTS (default 1100000), RUNS (default 5), REUSE=1 keeps an
# existing OUT_DIR/big.dat. Needs root and tracefs to record.
set -eu
pasidtrace=${1:?usage: $0 PASIDTRACE TRACEDAT_LOAD [OUT_DIR]}
load=${2:?usage: $0 PASIDTRACE TRACEDAT_LOAD [OUT_DIR]}
out=${3:-$(dirname "$pasidtrace")/bench}
events=${EVENTS:-1100000}
runs=${RUNS:-5}
big="$out/big.dat"
mkdir -p "$out"

record() {
  tracefs=/sys/kernel/tracing
  [ -d "$tracefs/instances" ] || mount -t tracefs nodev "$tracefs"
  name="pasidtrace-bench-$$"
  inst="$tracefs/instances/$name"
  mkdir "$inst"
  trap 'echo 0 > "$inst/tracing_on" 2>/dev/null; rmdir "$inst" 2>/dev/null || true' EXIT
  echo 0 > "$inst/tracing_on"
  echo mono > "$inst/trace_clock"
  # Room for every event: an overrun would drop the oldest.
  echo 262144 > "$inst/buffer_size_kb"
  for e in sched/sched_process_fork task/task_newtask task/task_rename sched/sched_process_exec \
           sched/sched_process_exit kmem/kmem_cache_free msr/write_msr; do
    echo 1 > "$inst/events/$e/enable"
  done
  echo 'name=="mm_struct"' > "$inst/events/kmem/kmem_cache_free/filter"
  echo 'msr==0xd93' > "$inst/events/msr/write_msr/filter"
  echo 1 > "$inst/tracing_on"
  "$load" "$inst" "$events"
  echo 0 > "$inst/tracing_on"
  trace-cmd extract -B "$name" -o "$big" >/dev/null 2>&1
  trap - EXIT
}

if [ "${REUSE:-0}" = 1 ] && [ -f "$big" ]; then
  echo "reusing $big"
else
  echo "recording $events events into $big ..."
  record
fi
ls -l "$big"

# Seconds of wall time of one run of "$@", output discarded.
seconds() {
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || [ $? -le 1 ]  # analyze exits 1 on findings: still a run
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { print e - s }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

counted=$("$pasidtrace" analyze --format json "$big" | python3 -c \
  'import json,sys; i=json.load(sys.stdin)["input"]; print(i["events"], i["skipped"])')
echo "pasidtrace reads $(echo "$counted" | cut -d' ' -f1) contract events ($(echo "$counted" | cut -d' ' -f2) skipped)"
echo "trace-cmd report prints $(trace-cmd report "$big" 2>/dev/null | grep -c ': ') records"

: > "$out/analyze.times"
: > "$out/report.times"
i=0
while [ "$i" -lt "$runs" ]; do
  seconds "$pasidtrace" analyze "$big" >> "$out/analyze.times"
  seconds trace-cmd report "$big" >> "$out/report.times"
  i=$((i + 1))
done
a=$(median < "$out/analyze.times")
r=$(median < "$out/report.times")
printf 'pasidtrace analyze big.dat:         median %.3f s of %d runs\n' "$a" "$runs"
printf 'trace-cmd report big.dat >/dev/null: median %.3f s of %d runs\n' "$r" "$runs"
printf 'ratio (trace-cmd report / pasidtrace analyze): %.1fx (target >= 5x)\n' "$(awk -v r="$r" -v a="$a" 'BEGIN { print r / a }')"
