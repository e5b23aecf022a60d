// SPDX-License-Identifier: GPL-2.0-only
// The hook catalogue: for each logical hook, the ordered fallback chain of
// (mechanism, kernel function or tracepoint, BPF programs) the loader tries
// at run time, with the kernel eras and commits that explain each entry.
// Hook choice is data: adding a kernel function or a mechanism is a row
// here (and a program in bpf/ when the shape is new), nothing else.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "pt_hooks.h"

namespace pasidtrace::live {

class KernelFeatures;

enum class Mechanism { fentry, kprobe, tp_btf, raw_tp };
std::string_view to_string(Mechanism m);  // "fentry", "kprobe", "tp_btf", "raw_tp"

// A condition on the kernel beyond "the target exists"; returns why the
// candidate does not fit, or nullopt when it does.
using Precondition = std::optional<std::string> (*)(const KernelFeatures&);

struct Candidate {
    Mechanism mechanism;
    std::string target;                 // kernel function, or "category:tracepoint"
    std::vector<std::string> programs;  // BPF program names, all attached together
    std::string eras;                   // kernels where this target is the right one, and why
    Precondition precondition = nullptr;
    // Tells apart candidates on the same target whose programs read
    // different argument shapes ("group_dead", "cache"); empty when unique.
    std::string variant = {};

    // "fentry:iommu_sva_bind_device", "tp_btf:sched:sched_process_exit[group_dead]"
    std::string label() const;
};

struct HookSpec {
    pt_hook id;
    std::string name;                   // "bind", "mmdrop", ...
    core::EventType yields;             // the event type it records
    std::vector<Candidate> candidates;  // in the order the loader tries them
};

// Every hook, indexed by pt_hook (catalogue()[PT_HOOK_FORK].id == PT_HOOK_FORK).
const std::vector<HookSpec>& hook_catalogue();

// Every program name of the BPF object, each once (for the verifier tests).
std::vector<std::string> all_program_names();

}  // namespace pasidtrace::live
