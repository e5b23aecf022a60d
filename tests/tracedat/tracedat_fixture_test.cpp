// SPDX-License-Identifier: GPL-2.0-only
// The recordings checked in under samples/tracedat (see the README there),
// read on any machine: no tracefs, no root needed.
#include <gtest/gtest.h>

#include "tracedat_expectations.hpp"

namespace pasidtrace::tracedat_test {
namespace {

TEST(TraceDatFixtures, ProcessesRecordingHasExactlyItsScenario) {
    const auto truth = read_process_truth(fixture("processes.truth.json"));
    const auto read = read_all(fixture("processes.dat").string());
    expect_process_events(read, truth);
    EXPECT_EQ(read.header.kernel, truth.kernel) << "the release from the file's uname";
    // The instance ran on "mono", but trace-cmd extract names the top buffer's clock.
    EXPECT_TRUE(read.header.clock.has_value());
    EXPECT_EQ(read.header.extra["machine"], "x86_64");
}

TEST(TraceDatFixtures, ProcessesRecordingAnalyzesWithoutFindings) {
    expect_clean_analysis(fixture("processes.dat").string());
}

TEST(TraceDatFixtures, SvaProbeRecordingHasItsBindsFreesAndDrops) {
    expect_sva_events(read_all(fixture("sva-probes.dat").string()), read_sva_truth(fixture("sva-probes.truth.json")));
}

TEST(TraceDatFixtures, SvaProbeRecordingAnalyzesToOneEarlyFree) {
    expect_sva_analysis(fixture("sva-probes.dat").string(), read_sva_truth(fixture("sva-probes.truth.json")));
}

// Evidence cites records by their place in timestamp order, like lines.
TEST(TraceDatFixtures, EventsCarryTheirRecordNumber) {
    const auto read = read_all(fixture("sva-probes.dat").string());
    ASSERT_FALSE(read.events.empty());
    std::uint64_t last = 0;
    for (const auto& e : read.events) {
        EXPECT_GT(e.pos.line, last);
        last = e.pos.line;
    }
}

}  // namespace
}  // namespace pasidtrace::tracedat_test
