// SPDX-License-Identifier: GPL-2.0-only
// One pt_event record as the contract's event: which fields a type carries,
// which it needs, and how the flags say what is present.
#pragma once

#include <string>

#include "core/event.hpp"
#include "pasidtrace/event_abi.h"

namespace pasidtrace::sources {

enum class RecordResult { event, unknown_type, invalid };

struct RecordProblem {
    std::string field;
    std::string message;
};

// Fills `out` (pos aside) from `rec`. A type number this build does not know
// gives unknown_type (counted and skipped); a record that lacks a field its
// type needs, or has one out of range, gives invalid and the problem.
RecordResult record_to_event(const pt_event& rec, core::Event& out, RecordProblem& problem);

}  // namespace pasidtrace::sources
