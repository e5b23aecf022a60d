/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm hooks: mmput (the address space goes: __mmput) and mmdrop (the
 * mm_struct is freed: __mmdrop), with their tracepoint proxies
 * mmap:exit_mmap (called only from __mmput, 6.1+) and kmem:kmem_cache_free
 * on the mm_struct cache (free_mm() at the end of __mmdrop).
 */
#ifndef PASIDTRACE_MM_HOOKS_BPF_H
#define PASIDTRACE_MM_HOOKS_BPF_H

#include "pt_kernel_read.bpf.h"
#include <bpf/bpf_tracing.h>

static __always_inline int on_mmput(__u64 mm)
{
	struct pt_event *ev;

	if (!mm_is_interesting(mm))
		return 0;
	ev = event_start(PT_HOOK_MMPUT, PT_EV_MMPUT);
	if (!ev)
		return 0;
	event_set_mm(ev, mm);
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("fentry")
int mmput_fentry(__u64 *ctx)
{
	return on_mmput(ctx[0]);
}

SEC("kprobe")
int BPF_KPROBE(mmput_kprobe, struct mm_struct *mm)
{
	return on_mmput((__u64)mm);
}

SEC("tp_btf")
int mmput_tp_btf(__u64 *ctx)
{
	return on_mmput(ctx[0]);
}

SEC("raw_tp")
int mmput_raw_tp(__u64 *ctx)
{
	return on_mmput(ctx[0]);
}

static __always_inline int on_mmdrop(void *ctx, __u64 mm)
{
	struct pt_event *ev;

	if (!mm_is_interesting(mm))
		return 0;
	/* The address may be reused for a new mm from now on. (With --all-mm
	 * and no filter the map is not used: spare every drop a lookup.) */
	if (!all_mm || filters_active())
		bpf_map_delete_elem(&interesting_mms, &mm);
	ev = event_start(PT_HOOK_MMDROP, PT_EV_MMDROP);
	if (!ev)
		return 0;
	event_set_mm(ev, mm);
	event_set_stack(ctx, ev);
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("fentry")
int mmdrop_fentry(__u64 *ctx)
{
	return on_mmdrop(ctx, ctx[0]);
}

SEC("kprobe")
int BPF_KPROBE(mmdrop_kprobe, struct mm_struct *mm)
{
	return on_mmdrop(ctx, (__u64)mm);
}

static __always_inline bool names_mm_struct(const char *name)
{
	char buf[10] = {};

	if (!name || bpf_probe_read_kernel(buf, sizeof(buf), name) < 0)
		return false;
	return buf[0] == 'm' && buf[1] == 'm' && buf[2] == '_' && buf[3] == 's' && buf[4] == 't' &&
	       buf[5] == 'r' && buf[6] == 'u' && buf[7] == 'c' && buf[8] == 't' && buf[9] == '\0';
}

/* `key` is what identifies the cache in this era's tracepoint (the cache,
 * or its name pointer); `name` its name. Resolved once: from then on one
 * pointer comparison per slab free. mm_struct has a usercopy region, so
 * SLUB never merges it with another cache. */
static __always_inline bool is_mm_cache(__u64 key, const char *name)
{
	__u64 known = mm_cache_key;

	if (known)
		return key == known;
	if (!names_mm_struct(name))
		return false;
	mm_cache_key = key;
	return true;
}

/* 6.2+: kmem_cache_free(call_site, ptr, const struct kmem_cache *s). */
static __always_inline int on_cache_free(void *ctx, __u64 ptr, struct kmem_cache *s)
{
	if (!is_mm_cache((__u64)s, mm_cache_key ? NULL : BPF_CORE_READ(s, name)))
		return 0;
	return on_mmdrop(ctx, ptr);
}

SEC("tp_btf")
int mmdrop_cache_tp_btf(__u64 *ctx)
{
	return on_cache_free(ctx, ctx[1], (struct kmem_cache *)ctx[2]);
}

SEC("raw_tp")
int mmdrop_cache_raw_tp(__u64 *ctx)
{
	return on_cache_free(ctx, ctx[1], (struct kmem_cache *)ctx[2]);
}

/* 5.13-5.19: kmem_cache_free(call_site, ptr, const char *name), the name
 * pointer being the cache's own. */
SEC("tp_btf")
int mmdrop_name_tp_btf(__u64 *ctx)
{
	if (!is_mm_cache(ctx[2], (const char *)ctx[2]))
		return 0;
	return on_mmdrop(ctx, ctx[1]);
}

SEC("raw_tp")
int mmdrop_name_raw_tp(__u64 *ctx)
{
	if (!is_mm_cache(ctx[2], (const char *)ctx[2]))
		return 0;
	return on_mmdrop(ctx, ctx[1]);
}

#endif /* PASIDTRACE_MM_HOOKS_BPF_H */
