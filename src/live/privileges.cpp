// SPDX-License-Identifier: GPL-2.0-only
#include "live/privileges.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace pasidtrace::live {
namespace {

// Older UAPI headers lack the 5.8 capabilities.
constexpr int kCapSysAdmin = 21;
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

bool has_cap(const __user_cap_data_struct (&data)[2], int cap) { return (data[cap / 32].effective >> (cap % 32)) & 1u; }

}  // namespace

Privileges current_privileges() {
    Privileges p;
    p.root = ::geteuid() == 0;
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &header, data) == 0) {
        p.cap_bpf = has_cap(data, kCapBpf);
        p.cap_perfmon = has_cap(data, kCapPerfmon);
        p.cap_sys_admin = has_cap(data, kCapSysAdmin);
    }
    return p;
}

std::string Privileges::describe() const {
    std::string caps;
    auto add = [&](bool on, const char* name) {
        if (!on) return;
        caps += caps.empty() ? "" : ", ";
        caps += name;
    };
    add(cap_bpf, "CAP_BPF");
    add(cap_perfmon, "CAP_PERFMON");
    add(cap_sys_admin, "CAP_SYS_ADMIN");
    std::string who = root ? "root" : "uid " + std::to_string(::geteuid());
    return who + " (" + (caps.empty() ? "no tracing capabilities" : caps) + ")";
}

std::string missing_privileges_message(const Privileges& p) {
    return "live tracing needs root, or CAP_BPF and CAP_PERFMON (this process: " + p.describe() +
           "): run it with sudo, or grant them with 'sudo setcap cap_bpf,cap_perfmon,cap_syslog+ep pasidtrace'";
}

}  // namespace pasidtrace::live
