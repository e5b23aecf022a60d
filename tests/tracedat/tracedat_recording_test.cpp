// SPDX-License-Identifier: GPL-2.0-only
// Real trace.dat files recorded here, while known processes and threads
// start, exec and exit: the reader must see exactly those, with the right
// pids and comms, and `analyze` must report no finding. Needs root and
// tracefs; reports SKIPPED with the reason elsewhere.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "../cli/cli_runner.hpp"
#include "tracedat_expectations.hpp"

namespace pasidtrace::tracedat_test {
namespace {

TEST(TraceDatRecording, SeesExactlyTheScenariosForksExecsExitsAndMmFrees) {
    if (auto why = recording_unavailable(); !why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
    test::TempDir dir;
    const auto path = dir.path() / "processes.dat";
    ProcessTruth truth;
    const std::string err = record_process_scenario(path, truth);
    ASSERT_TRUE(err.empty()) << err;
    expect_process_events(read_all(path.string()), truth);
    expect_clean_analysis(path.string());
}

TEST(TraceDatRecording, ConvertWritesTheScenarioAsJsonLines) {
    if (auto why = recording_unavailable(); !why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
    test::TempDir dir;
    const auto path = dir.path() / "processes.dat";
    ProcessTruth truth;
    const std::string err = record_process_scenario(path, truth);
    ASSERT_TRUE(err.empty()) << err;
    auto r = test::run_cli({"convert", path.string(), "--to", "jsonl"});
    ASSERT_EQ(r.rc, 0) << r.err;
    std::istringstream lines(r.out);
    std::string line;
    ASSERT_TRUE(std::getline(lines, line));
    auto header = nlohmann::json::parse(line);
    EXPECT_EQ(header["type"], "header");
    EXPECT_EQ(header["mmdrop_probe"], "exit");
    bool thread_fork = false, worker_exit = false;
    while (std::getline(lines, line)) {
        auto e = nlohmann::json::parse(line);
        if (e["type"] == "fork" && e["child_tid"] == truth.t) thread_fork = e["child_pid"] == truth.s;
        if (e["type"] == "exit" && e["tid"] == truth.t) worker_exit = e["comm"] == "pt-worker" && !e["group_dead"];
    }
    EXPECT_TRUE(thread_fork);
    EXPECT_TRUE(worker_exit);
}

// The recipe's kprobe events, recreated as uprobes on stand-in functions
// (this kernel has no kprobes): the same group, names, fetch arguments and
// field types, written by the kernel's probe machinery into a real file.
TEST(TraceDatRecording, ReadsTheRecipesProbeEventsAndFindsTheEarlyFree) {
    if (auto why = recording_unavailable(); !why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
    test::TempDir dir;
    const auto path = dir.path() / "sva.dat";
    SvaTruth truth;
    const std::string err = record_sva_scenario(path, truth);
    ASSERT_TRUE(err.empty()) << err;
    expect_sva_events(read_all(path.string()), truth);
    expect_sva_analysis(path.string(), truth);
}

// The documented workflow where `trace-cmd record` cannot enable ftrace:
// ftrace-recipe --apply, tracing_on, trace-cmd extract, analyze.
TEST(TraceDatRecording, AppliedRecipeRecordsTheScenario) {
    if (auto why = recording_unavailable(); !why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
    const std::string instance = "pasidtrace-test-apply-" + std::to_string(::getpid());
    const std::string base = "/sys/kernel/tracing/instances/" + instance;
    auto applied = test::run_cli({"ftrace-recipe", "--apply", "--instance", instance});
    ASSERT_EQ(applied.rc, 0) << applied.err;
    EXPECT_NE(applied.out.find("echo 1 > " + base + "/tracing_on"), std::string::npos) << applied.out;
    EXPECT_NE(applied.out.find("trace-cmd extract -B " + instance), std::string::npos) << applied.out;

    std::ofstream(base + "/tracing_on") << "1\n";
    ProcessTruth truth = run_process_scenario();
    ::usleep(50 * 1000);
    std::ofstream(base + "/tracing_on") << "0\n";
    test::TempDir dir;
    const auto path = dir.path() / "trace.dat";
    // As the docs say, with /proc/kallsyms hidden (see TraceInstance::extract).
    const std::string extract = "trace-cmd extract -B " + instance + " -o " + path.string() + " >/dev/null 2>&1";
    const int rc = std::system(with_kallsyms_hidden(extract).c_str());
    ::rmdir(base.c_str());  // gone already when extract worked
    ASSERT_EQ(rc, 0);
    expect_process_events(read_all(path.string()), truth);
    expect_clean_analysis(path.string());
}

// Re-records the fixtures of samples/tracedat (README there). Run by hand:
//   build/tests/test_tracedat --gtest_also_run_disabled_tests --gtest_filter='*RecordFixtures*'
TEST(TraceDatRecording, DISABLED_RecordFixtures) {
    if (auto why = recording_unavailable(); !why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
    ProcessTruth processes;
    const std::string err = record_process_scenario(fixture("processes.dat"), processes);
    ASSERT_TRUE(err.empty()) << err;
    write_truth(fixture("processes.truth.json"), processes);
    SvaTruth sva;
    const std::string err2 = record_sva_scenario(fixture("sva-probes.dat"), sva);
    ASSERT_TRUE(err2.empty()) << err2;
    write_truth(fixture("sva-probes.truth.json"), sva);
}

}  // namespace
}  // namespace pasidtrace::tracedat_test
