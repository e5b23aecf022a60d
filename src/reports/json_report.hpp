// SPDX-License-Identifier: GPL-2.0-only
// The JSON report of contract section 3, keys in a fixed order
// (docs/report-format.md, docs/report.schema.json).
#pragma once

#include <nlohmann/json.hpp>

#include "reports/report.hpp"

namespace pasidtrace::reports {

nlohmann::ordered_json json_report(const ReportInput& input, const ReportOptions& options);

}  // namespace pasidtrace::reports
