// SPDX-License-Identifier: GPL-2.0-only
// Everything `pasidtrace check` reports: the kernel, its BTF, this
// process's privileges, the CPU's ENQCMD flag, IOMMU SVA, and hook by hook
// what the loader could attach. Gathered by really loading and attaching
// (then detaching) the recorder, so what check says is what record gets.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "live/hook_outcome.hpp"
#include "live/host_facts.hpp"
#include "live/live_error.hpp"
#include "live/privileges.hpp"

namespace pasidtrace::live {

struct CheckReport {
    std::string kernel_release;
    bool btf = false;
    std::string btf_note;
    Privileges privileges;
    HostFacts host;
    std::vector<HookOutcome> hooks;  // empty when the recorder could not be loaded
    std::optional<LiveError> load_error;
    std::vector<core::EventType> observed;
    core::MmdropProbe mmdrop_probe = core::MmdropProbe::unknown;

    // Live tracing can run at all: at least one hook attached.
    bool can_trace() const;
};

// Without the privileges to load BPF, hooks stay empty and load_error says so.
// `mechanism` is check's --mechanism: the chains start where record's would.
CheckReport run_check(MechanismChoice mechanism = MechanismChoice::automatic);

}  // namespace pasidtrace::live
