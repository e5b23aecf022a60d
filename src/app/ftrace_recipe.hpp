// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace ftrace-recipe`: what to record with trace-cmd so that
// `pasidtrace analyze trace.dat` sees the events of the contract. The
// recipe is computed from a description of the kernel (which functions can
// be probed, which tracepoints and fields exist, the struct offsets BTF
// gives), so that every kernel era can be tested from a written description;
// ftrace_kernel.hpp reads that description off the running kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/trace_header.hpp"

namespace pasidtrace::app {

// Byte offsets of the struct members the fetch arguments dereference, from
// the kernel's BTF; absent where this kernel's structs lack the member
// (kernel-pasid-lifecycle.md section 3).
struct StructLayout {
    std::optional<std::uint32_t> mm_pasid;              // mm_struct.pasid (5.10-6.7)
    std::optional<std::uint32_t> mm_iommu_mm;           // mm_struct.iommu_mm (6.8+)
    std::optional<std::uint32_t> iommu_mm_data_pasid;   // iommu_mm_data.pasid (6.8+)
    std::optional<std::uint32_t> sva_domain;            // iommu_sva.domain (6.2-6.10)
    std::optional<std::uint32_t> sva_handle;            // iommu_sva.handle, an embedded iommu_attach_handle (6.11+)
    std::optional<std::uint32_t> attach_handle_domain;  // iommu_attach_handle.domain (6.11+)
    std::optional<std::uint32_t> domain_mm;             // iommu_domain.mm (6.2+)
    std::optional<std::uint32_t> device_name;           // device.kobj.name (the char *)
    std::optional<std::uint32_t> binprm_mm;             // linux_binprm.mm
};

// What the recipe needs to know of a kernel.
struct KernelDescription {
    std::string release;  // "6.8.0-31-generic"; empty when unknown
    std::string machine = "x86_64";
    std::string tracefs = "/sys/kernel/tracing";
    bool kprobe_events = false;               // tracefs has kprobe_events (CONFIG_KPROBE_EVENTS)
    bool btf = false;                         // the layout below was read from BTF
    std::set<std::string> functions;          // candidate functions present out of line (probe-able)
    std::set<std::string> tracepoints;        // "sched:sched_process_fork", ...
    std::set<std::string> tracepoint_fields;  // "kmem:kmem_cache_free.name", ...
    StructLayout layout;
};

// One line for kprobe_events, and why it is there.
struct ProbeDefinition {
    std::string event;       // name under the pasidtrace group: "bind", "bind_ret", ...
    std::string definition;  // "p:pasidtrace/bind iommu_sva_bind_device dev=... mm=$arg2:x64"
    std::string why;         // the kernel fact that picks this function
};

struct TracepointChoice {
    std::string event;   // "kmem:kmem_cache_free"
    std::string filter;  // empty: none
    std::string why;
};

// A contract event type the recording will not have, and why.
struct MissingEvent {
    core::EventType type;
    std::string reason;
};

struct Recipe {
    bool kprobes = false;
    std::vector<ProbeDefinition> probes;
    std::vector<TracepointChoice> tracepoints;
    std::vector<MissingEvent> missing;
    std::vector<std::string> notes;  // limits worth knowing (no PASID for old-era binds, ...)
    core::ObservedTypes observed = core::ObservedTypes::none();  // what the recording will have

    // `trace-cmd record ... -o trace.dat`, one argument per element.
    std::vector<std::string> record_arguments() const;
};

Recipe make_recipe(const KernelDescription& kernel);

// The functions and tracepoints the recipe may use: what a kernel
// description needs to say something about.
std::vector<std::string> recipe_functions();
std::vector<std::string> recipe_tracepoints();

// The text `pasidtrace ftrace-recipe` prints.
std::string render_recipe(const Recipe& recipe, const KernelDescription& kernel);

// A shell-quoted command line.
std::string shell_join(const std::vector<std::string>& words);

}  // namespace pasidtrace::app
