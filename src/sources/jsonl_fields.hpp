// SPDX-License-Identifier: GPL-2.0-only
// The fields of a JSON Lines event (contract sections 1 and 4) as one table:
// which event types read a field, which require it, and how its value is
// checked. Adding a field is one row.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/event.hpp"

namespace pasidtrace::sources {

// A field-level problem: the field's name and what is wrong with it. The
// reader adds file and line.
struct FieldError {
    std::string field;
    std::string message;
};

// Fills `out` (whose `type` is already set) from the object's fields.
std::optional<FieldError> read_event_fields(const nlohmann::json& object, core::Event& out);

// A short rendering of a JSON value for error messages ("2000000", "\"abc\"", "true").
std::string describe_json(const nlohmann::json& value);

}  // namespace pasidtrace::sources
