// SPDX-License-Identifier: GPL-2.0-only
// The report for people: a lifetime table, then each finding with its
// severity, an explanation and its evidence, then a summary line.
#pragma once

#include <ostream>

#include "reports/report.hpp"

namespace pasidtrace::reports {

void write_text_report(std::ostream& out, const ReportInput& input, const ReportOptions& options);

}  // namespace pasidtrace::reports
