// SPDX-License-Identifier: GPL-2.0-only
// source -> reorder -> analyzer: the offline pipeline, shared by `analyze`,
// `live` and the tests.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "core/analysis.hpp"
#include "core/analyzer.hpp"
#include "core/error.hpp"
#include "core/model.hpp"
#include "core/reorder.hpp"
#include "sources/event_source.hpp"

namespace pasidtrace::app {

struct PipelineOptions {
    core::ModelChoice model = core::ModelChoice::automatic;
    std::uint64_t reorder_window_ns = core::ReorderBuffer::kDefaultWindowNs;
    std::size_t reorder_max_events = core::ReorderBuffer::kDefaultMaxEvents;
    std::function<void(const core::Finding&)> on_finding;  // optional, live mode
    // Called every so many events with the count so far (progress on long work).
    std::function<void(std::uint64_t events)> on_progress;
};

struct PipelineOutput {
    core::AnalysisResult result;
    std::string input_path;
    std::string input_format;  // header().format
    std::string warning;       // source's non-fatal note, if any
};

// Runs the source to its end. An input error stops it: nothing is returned
// but the error.
std::variant<PipelineOutput, core::InputError> run_analysis(sources::EventSource& source,
                                                            const std::string& path,
                                                            const PipelineOptions& options);

}  // namespace pasidtrace::app
