// SPDX-License-Identifier: GPL-2.0-only
#include "live/host_facts.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "live/kernel_features.hpp"

namespace pasidtrace::live {
namespace {

bool cpuinfo_has_flag(const std::string& path, const std::string& flag) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("flags", 0) != 0) continue;
        std::istringstream words(line.substr(line.find(':') + 1));
        std::string w;
        while (words >> w)
            if (w == flag) return true;
        return false;  // every CPU lists the same flags
    }
    return false;
}

std::size_t iommu_count() {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = std::filesystem::directory_iterator("/sys/class/iommu", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++n;
    return n;
}

}  // namespace

HostFacts read_host_facts(const KernelFeatures& kernel, const std::string& cpuinfo_path) {
    HostFacts f;
    f.cpu_enqcmd = cpuinfo_has_flag(cpuinfo_path, "enqcmd");
    f.cpu_note = f.cpu_enqcmd ? "threads load IA32_PASID in the #GP fix-up: pasid_msr events"
                              : "no 'enqcmd' CPU flag: no thread loads IA32_PASID, no pasid_msr events";
    const bool bind_fn =
        kernel.btf_has_function("iommu_sva_bind_device") || kernel.kallsyms_has("iommu_sva_bind_device");
    const std::size_t iommus = iommu_count();
    f.iommu_sva = bind_fn;
    if (!bind_fn)
        f.iommu_note = "no iommu_sva_bind_device, CONFIG_IOMMU_SVA is off: no bind, unbind or mm PASIDs";
    else
        f.iommu_note = "iommu_sva_bind_device present; " + std::to_string(iommus) + " IOMMU(s) in /sys/class/iommu";
    return f;
}

}  // namespace pasidtrace::live
