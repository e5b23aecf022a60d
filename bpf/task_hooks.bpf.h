/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Task hooks: fork, exec, exit from the sched tracepoints, as tp_btf with a
 * raw_tp twin for kernels or setups where BTF-typed tracepoints are not
 * available. Kernel threads are left out: they have no user mm to hold a
 * PASID.
 */
#ifndef PASIDTRACE_TASK_HOOKS_BPF_H
#define PASIDTRACE_TASK_HOOKS_BPF_H

#include "pt_kernel_read.bpf.h"

static __always_inline bool is_kernel_thread(struct task_struct *task)
{
	return BPF_CORE_READ(task, flags) & PT_PF_KTHREAD;
}

/* sched_process_fork(parent, child), run by the parent. */
static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
	__u64 mm = (__u64)BPF_CORE_READ(parent, mm);
	__u64 child_mm = (__u64)BPF_CORE_READ(child, mm);
	__u32 child_tgid = BPF_CORE_READ(child, tgid);
	__u32 child_tid = BPF_CORE_READ(child, pid);
	struct pt_event *ev;

	if (is_kernel_thread(parent) || !task_event_wanted(mm))
		return 0;
	/* A new process (not a thread) starts on its own mm, or on the
	 * parent's for vfork/CLONE_VM without CLONE_THREAD. */
	if (child_tgid == child_tid && child_mm)
		bpf_map_update_elem(&process_mms, &child_tgid, &child_mm, BPF_ANY);
	if (all_mm && filters_active())
		mark_mm(child_mm);
	ev = event_start(PT_HOOK_FORK, PT_EV_FORK);
	if (!ev)
		return 0;
	event_set_mm(ev, mm);
	if (child_mm) {
		ev->mm2 = child_mm;
		ev->flags |= PT_F_HAS_MM2;
	}
	if (child_mm && child_mm == mm)
		ev->flags |= PT_F_CLONE_VM;
	ev->child_pid = child_tgid;
	ev->child_tid = child_tid;
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("tp_btf")
int fork_tp_btf(__u64 *ctx)
{
	return on_fork((struct task_struct *)ctx[0], (struct task_struct *)ctx[1]);
}

SEC("raw_tp")
int fork_raw_tp(__u64 *ctx)
{
	return on_fork((struct task_struct *)ctx[0], (struct task_struct *)ctx[1]);
}

/* sched_process_exec(task, old_pid, bprm): fires after the switch to the
 * new mm; the old one comes from process_mms. */
static __always_inline int on_exec(struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u64 mm = (__u64)BPF_CORE_READ(task, mm);
	__u64 *known = bpf_map_lookup_elem(&process_mms, &tgid);
	__u64 old_mm = known ? *known : 0;
	struct pt_event *ev;
	bool wanted;

	wanted = all_mm ? task_event_wanted(mm)
			: (current_passes_filters() && old_mm && mm_is_interesting(old_mm));
	if (mm)
		bpf_map_update_elem(&process_mms, &tgid, &mm, BPF_ANY);
	if (!wanted)
		return 0;
	ev = event_start(PT_HOOK_EXEC, PT_EV_EXEC);
	if (!ev)
		return 0;
	event_set_mm(ev, mm);
	if (old_mm && old_mm != mm) {
		ev->mm2 = old_mm;
		ev->flags |= PT_F_HAS_MM2;
	}
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("tp_btf")
int exec_tp_btf(__u64 *ctx)
{
	return on_exec((struct task_struct *)ctx[0]);
}

SEC("raw_tp")
int exec_raw_tp(__u64 *ctx)
{
	return on_exec((struct task_struct *)ctx[0]);
}

/* sched_process_exit(task[, group_dead]). group_dead < 0: the tracepoint
 * does not pass it (before ~6.16); signal->live was decremented before
 * the tracepoint in every era, so 0 means this was the last thread. */
static __always_inline int on_exit(struct task_struct *task, int group_dead)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u64 mm = (__u64)BPF_CORE_READ(task, mm);
	struct pt_event *ev;

	if (is_kernel_thread(task))
		return 0;
	if (group_dead < 0)
		group_dead = BPF_CORE_READ(task, signal, live.counter) == 0;
	if (!mm) {
		/* Older kernels fire the tracepoint after exit_mm(). */
		__u64 *known = bpf_map_lookup_elem(&process_mms, &tgid);

		mm = known ? *known : 0;
	}
	if (group_dead)
		bpf_map_delete_elem(&process_mms, &tgid);
	if (!task_event_wanted(mm))
		return 0;
	ev = event_start(PT_HOOK_EXIT, PT_EV_EXIT);
	if (!ev)
		return 0;
	event_set_mm(ev, mm);
	if (group_dead)
		ev->flags |= PT_F_GROUP_DEAD;
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("tp_btf")
int exit_gd_tp_btf(__u64 *ctx)
{
	return on_exit((struct task_struct *)ctx[0], (__u8)ctx[1]);
}

SEC("raw_tp")
int exit_gd_raw_tp(__u64 *ctx)
{
	return on_exit((struct task_struct *)ctx[0], (__u8)ctx[1]);
}

SEC("tp_btf")
int exit_tp_btf(__u64 *ctx)
{
	return on_exit((struct task_struct *)ctx[0], -1);
}

SEC("raw_tp")
int exit_raw_tp(__u64 *ctx)
{
	return on_exit((struct task_struct *)ctx[0], -1);
}

#endif /* PASIDTRACE_TASK_HOOKS_BPF_H */
