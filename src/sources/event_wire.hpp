// SPDX-License-Identifier: GPL-2.0-only
// The byte form of a source's output (header, events, end, error) between a
// reader process and the analysis (sources/isolated_source). Both ends are
// the same binary, so the form has no version; an event is written field by
// field, only the fields it has, so a typical record is some 60 bytes
// instead of the ~350 of core::Event.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/trace_header.hpp"

namespace pasidtrace::sources::wire {

void append_event(const core::Event& event, std::string& out);
// Reads the event at `at` and moves `at` past it; false when the bytes end
// inside it (a writer that died mid-frame never sends one, so this is a bug).
bool read_event(std::string_view bytes, std::size_t& at, core::Event& out);

nlohmann::json header_to_json(const core::TraceHeader& header);
core::TraceHeader header_from_json(const nlohmann::json& j);

nlohmann::json error_to_json(const core::InputError& error);
core::InputError error_from_json(const nlohmann::json& j);

}  // namespace pasidtrace::sources::wire
