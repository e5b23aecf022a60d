/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Era-dependent reads: where an mm keeps its PASID, what an SVA handle
 * points to, a device's name. Every read that can be missing from a kernel
 * is guarded by bpf_core_field_exists, so libbpf's poisoned relocation sits
 * in a branch the verifier proves dead.
 */
#ifndef PASIDTRACE_PT_KERNEL_READ_BPF_H
#define PASIDTRACE_PT_KERNEL_READ_BPF_H

#include "pt_emit.bpf.h"

/* The PASID an mm holds, or 0: mm->iommu_mm->pasid (6.8+), mm->pasid
 * (5.10-6.7, CONFIG_IOMMU_SVA / IOMMU_SUPPORT), nothing on kernels built
 * without either. */
static __always_inline __u32 pasid_of_mm(__u64 mm_addr)
{
	if (!mm_addr)
		return 0;
	if (bpf_core_field_exists(struct mm_struct___iommu_mm, iommu_mm)) {
		struct mm_struct___iommu_mm *mm = (void *)mm_addr;
		struct iommu_mm_data *data = BPF_CORE_READ(mm, iommu_mm);

		if (!data)
			return 0;
		return BPF_CORE_READ(data, pasid);
	}
	if (bpf_core_field_exists(struct mm_struct___pasid, pasid)) {
		struct mm_struct___pasid *mm = (void *)mm_addr;
		__u32 pasid = BPF_CORE_READ(mm, pasid);

		return pt_pasid_ok(pasid) ? pasid : 0;
	}
	return 0;
}

/* dev_name(): init_name until the device is registered, kobj.name after. */
static __always_inline void event_set_dev(struct pt_event *ev, struct device *dev)
{
	const char *name = NULL;

	if (dev) {
		name = BPF_CORE_READ(dev, init_name);
		if (!name)
			name = BPF_CORE_READ(dev, kobj.name);
	}
	if (!name || bpf_probe_read_kernel_str(ev->dev, sizeof(ev->dev), name) <= 0)
		__builtin_memcpy(ev->dev, "?", 2); /* the contract needs a dev on bind */
	ev->flags |= PT_F_HAS_DEV;
}

static __always_inline struct device *sva_handle_dev(void *handle)
{
	if (!handle || !bpf_core_field_exists(struct iommu_sva___v58, dev))
		return NULL;
	return BPF_CORE_READ((struct iommu_sva___v58 *)handle, dev);
}

/* The mm an SVA handle is bound to: handle->handle.domain->mm (6.11+),
 * handle->domain->mm (6.2-6.10); 5.8-6.1 handles do not say (the analyzer
 * matches their unbind to the bind by handle). */
static __always_inline __u64 sva_handle_mm(void *handle)
{
	if (!handle)
		return 0;
	if (bpf_core_field_exists(struct iommu_sva___v611, handle)) {
		struct iommu_sva___v611 *h = handle;

		return (__u64)BPF_CORE_READ(h, handle.domain, mm);
	}
	if (bpf_core_field_exists(struct iommu_sva___v62, domain)) {
		struct iommu_sva___v62 *h = handle;

		return (__u64)BPF_CORE_READ(h, domain, mm);
	}
	return 0;
}

static __always_inline bool is_err_value(__s64 ret)
{
	return ret < 0 && ret >= -PT_MAX_ERRNO;
}

#endif /* PASIDTRACE_PT_KERNEL_READ_BPF_H */
