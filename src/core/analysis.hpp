// SPDX-License-Identifier: GPL-2.0-only
// What the analyzer produces (contract sections 2 and 3): lifetimes,
// findings, unchecked rules and input counters. Reports render this; they
// know nothing of how it was computed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/ident.hpp"
#include "core/model.hpp"
#include "core/rules.hpp"

namespace pasidtrace::core {

// An mm object as reports name it: "mm#N" in order of first appearance, and
// the raw identifier for --show-kernel-pointers.
struct MmRef {
    std::uint32_t number = 0;
    Ident raw;
    std::string name() const { return "mm#" + std::to_string(number); }
};

// One event cited as evidence: contract 3's {ts, type, line}.
struct EvidenceRef {
    std::uint64_t ts = 0;
    EventType type = EventType::lost;
    std::uint64_t line = 0;
    std::optional<std::uint32_t> stack_id;
};
EvidenceRef evidence_of(const Event& e);

struct Finding {
    RuleId rule = RuleId::events_lost;
    std::optional<std::uint32_t> pasid;
    std::optional<MmRef> mm;
    std::uint64_t ts = 0;
    bool uncertain = false;
    std::string message;
    std::vector<EvidenceRef> evidence;
    std::uint64_t order = 0;  // when it was found; ties of ts sort by it
};

struct BindingRecord {
    Ident dev;
    Ident handle;
    std::uint64_t bind_ts = 0;
    std::optional<std::uint64_t> unbind_ts;
};

struct ThreadRecord {
    std::optional<std::uint32_t> pid;
    std::uint32_t tid = 0;
    std::string comm;
    std::uint64_t msr_ts = 0;
    std::optional<std::uint64_t> exit_ts;  // exit, or exec (which ends the MSR reference)
};

enum class LifetimeState { freed, open, leaked, early_freed };
std::string_view to_string(LifetimeState s);  // "freed", "open", "leaked", "early-freed"

// One live period of one PASID value (contract 4: liveness is per period).
struct Lifetime {
    std::uint32_t pasid = 0;
    std::optional<MmRef> mm;  // owner; none for device-owned PASIDs
    LifetimeState state = LifetimeState::open;
    std::uint64_t alloc_ts = 0;
    bool alloc_seen = false;
    std::optional<std::uint64_t> free_ts;
    std::optional<std::uint64_t> mmput_ts;
    std::optional<std::uint64_t> mmdrop_ts;
    std::vector<BindingRecord> bindings;
    std::vector<ThreadRecord> threads;
    // The process that owns the mm, where an event told us (text report).
    std::optional<std::uint32_t> owner_pid;
    std::string owner_comm;
};

struct InputCounters {
    std::uint64_t events = 0;  // known types, `lost` included
    std::uint64_t lost = 0;    // sum of lost counts
    std::uint64_t skipped = 0; // unknown types
    std::uint64_t failed_binds = 0;
    std::uint64_t late = 0;    // applied after the reorder window
};

// A rule that could not be evaluated, and the event types it lacked.
struct UncheckedRule {
    RuleId rule = RuleId::events_lost;
    std::vector<EventType> missing;
};

struct AnalysisResult {
    Model model = Model::mm;
    InputCounters input;
    std::vector<Lifetime> lifetimes;    // in order of their start
    std::vector<Finding> findings;      // sorted by ts, then order found
    std::vector<UncheckedRule> unchecked;  // identifier order
    std::uint64_t mms_with_pasid = 0;   // summary.mms
    std::uint64_t distinct_pasids = 0;  // summary.pasids
};

}  // namespace pasidtrace::core
