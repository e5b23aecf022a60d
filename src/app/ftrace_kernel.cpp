// SPDX-License-Identifier: GPL-2.0-only
#include "app/ftrace_kernel.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <unordered_set>

#if PASIDTRACE_HAVE_LIBBPF
#include <bpf/btf.h>
#endif

namespace pasidtrace::app {
namespace {

bool readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

// Candidate functions present as text symbols. A static function the
// compiler inlined everywhere has none, and cannot be probed.
void read_functions(const std::string& kallsyms, KernelReading& r) {
    std::ifstream in(kallsyms);
    if (!in) {
        r.problems.push_back("cannot read " + kallsyms + ": functions cannot be checked");
        return;
    }
    const auto wanted_list = recipe_functions();
    const std::unordered_set<std::string> wanted(wanted_list.begin(), wanted_list.end());
    std::string line, address, type, name;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        if (!(fields >> address >> type >> name)) continue;
        if ((type == "t" || type == "T") && wanted.count(name)) r.kernel.functions.insert(name);
    }
}

// Tracepoints and their field names, from tracefs format files.
void read_tracepoints(const std::string& tracefs, KernelReading& r) {
    for (const auto& tp : recipe_tracepoints()) {
        const auto colon = tp.find(':');
        std::ifstream format(tracefs + "/events/" + tp.substr(0, colon) + "/" + tp.substr(colon + 1) + "/format");
        if (!format) continue;
        r.kernel.tracepoints.insert(tp);
        std::string line;
        while (std::getline(format, line)) {
            // "\tfield:__data_loc char[] name;\toffset:24;..." -> "name"
            const auto field = line.find("field:");
            const auto semicolon = line.find(';');
            if (field == std::string::npos || semicolon == std::string::npos) continue;
            std::string decl = line.substr(field + 6, semicolon - field - 6);
            if (auto bracket = decl.find('['); bracket != std::string::npos && decl.back() == ']')
                decl.erase(decl.rfind('['));
            const auto space = decl.find_last_of(" *");
            r.kernel.tracepoint_fields.insert(tp + "." + decl.substr(space == std::string::npos ? 0 : space + 1));
        }
    }
}

#if PASIDTRACE_HAVE_LIBBPF
std::optional<std::uint32_t> member_offset(const btf* types, std::int32_t type_id, std::string_view member,
                                           int depth = 0) {
    const btf_type* t = btf__type_by_id(types, static_cast<__u32>(type_id));
    if (!t || depth > 8 || !btf_is_composite(t)) return std::nullopt;
    const btf_member* m = btf_members(t);
    for (__u16 i = 0; i < btf_vlen(t); ++i) {
        const char* name = btf__name_by_offset(types, m[i].name_off);
        const std::uint32_t bytes = btf_member_bit_offset(t, i) / 8;
        if (name && *name) {
            if (member == name) return bytes;
            continue;
        }
        const std::int32_t inner = btf__resolve_type(types, m[i].type);
        if (inner < 0) continue;
        if (auto off = member_offset(types, inner, member, depth + 1)) return bytes + *off;
    }
    return std::nullopt;
}

std::optional<std::uint32_t> offset_in(const btf* types, const char* type, std::string_view member) {
    const std::int32_t id = btf__find_by_name_kind(types, type, BTF_KIND_STRUCT);
    if (id < 0) return std::nullopt;
    return member_offset(types, id, member);
}
#endif

}  // namespace

bool btf_supported() { return PASIDTRACE_HAVE_LIBBPF != 0; }

StructLayout layout_from_btf(const btf* types) {
    StructLayout l;
#if PASIDTRACE_HAVE_LIBBPF
    l.mm_pasid = offset_in(types, "mm_struct", "pasid");
    l.mm_iommu_mm = offset_in(types, "mm_struct", "iommu_mm");
    l.iommu_mm_data_pasid = offset_in(types, "iommu_mm_data", "pasid");
    l.sva_domain = offset_in(types, "iommu_sva", "domain");
    l.sva_handle = offset_in(types, "iommu_sva", "handle");
    l.attach_handle_domain = offset_in(types, "iommu_attach_handle", "domain");
    l.domain_mm = offset_in(types, "iommu_domain", "mm");
    auto kobj = offset_in(types, "device", "kobj");
    auto name = offset_in(types, "kobject", "name");
    if (kobj && name) l.device_name = *kobj + *name;
    l.binprm_mm = offset_in(types, "linux_binprm", "mm");
#else
    (void)types;
#endif
    return l;
}

std::string find_tracefs(const std::string& preferred) {
    for (const std::string& dir :
         {preferred, std::string("/sys/kernel/tracing"), std::string("/sys/kernel/debug/tracing")})
        if (!dir.empty() && readable(dir + "/events")) return dir;
    return {};
}

KernelReading describe_running_kernel(const KernelPaths& paths) {
    KernelReading r;
    struct utsname u {};
    if (::uname(&u) == 0) {
        r.kernel.release = u.release;
        r.kernel.machine = u.machine;
    }
    r.kernel.tracefs = find_tracefs(paths.tracefs);
    if (r.kernel.tracefs.empty()) {
        r.kernel.tracefs = paths.tracefs.empty() ? "/sys/kernel/tracing" : paths.tracefs;
        // tracefs is root's (mode 700): a user sees the mount point but not into it.
        r.unreadable_tracefs = ::access(r.kernel.tracefs.c_str(), F_OK) == 0 && ::geteuid() != 0
                                   ? "cannot read " + r.kernel.tracefs + ": run as root"
                                   : "tracefs is not mounted: mount -t tracefs nodev /sys/kernel/tracing (as root)";
    } else {
        r.kernel.kprobe_events = readable(r.kernel.tracefs + "/kprobe_events");
        read_tracepoints(r.kernel.tracefs, r);
    }
    read_functions(paths.kallsyms, r);
#if PASIDTRACE_HAVE_LIBBPF
    if (btf* types = btf__parse(paths.btf.c_str(), nullptr)) {
        r.kernel.layout = layout_from_btf(types);
        r.kernel.btf = true;
        btf__free(types);
    } else {
        r.problems.push_back("cannot read BTF from " + paths.btf + ": struct offsets unknown");
    }
#else
    r.problems.push_back("built without libbpf: struct offsets cannot be read from BTF");
#endif
    return r;
}

}  // namespace pasidtrace::app
