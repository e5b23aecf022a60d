/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recorded event: one fixed-size record, written by the BPF programs into
 * the ring buffer and stored as-is in native recordings. Shared by bpf/ (C,
 * compiled with clang -target bpf) and src/ (C++), so it uses only fixed-width
 * types and explicit padding; the C++ side static_asserts the layout.
 */
#ifndef PASIDTRACE_EVENT_ABI_H
#define PASIDTRACE_EVENT_ABI_H

#ifdef __bpf__
/* vmlinux types provide __u8 ... __u64 in BPF builds */
#else
#include <stdint.h>
typedef uint8_t __pt_u8;
typedef uint32_t __pt_u32;
typedef int32_t __pt_s32;
typedef uint64_t __pt_u64;
typedef int64_t __pt_s64;
#endif

#ifdef __bpf__
#define PT_U8 __u8
#define PT_U32 __u32
#define PT_S32 __s32
#define PT_U64 __u64
#define PT_S64 __s64
#else
#define PT_U8 __pt_u8
#define PT_U32 __pt_u32
#define PT_S32 __pt_s32
#define PT_U64 __pt_u64
#define PT_S64 __pt_s64
#endif

#define PT_ABI_VERSION 1
#define PT_COMM_LEN 16
#define PT_DEV_LEN 24

/* Event types; values are part of the recording format: never renumber. */
enum pt_event_type {
	PT_EV_PASID_ALLOC = 1,
	PT_EV_PASID_FREE = 2,
	PT_EV_BIND = 3,
	PT_EV_UNBIND = 4,
	PT_EV_PASID_MSR = 5,
	PT_EV_FORK = 6,
	PT_EV_EXEC = 7,
	PT_EV_EXIT = 8,
	PT_EV_MMPUT = 9,
	PT_EV_MMDROP = 10,
	PT_EV_IOPF = 11,
	PT_EV_LOST = 12,
	PT_EV_MAX = 13,
};

/* Which optional fields of a record are present. */
enum pt_event_flags {
	PT_F_HAS_MM = 1u << 0,
	PT_F_HAS_MM2 = 1u << 1,    /* child_mm (fork) or old_mm (exec) */
	PT_F_HAS_HANDLE = 1u << 2,
	PT_F_HAS_PASID = 1u << 3,
	PT_F_HAS_DEV = 1u << 4,
	PT_F_HAS_ADDR = 1u << 5,
	PT_F_GROUP_DEAD = 1u << 6, /* exit: last thread of its group */
	PT_F_CLONE_VM = 1u << 7,   /* fork: child shares the parent's mm */
	PT_F_HAS_STACK = 1u << 8,
};

/*
 * Field use by type:
 *   mm      pasid_alloc/free (mm?), bind, unbind, pasid_msr, fork (parent),
 *           exec (new mm), exit, mmput, mmdrop
 *   mm2     fork: child_mm; exec: old_mm
 *   handle  bind/unbind: struct iommu_sva pointer
 *   ret     bind: return value (0 or -errno)
 *   addr    iopf: faulting address; lost: dropped count
 *   hook    index of the hook that produced it (recording header lists them)
 */
struct pt_event {
	PT_U64 ts;          /* CLOCK_MONOTONIC, ns */
	PT_U64 mm;
	PT_U64 mm2;
	PT_U64 handle;
	PT_U64 addr;        /* iopf address; lost: count */
	PT_S64 ret;         /* bind return value */
	PT_U32 type;        /* enum pt_event_type */
	PT_U32 cpu;
	PT_U32 pid;         /* thread-group id */
	PT_U32 tid;
	PT_U32 pasid;
	PT_U32 child_pid;
	PT_U32 child_tid;
	PT_U32 flags;       /* enum pt_event_flags */
	PT_S32 stack_id;    /* kernel stack id in the stack map, or -1 */
	PT_U32 hook;
	char comm[PT_COMM_LEN];
	char dev[PT_DEV_LEN]; /* dev_name(), NUL-terminated */
};

#define PT_EVENT_SIZE 128

/*
 * The layout is the recording format: BPF (clang), C and C++ (g++) must agree
 * byte for byte, with no implicit padding anywhere.
 */
#ifdef __cplusplus
#define PT_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define PT_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#define PT_OFFSET_IS(field, off) \
	PT_STATIC_ASSERT(__builtin_offsetof(struct pt_event, field) == (off), "pt_event." #field " moved")
PT_STATIC_ASSERT(sizeof(struct pt_event) == PT_EVENT_SIZE, "pt_event is not 128 bytes");
PT_OFFSET_IS(ts, 0);
PT_OFFSET_IS(mm, 8);
PT_OFFSET_IS(mm2, 16);
PT_OFFSET_IS(handle, 24);
PT_OFFSET_IS(addr, 32);
PT_OFFSET_IS(ret, 40);
PT_OFFSET_IS(type, 48);
PT_OFFSET_IS(cpu, 52);
PT_OFFSET_IS(pid, 56);
PT_OFFSET_IS(tid, 60);
PT_OFFSET_IS(pasid, 64);
PT_OFFSET_IS(child_pid, 68);
PT_OFFSET_IS(child_tid, 72);
PT_OFFSET_IS(flags, 76);
PT_OFFSET_IS(stack_id, 80);
PT_OFFSET_IS(hook, 84);
PT_OFFSET_IS(comm, 88);
PT_OFFSET_IS(dev, 104);

#endif /* PASIDTRACE_EVENT_ABI_H */
