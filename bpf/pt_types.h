/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few kernel types and UAPI constants the BPF programs need, written out
 * here so the build needs neither the build host's BTF (vmlinux.h) nor kernel
 * headers, the way libbpf-tools ships its own vmlinux.h. Values are kernel
 * ABI (include/uapi/linux/bpf.h) and never change.
 */
#ifndef PASIDTRACE_PT_TYPES_H
#define PASIDTRACE_PT_TYPES_H

/* libbpf's bpf_tracing.h names pt_regs fields the kernel's way when this is set. */
#define __VMLINUX_H__

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef signed short __s16;
typedef unsigned int __u32;
typedef signed int __s32;
typedef unsigned long long __u64;
typedef signed long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

typedef __u8 u8;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;

typedef _Bool bool;
enum { false = 0, true = 1 };

#define NULL ((void *)0)

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_STACK_TRACE = 7,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
};

/* bpf_get_stackid() flags: kernel stack, no reuse of a bucket for another stack. */
#define PT_STACKID_FLAGS 0

#define PERF_MAX_STACK_DEPTH 127

#endif /* PASIDTRACE_PT_TYPES_H */
