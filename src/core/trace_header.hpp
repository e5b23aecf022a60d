// SPDX-License-Identifier: GPL-2.0-only
// What a source knows about the recording as a whole (contract section 1,
// JSON Lines header): kernel release, probe placement, observed types.
#pragma once

#include <bitset>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/event.hpp"

namespace pasidtrace::core {

// Where the source's mmdrop is taken relative to the PASID free inside
// __mmdrop (contract 2.3, adjacency).
enum class MmdropProbe : std::uint8_t { unknown, entry, exit };

class ObservedTypes {
public:
    // Without an `observed` list every type counts as observed.
    static ObservedTypes all() { ObservedTypes o; o.bits_.set(); return o; }
    static ObservedTypes none() { return ObservedTypes{}; }
    void add(EventType t) { bits_.set(static_cast<std::size_t>(t)); }
    bool has(EventType t) const { return bits_.test(static_cast<std::size_t>(t)); }
    bool is_all() const { return bits_.all(); }
    // One bit per type, for carrying the set between processes.
    unsigned long to_bits() const { return bits_.to_ulong(); }
    static ObservedTypes from_bits(unsigned long bits) { ObservedTypes o; o.bits_ = bits; return o; }
private:
    std::bitset<kEventTypeCount> bits_;
};

struct TraceHeader {
    std::string format;                 // "jsonl", "native", "trace.dat"
    std::optional<std::string> kernel;  // release, e.g. "6.8.0-31-generic"
    std::optional<std::string> hostname;
    std::optional<std::string> clock;
    MmdropProbe mmdrop_probe = MmdropProbe::unknown;
    ObservedTypes observed = ObservedTypes::all();
    bool has_observed_list = false;
    nlohmann::json extra = nlohmann::json::object();  // everything else in the header
};

}  // namespace pasidtrace::core
