/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Filters and record emission shared by every program.
 */
#ifndef PASIDTRACE_PT_EMIT_BPF_H
#define PASIDTRACE_PT_EMIT_BPF_H

#include "pt_core_types.h"
#include "pt_hooks.h"
#include "pt_maps.bpf.h"
#include "pasidtrace/event_abi.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#define PT_MSR_IA32_PASID 0xd93
#define PT_PASID_VALID_BIT (1ULL << 31)
#define PT_PASID_MASK 0xfffffu
#define PT_MAX_ERRNO 4095

static __always_inline bool pt_pasid_ok(__u32 pasid)
{
	/* 0 is "none" in E1/E2, 0xFFFFFFFF (INVALID_IOASID) from 5.18 on. */
	return pasid >= 1 && pasid <= PT_PASID_MASK;
}

static __always_inline bool filters_active(void)
{
	return filter_tgid || filter_cgroup || filter_comm_on;
}

static __always_inline bool comm_matches(void)
{
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
#pragma unroll
	for (int i = 0; i < 16; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* --pid, --comm, --cgroup, judged on the current task. */
static __always_inline bool current_passes_filters(void)
{
	if (filter_tgid && (bpf_get_current_pid_tgid() >> 32) != filter_tgid)
		return false;
	if (filter_cgroup && bpf_get_current_cgroup_id() != filter_cgroup)
		return false;
	if (filter_comm_on && !comm_matches())
		return false;
	return true;
}

static __always_inline bool mm_is_interesting(__u64 mm)
{
	if (!mm)
		return false;
	if (all_mm && !filters_active())
		return true;
	return bpf_map_lookup_elem(&interesting_mms, &mm) != NULL;
}

static __always_inline bool pasid_is_interesting(__u32 pasid)
{
	if (!filters_active())
		return true;
	return bpf_map_lookup_elem(&interesting_pasids, &pasid) != NULL;
}

static __always_inline void mark_mm(__u64 mm)
{
	__u8 one = 1;

	if (mm)
		bpf_map_update_elem(&interesting_mms, &mm, &one, BPF_ANY);
}

static __always_inline void mark_pasid(__u32 pasid)
{
	__u8 one = 1;

	if (pt_pasid_ok(pasid) && filters_active())
		bpf_map_update_elem(&interesting_pasids, &pasid, &one, BPF_ANY);
}

/* An mm tied to a PASID by the current task: remember it for the task
 * events of its threads (exec needs the old mm, see process_mms). */
static __always_inline void mark_mm_of_current(__u64 mm)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!mm)
		return;
	mark_mm(mm);
	bpf_map_update_elem(&process_mms, &tgid, &mm, BPF_ANY);
}

/* Task events (fork, exec, exit) by default only for PASID mms; with
 * --all-mm for every mm, and then the mms of filtered tasks are remembered
 * so their mmput/mmdrop pass too. */
static __always_inline bool task_event_wanted(__u64 mm)
{
	if (!current_passes_filters())
		return false;
	if (all_mm) {
		if (filters_active())
			mark_mm(mm);
		return true;
	}
	return mm && bpf_map_lookup_elem(&interesting_mms, &mm) != NULL;
}

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&drops, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* A zeroed record stamped with time, CPU and the current task, or NULL
 * (counted) when the ring buffer is full. */
static __always_inline struct pt_event *event_start(__u32 hook, __u32 type)
{
	struct pt_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	__u64 id;

	if (!ev) {
		count_drop();
		return NULL;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	id = bpf_get_current_pid_tgid();
	ev->ts = bpf_ktime_get_ns();
	ev->cpu = bpf_get_smp_processor_id();
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->type = type;
	ev->hook = hook;
	ev->stack_id = -1;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	return ev;
}

static __always_inline void event_set_mm(struct pt_event *ev, __u64 mm)
{
	if (!mm)
		return;
	ev->mm = mm;
	ev->flags |= PT_F_HAS_MM;
}

static __always_inline void event_set_pasid(struct pt_event *ev, __u32 pasid)
{
	if (!pt_pasid_ok(pasid))
		return;
	ev->pasid = pasid;
	ev->flags |= PT_F_HAS_PASID;
}

static __always_inline void event_set_stack(void *ctx, struct pt_event *ev)
{
	long id = bpf_get_stackid(ctx, &stacks, PT_STACKID_FLAGS);

	if (id < 0)
		return; /* bucket taken by another stack: the event goes without one */
	ev->stack_id = (__s32)id;
	ev->flags |= PT_F_HAS_STACK;
}

static __always_inline void save_call(__u32 hook, __u64 arg0, __u64 arg1, __u32 pasid_before)
{
	struct call_key key = {.tid = (__u32)bpf_get_current_pid_tgid(), .hook = hook};
	struct call_args args = {.arg0 = arg0, .arg1 = arg1, .pasid_before = pasid_before};

	bpf_map_update_elem(&calls, &key, &args, BPF_ANY);
}

/* The entry's arguments for this return; false when the entry was missed
 * (the recorder attached while the call was in flight). */
static __always_inline bool take_call(__u32 hook, struct call_args *out)
{
	struct call_key key = {.tid = (__u32)bpf_get_current_pid_tgid(), .hook = hook};
	struct call_args *args = bpf_map_lookup_elem(&calls, &key);

	if (!args)
		return false;
	*out = *args;
	bpf_map_delete_elem(&calls, &key);
	return true;
}

static __always_inline struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

#endif /* PASIDTRACE_PT_EMIT_BPF_H */
