/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Maps and knobs of the recorder. The loader sizes `events` from --buffer
 * and sets the read-only knobs before the object is loaded, so the verifier
 * sees them as constants and prunes the filters that are off.
 */
#ifndef PASIDTRACE_PT_MAPS_BPF_H
#define PASIDTRACE_PT_MAPS_BPF_H

#include "pt_types.h"
#include <bpf/bpf_helpers.h>

/* Records to user space; max_entries is replaced at run time (--buffer). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Records that found the ring buffer full, per CPU: user space turns the
 * increments into `lost` records, so a loss is never silent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* mms tied to a PASID (bind, alloc with an mm, MSR load), or, with --all-mm
 * and a task filter, mms of the tasks that pass it. Emptied at mmdrop: the
 * address may name a new mm afterwards. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} interesting_mms SEC(".maps");

/* PASIDs seen by an event that passed the task filters, so that frees and
 * faults (which run in any context) can be filtered when filters are on. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} interesting_pasids SEC(".maps");

/* Thread-group id -> the mm it was last seen with (fork, exec, PASID tie).
 * Gives exec its old_mm (the tracepoint fires after the switch) and exit
 * its mm on kernels whose sched_process_exit fires after exit_mm(). LRU:
 * an entry missed at exit ages out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} process_mms SEC(".maps");

/* Arguments saved at function entry for the matching return probe
 * (kprobe -> kretprobe, fentry -> fexit), keyed by thread and hook. */
struct call_key {
	__u32 tid;
	__u32 hook;
};
struct call_args {
	__u64 arg0;
	__u64 arg1;
	__u32 pasid_before;
	__u32 pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct call_key);
	__type(value, struct call_args);
} calls SEC(".maps");

/* Kernel stacks at bind, unbind, alloc, free, mmdrop and MSR load. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 8192);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* Knobs, set by the loader before load. */
const volatile bool all_mm = false;	/* --all-mm: every mm, not only PASID ones */
const volatile __u32 filter_tgid = 0;	/* --pid, 0 = any */
const volatile __u64 filter_cgroup = 0; /* --cgroup (cgroup v2 id), 0 = any */
const volatile bool filter_comm_on = false;
const volatile char filter_comm[16] = {}; /* --comm */

/* The mm_struct slab cache (or, 5.13-5.19, its name pointer) once a
 * kmem_cache_free named "mm_struct" has been seen: later frees compare one
 * pointer instead of a string. */
__u64 mm_cache_key = 0;

#endif /* PASIDTRACE_PT_MAPS_BPF_H */
