// SPDX-License-Identifier: GPL-2.0-only
// What a native recording says about itself: the header written before the
// first chunk (a JSON object, so new keys need no format change) and the
// counts of the trailer written at a clean close.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/event.hpp"
#include "core/trace_header.hpp"

namespace pasidtrace::sources {

// One logical hook as the recorder attached it; a record's `hook` field is
// the index of its entry in RecordingHeader::hooks.
struct HookStatus {
    std::string hook;       // e.g. "mmdrop"
    std::string mechanism;  // e.g. "fentry:__mmdrop"
    std::string status;     // e.g. "attached", "unavailable: no BTF"

    friend bool operator==(const HookStatus&, const HookStatus&) = default;
};

struct RecordingHeader {
    std::string kernel;    // uname -r; empty when unknown
    std::string hostname;  // empty when unknown
    // Timestamps compare only within one boot: CLOCK_MONOTONIC restarts.
    std::string boot_id;
    std::string clock = "monotonic";
    std::uint64_t start_realtime_ns = 0;   // wall clock when the recording began
    std::uint64_t start_monotonic_ns = 0;  // CLOCK_MONOTONIC at that moment: maps ts to wall time
    core::MmdropProbe mmdrop_probe = core::MmdropProbe::unknown;
    // Types the recorder could see; nullopt when it does not know, and then
    // every type counts as observed (contract 1).
    std::optional<std::vector<core::EventType>> observed;
    std::vector<HookStatus> hooks;
    nlohmann::json extra = nlohmann::json::object();  // written as further header keys

    friend bool operator==(const RecordingHeader&, const RecordingHeader&) = default;
};

// What the recorder knows at close that the writer does not count itself.
struct RecordingTrailer {
    std::uint64_t lost = 0;  // events dropped (ring buffer full), also recorded as `lost` records
};

// kernel, hostname, boot_id, clock and start times of the running system.
RecordingHeader describe_this_host();

std::string_view to_string(core::MmdropProbe probe);
core::MmdropProbe mmdrop_probe_from_string(std::string_view s);  // unknown for anything else

nlohmann::json to_json(const RecordingHeader& h);

struct HeaderFieldError {
    std::string field;
    std::string message;
};
// Known keys must have their documented types; other keys go to `extra`.
// Observed type names this build does not know are left out.
std::variant<RecordingHeader, HeaderFieldError> recording_header_from_json(const nlohmann::json& j);

// The analyzer's view: format "native", the observed list, and everything
// else (boot id, start times, hooks, extra keys) in `extra`.
core::TraceHeader to_trace_header(const RecordingHeader& h);

}  // namespace pasidtrace::sources
