// SPDX-License-Identifier: GPL-2.0-only
// Reads the running kernel's description for the ftrace recipe: release,
// whether tracefs has kprobe_events, which candidate functions are out of
// line (kallsyms), which tracepoints and fields exist (their format files),
// and the struct offsets the fetch arguments need (BTF, through libbpf).
#pragma once

#include <string>

#include "app/ftrace_recipe.hpp"

struct btf;

namespace pasidtrace::app {

struct KernelPaths {
    std::string tracefs;  // empty: the first mounted of /sys/kernel/tracing, /sys/kernel/debug/tracing
    std::string kallsyms = "/proc/kallsyms";
    std::string btf = "/sys/kernel/btf/vmlinux";
};

struct KernelReading {
    KernelDescription kernel;
    // Without tracefs nothing says which events exist or whether kprobes
    // do: no recipe can be made. Empty when tracefs was read.
    std::string unreadable_tracefs;
    std::vector<std::string> problems;  // what else could not be read, for the user
};

KernelReading describe_running_kernel(const KernelPaths& paths);

// The tracefs mount point, or empty when tracefs is not mounted.
std::string find_tracefs(const std::string& preferred);

// Offsets of the members StructLayout names, from a BTF object (vmlinux or
// one built by a test). Members inside anonymous structs and unions count
// (mm_struct keeps its fields in one since 5.x's randomized layout block).
StructLayout layout_from_btf(const btf* types);

// Whether this build can read BTF (libbpf was found when it was configured).
bool btf_supported();

}  // namespace pasidtrace::app
