// SPDX-License-Identifier: GPL-2.0-only
#ifdef PASIDTRACE_HAVE_LIVE

#include "cli/recorder_cli.hpp"

#include "live/privileges.hpp"
#include "live/stop_signal.hpp"

namespace pasidtrace::cli {

void add_recorder_flags(CLI::App& sub, live::RecorderFlags& flags) {
    sub.add_flag("--all-mm", flags.all_mm, "Record task and mm events of every mm, not only those tied to a PASID");
    sub.add_option("--pid", flags.pid, "Only tasks of this thread group")->check(CLI::PositiveNumber);
    sub.add_option("--comm", flags.comm, "Only tasks with this comm (at most 15 bytes)");
    sub.add_option("--cgroup", flags.cgroup,
                   "Only tasks in this cgroup v2 directory (path, or relative to the cgroup v2 mount)");
    sub.add_option("--buffer", flags.buffer, "Ring buffer size, e.g. 8M (rounded up to a power of two)")
        ->capture_default_str();
    add_mechanism_flag(sub, flags.mechanism);
}

void add_mechanism_flag(CLI::App& sub, std::string& mechanism) {
    sub.add_option("--mechanism", mechanism,
                   "Where each hook's fallback chain starts: auto (fentry/fexit, then kprobes, then tracepoint "
                   "proxies), kprobe (skip fentry), tracepoint (tracepoint proxies only)")
        ->check(CLI::IsMember(live::mechanism_choice_names()))
        ->capture_default_str();
}

std::variant<RecorderPreflight, std::string> prepare_recorder(const live::RecorderFlags& flags) {
    std::string err;
    auto options = live::live_options_from(flags, err);
    if (!options) return err;
    const auto privileges = live::current_privileges();
    if (!privileges.can_trace()) return live::missing_privileges_message(privileges);
    live::install_stop_signals();
    return RecorderPreflight{*options, live::KernelFeatures::probe()};
}

}  // namespace pasidtrace::cli

#endif  // PASIDTRACE_HAVE_LIVE
