// SPDX-License-Identifier: GPL-2.0-only
// What every report renders: one analysis of one input. Reports are
// plug-ins around the core; they never compute, only present.
#pragma once

#include <string>

#include "core/analysis.hpp"
#include "sources/event_source.hpp"

namespace pasidtrace::reports {

struct ReportInput {
    const core::AnalysisResult& result;
    std::string path;    // as the user gave it
    std::string format;  // "jsonl", "native", "trace.dat"
    const sources::StackTable* stacks = nullptr;  // symbolized kernel stacks, when the source has them
};

struct ReportOptions {
    bool show_kernel_pointers = false;  // add raw mm values (mm_id) next to mm#N
    bool color = false;                 // ANSI colour (text report only)
};

}  // namespace pasidtrace::reports
