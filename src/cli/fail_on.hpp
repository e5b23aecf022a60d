// SPDX-License-Identifier: GPL-2.0-only
// --fail-on, shared by the commands that end with a report (analyze, live).
#pragma once

#include <string>

#include "core/analysis.hpp"

namespace pasidtrace::cli {

// True when a finding reaches the --fail-on severity ("error", "warning";
// "never" never does). Uncertain findings count too (contract 4).
inline bool fails_at(const core::AnalysisResult& r, const std::string& fail_on) {
    if (fail_on == "never") return false;
    const core::Severity floor = fail_on == "warning" ? core::Severity::warning : core::Severity::error;
    for (const auto& f : r.findings)
        if (core::rule_info(f.rule).severity >= floor) return true;
    return false;
}

}  // namespace pasidtrace::cli
