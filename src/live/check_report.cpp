// SPDX-License-Identifier: GPL-2.0-only
#include "live/check_report.hpp"

#include <variant>

#include "live/bpf_session.hpp"
#include "live/kernel_features.hpp"

namespace pasidtrace::live {

bool CheckReport::can_trace() const {
    for (const auto& h : hooks)
        if (h.attached()) return true;
    return false;
}

CheckReport run_check(MechanismChoice mechanism) {
    CheckReport r;
    r.privileges = current_privileges();
    auto kernel = KernelFeatures::probe();
    r.kernel_release = kernel->release();
    r.btf = kernel->has_btf();
    r.btf_note = r.btf ? "/sys/kernel/btf/vmlinux" : kernel->btf_error();
    r.host = read_host_facts(*kernel);
    if (!r.privileges.can_trace()) {
        r.load_error = LiveError{"privileges", missing_privileges_message(r.privileges)};
        return r;
    }
    LiveOptions probe_options;
    probe_options.buffer_bytes = 4096;  // check records nothing
    probe_options.mechanism = mechanism;
    auto session = BpfSession::start(probe_options, *kernel);
    if (auto* err = std::get_if<LiveError>(&session)) {
        r.load_error = *err;
        return r;
    }
    const auto& s = *std::get<std::unique_ptr<BpfSession>>(session);
    r.hooks = s.hooks();
    r.observed = s.observed();
    r.mmdrop_probe = s.mmdrop_probe();
    return r;
}

}  // namespace pasidtrace::live
