// SPDX-License-Identifier: GPL-2.0-only
// Loss is never silent: with a one-page ring buffer that nobody reads
// during a fork storm, the kernel counts its drops per CPU, and the
// recording carries `lost` records whose counts add up to those counters.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cli/cli_runner.hpp"
#include "live/kernel_features.hpp"
#include "live/recorder.hpp"
#include "live_test_util.hpp"

namespace pasidtrace::test {
namespace {

TEST(live_lost, TinyRingBufferUnderAForkStormRecordsTheKernelsDropCounts) {
    REQUIRE_LIVE();
    TempDir tmp;
    const std::string path = (tmp.path() / "lost.ptr").string();
    live::LiveOptions options;
    options.all_mm = true;
    options.buffer_bytes = 4096;  // room for ~30 records
    auto kernel = live::KernelFeatures::probe();
    auto started = live::Recorder::start(options, path, *kernel);
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<live::Recorder>>(started))
        << std::get<live::LiveError>(started).to_string();
    auto& recorder = *std::get<std::unique_ptr<live::Recorder>>(started);

    fork_storm(200);  // ~1000 records while nothing consumes the buffer
    auto done = recorder.run([] { return true; }, std::nullopt);
    ASSERT_TRUE(std::holds_alternative<live::RecordSummary>(done)) << std::get<live::LiveError>(done).to_string();
    const auto summary = std::get<live::RecordSummary>(done);
    EXPECT_GT(summary.kernel_drops, 0u);
    EXPECT_EQ(summary.lost, summary.kernel_drops);

    Recording r = read_recording(path);
    std::uint64_t lost_in_file = 0, lost_records = 0;
    for (const auto& e : r.events)
        if (e.type == core::EventType::lost) {
            lost_in_file += e.count;
            ++lost_records;
            EXPECT_GT(e.count, 0u);
            EXPECT_TRUE(e.cpu.has_value());
        }
    EXPECT_EQ(lost_in_file, summary.kernel_drops);
    EXPECT_GE(lost_records, 1u);
    EXPECT_LE(r.events.size() - lost_records, 4096u / 128u) << "more records than the buffer can hold";
    std::cout << "[ COUNTS   ] " << summary.kernel_drops << " dropped by the kernel, " << lost_in_file << " in "
              << lost_records << " lost record(s), " << r.events.size() - lost_records << " events kept\n";

    // The analyzer sees the loss: events-lost, and the input counts it.
    auto res = run_cli({"analyze", "--format", "json", path});
    EXPECT_EQ(res.rc, 0) << res.err;
    EXPECT_NE(res.out.find("\"events-lost\""), std::string::npos);
    EXPECT_NE(res.out.find("\"lost\": " + std::to_string(lost_in_file)), std::string::npos) << res.out.substr(0, 400);
}

}  // namespace
}  // namespace pasidtrace::test
