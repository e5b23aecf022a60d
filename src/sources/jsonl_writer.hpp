// SPDX-License-Identifier: GPL-2.0-only
// Writes any EventSource as the contract's JSON Lines (section 1): a header
// line, then one object per event holding only the fields it has, in the
// contract's names. Kernel stacks are not carried: JSON Lines has no place
// for them.
#pragma once

#include <optional>
#include <ostream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/trace_header.hpp"
#include "sources/event_source.hpp"

namespace pasidtrace::sources {

// {"type":"header","format":"pasidtrace-events","version":1,...}: kernel,
// hostname, clock, mmdrop_probe and observed where known, then the
// source's other header fields.
nlohmann::ordered_json header_to_jsonl(const core::TraceHeader& header);

// Identifiers as they were read: addresses as "0x..." strings, numbers as
// numbers, text as text.
nlohmann::ordered_json event_to_jsonl(const core::Event& event);

// Streams the source to `out` until it ends. Returns the source's error if
// it stops on one; the caller checks `out` for write errors.
std::optional<core::InputError> write_jsonl(EventSource& source, std::ostream& out);

}  // namespace pasidtrace::sources
