// SPDX-License-Identifier: GPL-2.0-only
// What `record` and `live` share on the command line: the recorder's flags
// and the checks before anything is loaded (flags, privileges, signals,
// kernel features). Only in builds with live tracing.
#pragma once
#ifdef PASIDTRACE_HAVE_LIVE

#include <memory>
#include <string>
#include <variant>

#include <CLI/CLI.hpp>

#include "live/kernel_features.hpp"
#include "live/live_options.hpp"

namespace pasidtrace::cli {

// --all-mm, --pid, --comm, --cgroup, --buffer, --mechanism.
void add_recorder_flags(CLI::App& sub, live::RecorderFlags& flags);

// --mechanism auto|kprobe|tracepoint (record, live and check).
void add_mechanism_flag(CLI::App& sub, std::string& mechanism);

struct RecorderPreflight {
    live::LiveOptions options;
    std::unique_ptr<live::KernelFeatures> kernel;
};

// Checks the flags and the caller's privileges, installs the SIGINT/SIGTERM
// handlers and probes the kernel; on failure, the one-line message to print.
std::variant<RecorderPreflight, std::string> prepare_recorder(const live::RecorderFlags& flags);

}  // namespace pasidtrace::cli

#endif  // PASIDTRACE_HAVE_LIVE
