// SPDX-License-Identifier: GPL-2.0-only
#include "app/analysis_pipeline.hpp"

namespace pasidtrace::app {

std::variant<PipelineOutput, core::InputError> run_analysis(sources::EventSource& source,
                                                            const std::string& path,
                                                            const PipelineOptions& options) {
    const core::TraceHeader& header = source.header();
    core::AnalyzerOptions aopts;
    aopts.model = core::resolve_model(options.model, header.kernel);
    aopts.observed = header.observed;
    aopts.mmdrop_probe = header.mmdrop_probe;
    core::Analyzer analyzer(aopts);
    if (options.on_finding) analyzer.on_finding(options.on_finding);

    core::ReorderBuffer reorder([&](const core::Event& e) { analyzer.apply(e); },
                                options.reorder_window_ns, options.reorder_max_events,
                                source.in_ts_order() ? core::ReorderBuffer::Arrival::in_ts_order
                                                     : core::ReorderBuffer::Arrival::unordered);
    constexpr std::uint64_t kProgressEvery = 1u << 20;
    std::uint64_t n = 0;
    core::Event event;
    for (;;) {
        sources::ReadStatus st = source.next(event);
        if (st == sources::ReadStatus::end) break;
        if (st == sources::ReadStatus::error) return source.error();
        reorder.push(std::move(event));  // next() overwrites every field
        if (options.on_progress && (++n % kProgressEvery) == 0) options.on_progress(n);
    }
    reorder.flush();
    analyzer.count_late(reorder.late());
    analyzer.count_skipped(source.counters().skipped);

    PipelineOutput out;
    out.result = analyzer.finish();
    out.input_path = path;
    out.input_format = header.format;
    out.warning = source.warning();
    return out;
}

}  // namespace pasidtrace::app
