// SPDX-License-Identifier: GPL-2.0-only
// The one interface every input format implements: a header, then events in
// (roughly) ts order. Errors are values: next() returns ReadStatus::error and
// error() says which file, line and field.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/trace_header.hpp"

namespace pasidtrace::sources {

enum class ReadStatus { event, end, error };

struct SourceCounters {
    std::uint64_t skipped = 0;  // events of unknown type (counted, never fatal)
};

// Kernel stacks of a recording, for reports: stack id -> symbolized frames.
class StackTable {
public:
    virtual ~StackTable() = default;
    // Frames innermost first, "func+0xoff"; empty when unknown.
    virtual std::vector<std::string> frames(std::uint32_t stack_id) const = 0;
};

class EventSource {
public:
    virtual ~EventSource() = default;
    // Valid once open succeeded; sources read their header while opening.
    virtual const core::TraceHeader& header() const = 0;
    // On ReadStatus::event every field of `out` is overwritten (callers may
    // pass a moved-from event).
    virtual ReadStatus next(core::Event& out) = 0;
    virtual const core::InputError& error() const = 0;
    virtual SourceCounters counters() const = 0;
    virtual const StackTable* stacks() const { return nullptr; }
    // Events come in ts order by construction (the source merged its CPUs),
    // so the analysis need not hold them to reorder (core/reorder.hpp).
    virtual bool in_ts_order() const { return false; }
    // A non-fatal note for the user (e.g. "recording ends after chunk 12:
    // truncated"), empty when none.
    virtual std::string warning() const { return {}; }
};

}  // namespace pasidtrace::sources
