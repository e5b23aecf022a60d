// SPDX-License-Identifier: GPL-2.0-only
// Cross-CPU disorder must not change results: every sample, delivered with
// its events shuffled within a few milliseconds of ts (as per-CPU ring
// buffers deliver them), gives the same report as in order.
#include <algorithm>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "app/analysis_pipeline.hpp"
#include "reports/json_report.hpp"
#include "sources/source_factory.hpp"

namespace pasidtrace::test {
namespace {

namespace fs = std::filesystem;

// Replays a fixed list of events.
class VectorSource final : public sources::EventSource {
public:
    VectorSource(core::TraceHeader header, std::vector<core::Event> events)
        : header_(std::move(header)), events_(std::move(events)) {}
    const core::TraceHeader& header() const override { return header_; }
    sources::ReadStatus next(core::Event& out) override {
        if (next_ == events_.size()) return sources::ReadStatus::end;
        out = events_[next_++];
        return sources::ReadStatus::event;
    }
    const core::InputError& error() const override { return error_; }
    sources::SourceCounters counters() const override { return {}; }

private:
    core::TraceHeader header_;
    std::vector<core::Event> events_;
    std::size_t next_ = 0;
    core::InputError error_;
};

struct Loaded {
    core::TraceHeader header;
    std::vector<core::Event> events;
};

Loaded load(const fs::path& path) {
    auto opened = sources::open_source(path.string());
    auto& src = *std::get<std::unique_ptr<sources::EventSource>>(opened);
    Loaded l{src.header(), {}};
    core::Event e;
    while (src.next(e) == sources::ReadStatus::event) l.events.push_back(e);
    return l;
}

std::string report(const Loaded& l, std::uint64_t* late = nullptr) {
    VectorSource src(l.header, l.events);
    auto out = std::get<app::PipelineOutput>(app::run_analysis(src, "x", app::PipelineOptions{}));
    if (late) *late = out.result.input.late;
    return reports::json_report(reports::ReportInput{out.result, "x", "jsonl", nullptr}, {}).dump();
}

// Swaps neighbours whose ts differ by less than `skew`, many times over:
// arrival order changes, each event keeps its ts.
void disorder(std::vector<core::Event>& events, std::uint64_t skew, std::mt19937_64& rng) {
    if (events.size() < 2) return;
    std::uniform_int_distribution<std::size_t> pick(0, events.size() - 2);
    for (std::size_t n = 0; n < events.size() * 4; ++n) {
        std::size_t i = pick(rng);
        auto a = events[i].ts, b = events[i + 1].ts;
        if (a != b && (a > b ? a - b : b - a) < skew) std::swap(events[i], events[i + 1]);
    }
}

TEST(ReorderPipeline, ShuffledSamplesGiveTheSameReport) {
    const fs::path samples = fs::path(PASIDTRACE_SOURCE_DIR) / "samples";
    int checked = 0, changed = 0;
    for (const auto& entry : fs::recursive_directory_iterator(samples)) {
        if (entry.path().extension() != ".jsonl" || entry.path().filename() == "bad.jsonl") continue;
        Loaded in_order = load(entry.path());
        // Sorted first (some samples are deliberately out of order).
        std::stable_sort(in_order.events.begin(), in_order.events.end(),
                         [](const auto& a, const auto& b) { return a.ts < b.ts; });
        const std::string expected = report(in_order);
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            std::mt19937_64 rng(seed);
            Loaded shuffled = in_order;
            disorder(shuffled.events, 200'000'000, rng);  // up to 200 ms of skew
            changed += shuffled.events.size() == in_order.events.size() &&
                       !std::equal(shuffled.events.begin(), shuffled.events.end(), in_order.events.begin(),
                                   [](const auto& a, const auto& b) { return a.ts == b.ts; });
            std::uint64_t late = 0;
            EXPECT_EQ(report(shuffled, &late), expected) << entry.path() << " seed " << seed;
            EXPECT_EQ(late, 0u);
        }
        ++checked;
    }
    EXPECT_GT(checked, 10);
    EXPECT_GT(changed, checked);  // the shuffle really changed arrival order
}

}  // namespace
}  // namespace pasidtrace::test
