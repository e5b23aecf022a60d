/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PASID hooks: SVA bind and unbind, PASID alloc and free across eras, the
 * #GP fix-up's MSR load, and I/O page faults. Each hook has one body and a
 * thin program per mechanism (fentry/fexit, kprobe/kretprobe, tracepoint);
 * the section names carry no target: the loader sets it from the hook
 * catalogue (src/live/hook_catalogue.cpp), so one program serves every
 * kernel function of the same shape.
 */
#ifndef PASIDTRACE_PASID_HOOKS_BPF_H
#define PASIDTRACE_PASID_HOOKS_BPF_H

#include "pt_kernel_read.bpf.h"
#include <bpf/bpf_tracing.h>

/* ---- bind: iommu_sva_bind_device(dev, mm[, drvdata]) -> handle or ERR_PTR */

static __always_inline int emit_bind(void *ctx, struct device *dev, __u64 mm, __s64 ret)
{
	struct pt_event *ev;
	__u32 pasid;
	bool failed;

	if (!current_passes_filters())
		return 0;
	ev = event_start(PT_HOOK_BIND, PT_EV_BIND);
	if (!ev)
		return 0;
	/* The !CONFIG_IOMMU_SVA stub returns NULL: a failure without an errno. */
	if (ret == 0)
		ret = -19; /* -ENODEV */
	failed = is_err_value(ret);
	event_set_mm(ev, mm);
	event_set_dev(ev, dev);
	if (failed) {
		ev->ret = ret;
	} else {
		ev->handle = (__u64)ret;
		ev->flags |= PT_F_HAS_HANDLE;
	}
	/* A failed bind can still leave a PASID on the mm (E3-E5, 9991a82a3817). */
	pasid = pasid_of_mm(mm);
	event_set_pasid(ev, pasid);
	event_set_stack(ctx, ev);
	bpf_ringbuf_submit(ev, 0);
	if (!failed || pasid) {
		mark_mm_of_current(mm);
		mark_pasid(pasid);
	}
	return 0;
}

/* Arity-free (bpf_get_func_arg/ret, 5.17+): the bind took a drvdata
 * argument until 6.1. */
SEC("fexit")
int bind_fexit(__u64 *ctx)
{
	__u64 dev = 0, mm = 0, ret = 0;

	bpf_get_func_arg(ctx, 0, &dev);
	bpf_get_func_arg(ctx, 1, &mm);
	bpf_get_func_ret(ctx, &ret);
	return emit_bind(ctx, (struct device *)dev, mm, (__s64)ret);
}

