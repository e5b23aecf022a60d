// SPDX-License-Identifier: GPL-2.0-only
// What the running kernel offers the hooks: its BTF (functions, tracepoint
// prototypes), kallsyms, tracefs events, kprobe support, and whether an
// fentry program may be loaded on a function. Read once at start-up; every
// answer that says "no" says why, for `pasidtrace check`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

struct btf;

namespace pasidtrace::live {

// One parameter of a tracepoint prototype, as much as the hooks need.
struct TracepointParam {
    bool pointer = false;
    std::string type_name;  // struct/int/typedef name, after pointers and qualifiers
};

class KernelFeatures {
public:
    // Reads /sys/kernel/btf/vmlinux, /proc/kallsyms and tracefs. Never fails:
    // what cannot be read is reported as missing, with the reason.
    static std::unique_ptr<KernelFeatures> probe();
    ~KernelFeatures();
    KernelFeatures(const KernelFeatures&) = delete;
    KernelFeatures& operator=(const KernelFeatures&) = delete;

    const std::string& release() const { return release_; }
    bool has_btf() const { return btf_ != nullptr; }
    const std::string& btf_error() const { return btf_error_; }

    bool btf_has_function(const std::string& name) const;
    bool btf_has_type(const std::string& struct_name) const;
    bool kallsyms_has(const std::string& name) const { return kallsyms_.count(name) != 0; }
    bool kallsyms_readable() const { return !kallsyms_.empty(); }
    // "sched:sched_process_fork": its BTF prototype (tp_btf) / its tracefs
    // directory (raw_tp needs only that the kernel has it).
    std::optional<std::vector<TracepointParam>> tracepoint_params(const std::string& tracepoint) const;
    bool tracepoint_exists(const std::string& tracepoint) const;

    // Whether `function` has an ftrace location (tracefs
    // available_filter_functions): fentry trampolines and kprobes attach
    // only there; a notrace function loads but refuses to attach. nullopt
    // when the list cannot be read (tracefs absent, or not permitted).
    std::optional<bool> traceable(const std::string& function) const;

    // Empty when kprobes can be attached, else why not.
    const std::string& kprobe_refusal() const { return kprobe_refusal_; }
    // Empty when an fentry program on `function` loads, else why not. The
    // first answer per function is cached: each costs one BPF program load.
    std::string fentry_refusal(const std::string& function) const;

private:
    KernelFeatures() = default;
    std::optional<int> btf_func_id(const std::string& name) const;

    std::string release_;
    ::btf* btf_ = nullptr;
    std::string btf_error_;
    std::unordered_set<std::string> kallsyms_;
    std::string tracefs_events_;  // ".../events" directory, empty when tracefs is not mounted
    std::string kprobe_refusal_;
    mutable std::map<std::string, std::string> fentry_refusals_;
    // Read on first use; empty set = unreadable.
    mutable std::optional<std::unordered_set<std::string>> filter_functions_;
};

// Splits "category:name"; the category is empty when there is no colon.
std::pair<std::string, std::string> split_tracepoint(const std::string& tracepoint);

}  // namespace pasidtrace::live
