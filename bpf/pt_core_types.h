/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal CO-RE views of the kernel structures the programs read. Only the
 * fields used are declared; preserve_access_index makes libbpf relocate each
 * access against the running kernel's BTF, so offsets here mean nothing.
 *
 * Layouts that differ between kernel eras are "flavours" (a ___suffix that
 * libbpf strips when matching), chosen at run time with bpf_core_field_exists:
 * see docs/live-tracing.md and kernel-pasid-lifecycle.md section 3.
 */
#ifndef PASIDTRACE_PT_CORE_TYPES_H
#define PASIDTRACE_PT_CORE_TYPES_H

#include "pt_types.h"

#define __pt_core __attribute__((preserve_access_index))

typedef struct {
	int counter;
} atomic_t;

/* x86-64 kprobe context; bpf_tracing.h's PT_REGS_PARMn/RC read these names. */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
} __pt_core;

struct kobject {
	const char *name;
} __pt_core;

struct device {
	const char *init_name;
	struct kobject kobj;
} __pt_core;

struct signal_struct {
	atomic_t live; /* threads not yet exited; 0 once the group is dead */
} __pt_core;

/* PF_KTHREAD (include/linux/sched.h): kernel threads have no user mm. */
#define PT_PF_KTHREAD 0x00200000

struct mm_struct {
	int __unused_marker; /* never read: eras differ, see the flavours below */
} __pt_core;

struct task_struct {
	int pid;  /* thread id */
	int tgid; /* thread-group id */
	unsigned int flags;
	struct mm_struct *mm;
	struct signal_struct *signal;
	char comm[16];
} __pt_core;

/* 5.10-6.7: the PASID lives in mm->pasid (0 or 0xFFFFFFFF = none). */
struct mm_struct___pasid {
	__u32 pasid;
} __pt_core;

/* 6.8+: mm->iommu_mm (NULL = none) holds it (1fa05c932dc7, 092edaddb660). */
struct iommu_mm_data {
	__u32 pasid;
} __pt_core;

struct mm_struct___iommu_mm {
	struct iommu_mm_data *iommu_mm;
} __pt_core;

/* The SVA domain of 6.2+: its mm sits in an anonymous member (libbpf finds it). */
struct iommu_domain {
	struct mm_struct *mm;
} __pt_core;

/* struct iommu_sva, 6.2-6.10: dev and domain directly. */
struct iommu_sva___v62 {
	struct device *dev;
	struct iommu_domain *domain;
} __pt_core;

/* 6.11+: the domain moved into an embedded iommu_attach_handle. */
struct iommu_attach_handle {
	struct iommu_domain *domain;
} __pt_core;

struct iommu_sva___v611 {
	struct iommu_attach_handle handle;
	struct device *dev;
} __pt_core;

/* 5.8-6.1: only dev; mm and PASID come from the bind record of the handle. */
struct iommu_sva___v58 {
	struct device *dev;
} __pt_core;

/* kmem_cache_free tracepoint, 6.2+: the cache itself is an argument. */
struct kmem_cache {
	const char *name;
} __pt_core;

#endif /* PASIDTRACE_PT_CORE_TYPES_H */
