// SPDX-License-Identifier: GPL-2.0-only
// Whether this process may load and attach BPF tracing programs: root, or
// CAP_BPF with CAP_PERFMON (5.8+), or CAP_SYS_ADMIN on older kernels.
#pragma once

#include <string>

namespace pasidtrace::live {

struct Privileges {
    bool root = false;
    bool cap_bpf = false;
    bool cap_perfmon = false;
    bool cap_sys_admin = false;

    bool can_trace() const { return root || cap_sys_admin || (cap_bpf && cap_perfmon); }
    std::string describe() const;  // "root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)"
};

Privileges current_privileges();

// The one line to print when can_trace() is false: what is missing and what to do.
std::string missing_privileges_message(const Privileges& p);

}  // namespace pasidtrace::live
