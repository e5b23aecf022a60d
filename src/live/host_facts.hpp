// SPDX-License-Identifier: GPL-2.0-only
// Facts about the host that say what a recording can show at all, for
// `pasidtrace check`: whether the CPU has ENQCMD (without it no thread ever
// loads IA32_PASID, so no pasid_msr events) and whether the kernel has IOMMU
// SVA (without it nothing binds, allocates or frees an mm PASID).
#pragma once

#include <string>

namespace pasidtrace::live {

class KernelFeatures;

struct HostFacts {
    bool cpu_enqcmd = false;
    std::string cpu_note;  // why / what it means
    bool iommu_sva = false;
    std::string iommu_note;
};

HostFacts read_host_facts(const KernelFeatures& kernel, const std::string& cpuinfo_path = "/proc/cpuinfo");

}  // namespace pasidtrace::live
