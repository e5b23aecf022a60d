/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logical hooks: what each record's `hook` field holds, shared by the BPF
 * programs (C) and the loader (C++). The recorder writes the recording
 * header's `hooks` list in this order, so a record's hook indexes it. Append
 * only: recordings made by older builds keep their meaning.
 */
#ifndef PASIDTRACE_PT_HOOKS_H
#define PASIDTRACE_PT_HOOKS_H

enum pt_hook {
	PT_HOOK_BIND = 0,
	PT_HOOK_UNBIND = 1,
	PT_HOOK_PASID_ALLOC = 2,
	PT_HOOK_PASID_FREE = 3,
	PT_HOOK_PASID_MSR = 4,
	PT_HOOK_FORK = 5,
	PT_HOOK_EXEC = 6,
	PT_HOOK_EXIT = 7,
	PT_HOOK_MMPUT = 8,
	PT_HOOK_MMDROP = 9,
	PT_HOOK_IOPF = 10,
	PT_HOOK_COUNT = 11,
};

/* `lost` records come from user space reading the drop counters, not a hook. */
#define PT_HOOK_RECORDER 0xFFFFFFFFu

#endif /* PASIDTRACE_PT_HOOKS_H */
