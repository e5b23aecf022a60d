// SPDX-License-Identifier: GPL-2.0-only
/*
 * pasid_test: drives real PASID lifecycles in a 6.1 kernel for
 * pasidtrace's kernel tests, and injects the lifetime bugs pasidtrace
 * exists to catch. Every command acts on the writing task and its mm:
 *
 *   echo alloc      > /sys/kernel/debug/pasid_test/ctl
 *       iommu_sva_alloc_pasid(current->mm, 1, 2^20 - 1): the mm gets a
 *       PASID from the kernel's allocator, freed by __mmdrop.
 *   echo msr        > ...   IA32_PASID := mm->pasid | valid on this CPU:
 *       the write the ENQCMD #GP fix-up does for a thread (same tracepoint).
 *   echo bind DEV   > ...   iommu_sva_bind_device() on PCI device DEV
 *       (e.g. 0000:00:04.0); unbinds at once when it succeeds.
 *   echo free-early > ...   BUG: ioasid_free(mm->pasid), field left set,
 *       so __mmdrop frees it again (or frees whoever got the value since).
 *   echo leak       > ...   BUG: mm->pasid := INVALID, nothing freed.
 *
 * Reading ctl gives the caller's mm->pasid (-1 when none).
 * Every command fails with an errno rather than touch a missing object.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/ioasid.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mm_types.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <asm/msr.h>

#if !IS_ENABLED(CONFIG_IOMMU_SVA)
#error "pasid_test needs CONFIG_IOMMU_SVA (mm->pasid)"
#endif

/* Exported by drivers/iommu/iommu-sva-lib.c; its header is not installed. */
int iommu_sva_alloc_pasid(struct mm_struct *mm, ioasid_t min, ioasid_t max);

#define PT_PASID_MAX ((1U << 20) - 1)

static struct dentry *pt_dir;

static int pt_alloc(struct mm_struct *mm)
{
	return iommu_sva_alloc_pasid(mm, 1, PT_PASID_MAX);
}

/* mm->pasid is written under iommu_sva_lock, which is not exported: read
 * it once and act on that value. */
static int pt_msr(struct mm_struct *mm)
{
	u32 pasid = READ_ONCE(mm->pasid);

	if (!pasid_valid(pasid))
		return -ENOENT;
	return wrmsr_safe(MSR_IA32_PASID, pasid | MSR_IA32_PASID_VALID, 0) ? -EIO : 0;
}

static int pt_bind(struct mm_struct *mm, const char *name)
{
	struct iommu_sva *handle;
	struct device *dev;
	int ret = 0;

	dev = bus_find_device_by_name(&pci_bus_type, NULL, name);
	if (!dev)
		return -ENODEV;
	/* 6.1 dereferences dev->iommu without checking it. */
	if (!dev->iommu) {
		ret = -ENODEV;
		goto out;
	}
	handle = iommu_sva_bind_device(dev, mm, NULL);
	if (IS_ERR_OR_NULL(handle))
		ret = handle ? PTR_ERR(handle) : -ENODEV;
	else
		iommu_sva_unbind_device(handle);
out:
	put_device(dev);
	return ret;
}

/* Frees the value the mm holds, whoever owns it by now: a second call on
 * the same mm frees another process's PASID, as the kernel's own drop does. */
static int pt_free_early(struct mm_struct *mm)
{
	u32 pasid = READ_ONCE(mm->pasid);

	if (!pasid_valid(pasid))
		return -ENOENT;
	ioasid_free(pasid);
	return 0;
}

static int pt_leak(struct mm_struct *mm)
{
	if (!pasid_valid(READ_ONCE(mm->pasid)))
		return -ENOENT;
	WRITE_ONCE(mm->pasid, INVALID_IOASID);
	return 0;
}

static int pt_run(char *cmd)
{
	struct mm_struct *mm = current->mm;

	if (!mm)
		return -EINVAL;
	if (!strcmp(cmd, "alloc"))
		return pt_alloc(mm);
	if (!strcmp(cmd, "msr"))
		return pt_msr(mm);
	if (!strncmp(cmd, "bind ", 5))
		return pt_bind(mm, cmd + 5);
	if (!strcmp(cmd, "free-early"))
		return pt_free_early(mm);
	if (!strcmp(cmd, "leak"))
		return pt_leak(mm);
	return -EINVAL;
}

static ssize_t pt_ctl_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	char cmd[64];
	int ret;

	if (len == 0 || len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';
	ret = pt_run(strim(cmd));
	return ret ? ret : len;
}

static ssize_t pt_ctl_read(struct file *file, char __user *ubuf, size_t len, loff_t *ppos)
{
	char buf[16];
	int n;

	if (!current->mm)
		return -EINVAL;
	n = scnprintf(buf, sizeof(buf), "%d\n", (int)current->mm->pasid);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations pt_ctl_fops = {
	.owner = THIS_MODULE,
	.write = pt_ctl_write,
	.read = pt_ctl_read,
	.llseek = default_llseek,
};

static int __init pt_init(void)
{
	pt_dir = debugfs_create_dir("pasid_test", NULL);
	if (IS_ERR(pt_dir))
		return PTR_ERR(pt_dir);
	debugfs_create_file("ctl", 0600, pt_dir, NULL, &pt_ctl_fops);
	return 0;
}

static void __exit pt_exit(void)
{
	debugfs_remove_recursive(pt_dir);
}

module_init(pt_init);
module_exit(pt_exit);
MODULE_DESCRIPTION("Real PASID lifecycles and injected PASID lifetime bugs for pasidtrace's kernel tests");
MODULE_LICENSE("GPL");