SEC("kprobe")
int BPF_KPROBE(bind_kprobe, struct device *dev, struct mm_struct *mm)
{
	save_call(PT_HOOK_BIND, (__u64)dev, (__u64)mm, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(bind_kretprobe, long ret)
{
	struct call_args args;

	if (!take_call(PT_HOOK_BIND, &args))
		return 0;
	return emit_bind(ctx, (struct device *)args.arg0, args.arg1, ret);
}

/* ---- unbind: iommu_sva_unbind_device(handle), stamped at entry (6.2+
 * can drop the mm and free the PASID inside it). */

static __always_inline int emit_unbind(void *ctx, void *handle)
{
	__u64 mm = sva_handle_mm(handle);
	__u32 pasid = pasid_of_mm(mm);
	struct pt_event *ev;

	/* An unbind may run in a kworker (idxd device release, uacce remove):
	 * with filters on, judge it by its mm when the handle tells it. */
	if (filters_active()) {
		bool known = mm ? mm_is_interesting(mm) : current_passes_filters();

		if (!known)
			return 0;
	}
	ev = event_start(PT_HOOK_UNBIND, PT_EV_UNBIND);
	if (!ev)
		return 0;
	ev->handle = (__u64)handle;
	ev->flags |= PT_F_HAS_HANDLE;
	event_set_mm(ev, mm);
	event_set_dev(ev, sva_handle_dev(handle));
	event_set_pasid(ev, pasid);
	event_set_stack(ctx, ev);
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("fentry")
int unbind_fentry(__u64 *ctx)
{
	return emit_unbind(ctx, (void *)ctx[0]);
}

SEC("kprobe")
int BPF_KPROBE(unbind_kprobe, void *handle)
{
	return emit_unbind(ctx, handle);
}

/* An event that carries a PASID, an mm (0: none) and the stack: alloc,
 * free and the MSR load. False when the ring buffer had no room. */
static __always_inline bool submit_pasid_event(void *ctx, __u32 hook, __u32 type, __u32 pasid, __u64 mm)
{
	struct pt_event *ev = event_start(hook, type);

	if (!ev)
		return false;
	event_set_pasid(ev, pasid);
	event_set_mm(ev, mm);
	event_set_stack(ctx, ev);
	bpf_ringbuf_submit(ev, 0);
	return true;
}

/* ---- pasid_alloc */

static __always_inline int emit_alloc(void *ctx, __u32 pasid, __u64 mm)
{
	if (!pt_pasid_ok(pasid) || !current_passes_filters())
		return 0;
	if (!submit_pasid_event(ctx, PT_HOOK_PASID_ALLOC, PT_EV_PASID_ALLOC, pasid, mm))
		return 0;
	mark_pasid(pasid);
	if (mm)
		mark_mm_of_current(mm);
	return 0;
}

/* The PASID is the return value: iommu_alloc_global_pasid(dev) (6.6+) and
 * ioasid_alloc(set, min, max, private) (5.8-6.2). ioasid_t is 32 bits:
 * the upper half of the register is not defined. */
SEC("fexit")
int alloc_ret_fexit(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return emit_alloc(ctx, (__u32)ret, 0);
}

SEC("kretprobe")
int BPF_KRETPROBE(alloc_ret_kretprobe, unsigned long ret)
{
	return emit_alloc(ctx, (__u32)ret, 0);
}

/* iommu_sva_alloc_pasid(mm, ...) (5.15-6.3): the PASID lands in the mm. In
 * 5.11-5.17 a call on an mm that has one only takes a reference, so only a
 * change from none to a valid PASID is an allocation. */
static __always_inline int alloc_mm_exit(void *ctx, __s64 ret)
{
	struct call_args args;
	__u32 pasid;

	if (!take_call(PT_HOOK_PASID_ALLOC, &args) || ret != 0)
		return 0;
	pasid = pasid_of_mm(args.arg0);
	if (args.pasid_before == pasid)
		return 0;
	return emit_alloc(ctx, pasid, args.arg0);
}

SEC("fentry")
int alloc_mm_fentry(__u64 *ctx)
{
	save_call(PT_HOOK_PASID_ALLOC, ctx[0], 0, pasid_of_mm(ctx[0]));
	return 0;
}

SEC("fexit")
int alloc_mm_fexit(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return alloc_mm_exit(ctx, (__s32)ret);
}

SEC("kprobe")
int BPF_KPROBE(alloc_mm_kprobe, struct mm_struct *mm)
{
	save_call(PT_HOOK_PASID_ALLOC, (__u64)mm, 0, pasid_of_mm((__u64)mm));
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(alloc_mm_kretprobe, int ret)
{
	return alloc_mm_exit(ctx, ret);
}

/* ---- pasid_free */

static __always_inline int emit_free(void *ctx, __u32 pasid, __u64 mm)
{
	if (!pt_pasid_ok(pasid) || !pasid_is_interesting(pasid))
		return 0;
	if (!submit_pasid_event(ctx, PT_HOOK_PASID_FREE, PT_EV_PASID_FREE, pasid, mm))
		return 0;
	if (filters_active())
		bpf_map_delete_elem(&interesting_pasids, &pasid);
	return 0;
}

/* The PASID is the first argument: iommu_free_global_pasid(pasid) (6.6+),
 * ioasid_free(ioasid) (5.8-5.10, 5.18-6.2). */
SEC("fentry")
int free_arg_fentry(__u64 *ctx)
{
	return emit_free(ctx, (__u32)ctx[0], 0);
}

SEC("kprobe")
int BPF_KPROBE(free_arg_kprobe, unsigned int pasid)
{
	return emit_free(ctx, pasid, 0);
}

/* mm_pasid_drop(mm) (out of line from 6.4): runs for every mm in
 * __mmdrop and returns at once when the mm holds none. */
SEC("fentry")
int free_mm_fentry(__u64 *ctx)
{
	return emit_free(ctx, pasid_of_mm(ctx[0]), ctx[0]);
}

SEC("kprobe")
int BPF_KPROBE(free_mm_kprobe, struct mm_struct *mm)
{
	return emit_free(ctx, pasid_of_mm((__u64)mm), (__u64)mm);
}

/* ioasid_put(ioasid) -> true when that put freed it (5.11-5.17). */
SEC("fexit")
int free_put_fexit(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	if (!(ret & 0xff))
		return 0;
	return emit_free(ctx, (__u32)ctx[0], 0);
}

SEC("kprobe")
int BPF_KPROBE(free_put_kprobe, unsigned int pasid)
{
	save_call(PT_HOOK_PASID_FREE, pasid, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(free_put_kretprobe, unsigned long ret)
{
	struct call_args args;

	if (!take_call(PT_HOOK_PASID_FREE, &args) || !(ret & 0xff))
		return 0;
	return emit_free(ctx, (__u32)args.arg0, 0);
}

/* ---- pasid_msr: msr:write_msr(msr, val, failed). try_fixup_enqcmd_gp()
 * is inlined into noinstr code, so this tracepoint is the only way in; it
 * fires on the faulting thread, whose mm owns the PASID. */

static __always_inline int on_write_msr(void *ctx, __u32 msr, __u64 val, int failed)
{
	__u32 pasid;
	__u64 mm;

	if (msr != PT_MSR_IA32_PASID || !(val & PT_PASID_VALID_BIT))
		return 0; /* other MSRs, or 5.10.0's update_pasid() clearing it */
	if (failed)
		return 0; /* a *_safe write that faulted (msr driver): nothing was loaded */
	pasid = (__u32)(val & PT_PASID_MASK);
	if (!pt_pasid_ok(pasid) || !current_passes_filters())
		return 0;
	mm = (__u64)BPF_CORE_READ(current_task(), mm);
	if (!submit_pasid_event(ctx, PT_HOOK_PASID_MSR, PT_EV_PASID_MSR, pasid, mm))
		return 0;
	mark_mm_of_current(mm);
	mark_pasid(pasid);
	return 0;
}

SEC("tp_btf")
int msr_tp_btf(__u64 *ctx)
{
	return on_write_msr(ctx, (__u32)ctx[0], ctx[1], (int)ctx[2]);
}

SEC("raw_tp")
int msr_raw_tp(__u64 *ctx)
{
	return on_write_msr(ctx, (__u32)ctx[0], ctx[1], (int)ctx[2]);
}

/* ---- iopf: intel_iommu:prq_report(iommu, dev, dw0, dw1, dw2, dw3, seq).
 * The page request descriptor (VT-d 7.5.1): dw0 bit 8 = PASID present,
 * bits 32..51 = PASID; dw1 bits 12..63 = page address. No upstream
 * tracepoint of the generic IOPF path carries a PASID. */

static __always_inline int on_page_request(void *ctx, struct device *dev, __u64 dw0, __u64 dw1)
{
	struct pt_event *ev;
	__u32 pasid;

	if (!((dw0 >> 8) & 1))
		return 0;
	pasid = (__u32)((dw0 >> 32) & PT_PASID_MASK);
	if (!pt_pasid_ok(pasid) || !pasid_is_interesting(pasid))
		return 0;
	ev = event_start(PT_HOOK_IOPF, PT_EV_IOPF);
	if (!ev)
		return 0;
	event_set_pasid(ev, pasid);
	event_set_dev(ev, dev);
	ev->addr = dw1 & ~0xfffULL;
	ev->flags |= PT_F_HAS_ADDR;
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("tp_btf")
int iopf_tp_btf(__u64 *ctx)
{
	return on_page_request(ctx, (struct device *)ctx[1], ctx[2], ctx[3]);
}

SEC("raw_tp")
int iopf_raw_tp(__u64 *ctx)
{
	return on_page_request(ctx, (struct device *)ctx[1], ctx[2], ctx[3]);
}

#endif /* PASIDTRACE_PASID_HOOKS_BPF_H */
