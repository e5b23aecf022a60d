// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace live`: a finding is printed while tracing goes on, and the
// full report follows on SIGINT with analyze's exit statuses. On this
// machine no PASID ever appears, so the finding provoked is events-lost:
// the consumer is stopped (SIGSTOP) while a fork storm fills a one-page
// ring buffer.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "../cli/cli_runner.hpp"
#include "live_test_util.hpp"

namespace pasidtrace::test {
namespace {

// Polls `path` until it holds `text` or `timeout` passes.
bool wait_for_text(const std::filesystem::path& path, const std::string& text, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        if (slurp(path).find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

TEST(live_command, PrintsAFindingWhileTracingThenTheReportOnSigint) {
    REQUIRE_LIVE();
    TempDir tmp;
    const auto out = tmp.path() / "stdout";
    BackgroundCommand live(
        "live", {"--all-mm", "--buffer", "4096", "--reorder-window", "1000000", "--fail-on", "warning"}, out.string());
    ASSERT_TRUE(live.wait_ready()) << live.stderr_text();
    live.signal(SIGSTOP);  // nobody reads the ring buffer now
    fork_storm(100);
    live.signal(SIGCONT);
    fork_storm(5);  // later events move the reorder window past the loss
    ASSERT_TRUE(wait_for_text(out, "[live] warning: events-lost", std::chrono::seconds(5)))
        << "no finding printed while tracing: " << slurp(out) << live.stderr_text();
    EXPECT_EQ(slurp(out).find("summary:"), std::string::npos) << "the report came before the stop";
    const int rc = live.stop(SIGINT);
    const std::string text = slurp(out);
    EXPECT_EQ(rc, 1) << "fail-on warning with events-lost: " << live.stderr_text();
    const auto finding_at = text.find("[live] warning: events-lost");
    const auto report_at = text.find("pasidtrace: live (live, model mm)");
    ASSERT_NE(report_at, std::string::npos) << text;
    EXPECT_LT(finding_at, report_at);
    EXPECT_NE(text.find("events-lost", report_at), std::string::npos) << "the report repeats the finding";
    EXPECT_NE(text.find("Not checked", report_at), std::string::npos) << "unobserved PASID hooks make rules unchecked";
}

TEST(live_command, JsonReportWithDurationAndNoFindingsExitsZero) {
    REQUIRE_LIVE();
    TempDir tmp;
    const auto out = tmp.path() / "stdout";
    BackgroundCommand live("live", {"--all-mm", "--duration", "1", "--format", "json"}, out.string());
    ASSERT_TRUE(live.wait_ready()) << live.stderr_text();
    fork_storm(3);  // something to record on a quiet machine
    ASSERT_EQ(live.wait_exit(), 0) << live.stderr_text();
    auto j = nlohmann::json::parse(slurp(out));
    EXPECT_EQ(j["input"]["format"], "live");
    EXPECT_EQ(j["model"], "mm");
    EXPECT_GT(j["input"]["events"].get<std::uint64_t>(), 0u);
    bool bind_rule_unchecked = false;
    for (const auto& u : j["unchecked"])
        if (u["rule"] == "unbalanced-unbind") bind_rule_unchecked = true;
    EXPECT_EQ(bind_rule_unchecked, !live::run_check().hooks[PT_HOOK_BIND].attached());
}

}  // namespace
}  // namespace pasidtrace::test
