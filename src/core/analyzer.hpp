// SPDX-License-Identifier: GPL-2.0-only
// The analyzer: a streaming state machine over ts-ordered events that
// reconstructs per-mm PASID lifetimes and applies the rules of contract
// section 2 with the fine points of section 4. It knows nothing of files,
// BPF or output formats.
#pragma once

#include <functional>
#include <memory>

#include "core/analysis.hpp"
#include "core/event.hpp"
#include "core/model.hpp"
#include "core/trace_header.hpp"

namespace pasidtrace::core {

struct AnalyzerOptions {
    Model model = Model::mm;
    ObservedTypes observed = ObservedTypes::all();
    MmdropProbe mmdrop_probe = MmdropProbe::unknown;
};

class Analyzer {
public:
    explicit Analyzer(AnalyzerOptions options);
    ~Analyzer();
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;

    // Called with each finding as soon as it is certain (live mode). Findings
    // about a free wait for the next event of the freeing thread, which
    // decides whether the free pairs with an mmdrop.
    void on_finding(std::function<void(const Finding&)> sink);

    // Events in ts order (the reorder stage's output).
    void apply(const Event& e);
    // Input counters kept outside the state machine.
    void count_skipped(std::uint64_t n);
    void count_late(std::uint64_t n);

    // Ends the trace: end-of-trace rules, pending decisions, final states.
    AnalysisResult finish();

private:
    class State;
    std::unique_ptr<State> state_;
};

}  // namespace pasidtrace::core
