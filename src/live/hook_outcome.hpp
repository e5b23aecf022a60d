// SPDX-License-Identifier: GPL-2.0-only
// What became of each hook at load time: the mechanisms tried in catalogue
// order, each with its status, the last one being the one in use when the
// hook is attached. `pasidtrace check` prints these; recordings carry the
// chosen row per hook in their header.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/trace_header.hpp"
#include "live/hook_catalogue.hpp"
#include "live/live_options.hpp"
#include "sources/recording_header.hpp"

namespace pasidtrace::live {

class KernelFeatures;

enum class AttemptResult { attached, not_attachable, unavailable };

struct HookAttempt {
    const Candidate* candidate = nullptr;
    AttemptResult result = AttemptResult::unavailable;
    std::string reason;           // empty when attached
    bool target_missing = false;  // the function/tracepoint itself is not in this kernel

    // "attached", "loaded, not attachable: <reason>", "unavailable: <reason>"
    std::string status() const;
};

struct HookOutcome {
    const HookSpec* spec = nullptr;
    std::vector<HookAttempt> attempts;

    bool attached() const { return !attempts.empty() && attempts.back().result == AttemptResult::attached; }
    const Candidate* chosen() const { return attached() ? attempts.back().candidate : nullptr; }
    // The recording header's row: the chosen mechanism, or else the first
    // one whose target exists (the most telling failure).
    sources::HookStatus header_entry() const;
};

struct Refusal {
    std::string reason;
    bool target_missing = false;
};

// Why `c` cannot work on this kernel before anything is loaded (target
// missing, mechanism refused, precondition unmet), or nullopt.
std::optional<Refusal> static_refusal(const Candidate& c, const KernelFeatures& kernel);

// Why `--mechanism choice` leaves candidate `c` out, or nullopt.
std::optional<std::string> excluded_by(MechanismChoice choice, const Candidate& c);

// The event types the attached hooks record, and `lost` (always seen).
std::vector<core::EventType> observed_types(const std::vector<HookOutcome>& hooks);

// entry for fentry/kprobe on __mmdrop, exit for kmem_cache_free, unknown without a hook.
core::MmdropProbe mmdrop_probe_of(const std::vector<HookOutcome>& hooks);

}  // namespace pasidtrace::live
