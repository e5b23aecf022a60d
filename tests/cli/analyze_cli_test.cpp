// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace analyze` as users and CI call it: exit codes, stdout/stderr,
// -o written all or nothing, stdin, several inputs, colour.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace pasidtrace::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kHeader = R"({"type":"header","format":"pasidtrace-events","version":1,"kernel":"6.8.0"})" "\n";
// Freed while bound: one error.
const std::string kEarlyFree = kHeader +
    R"({"ts":1000,"type":"bind","pid":700,"tid":700,"comm":"dsa_app","mm":"0xffff888104a3c000","dev":"0000:6a:01.0","pasid":3,"handle":"0xffff88810badc000","ret":0})" "\n"
    R"({"ts":5000,"type":"pasid_free","pid":700,"tid":700,"pasid":3})" "\n";
// An unbind of nothing: one warning.
const std::string kWarningOnly = kHeader + R"({"ts":10,"type":"unbind","handle":"0xffff88810badc000"})" "\n";
const std::string kClean = kHeader + R"({"ts":10,"type":"mmput","mm":"A"})" "\n";
const std::string kBad = kHeader + "# comment\n" R"({"ts":10,"type":"pasid_msr","tid":1,"pasid":2000000})" "\n";

TEST(AnalyzeCli, ExitStatusFollowsFailOn) {
    TempDir d;
    auto early = d.write("early.jsonl", kEarlyFree).string();
    auto warn = d.write("warn.jsonl", kWarningOnly).string();
    auto clean = d.write("clean.jsonl", kClean).string();
    EXPECT_EQ(run_cli({"analyze", early}).rc, 1);
    EXPECT_EQ(run_cli({"analyze", "--fail-on", "never", early}).rc, 0);
    EXPECT_EQ(run_cli({"analyze", warn}).rc, 0);
    EXPECT_EQ(run_cli({"analyze", "--fail-on", "warning", warn}).rc, 1);
    EXPECT_EQ(run_cli({"analyze", "--fail-on", "warning", clean}).rc, 0);
}

TEST(AnalyzeCli, InputErrorPrintsOneLineOnStderrAndNothingOnStdout) {
    TempDir d;
    auto bad = d.write("bad.jsonl", kBad).string();
    auto r = run_cli({"analyze", bad});
    EXPECT_EQ(r.rc, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "pasidtrace: " + bad + ":3: field \"pasid\": 2000000 is out of range 1..1048575\n");
}

TEST(AnalyzeCli, ErrorInALaterFileLeavesOutputUntouched) {
    TempDir d;
    auto good = d.write("good.jsonl", kEarlyFree).string();
    auto bad = d.write("bad.jsonl", kBad).string();
    auto out = d.path() / "report.json";
    d.write("report.json", "previous");
    auto r = run_cli({"analyze", "--format", "json", "-o", out.string(), good, bad});
    EXPECT_EQ(r.rc, 2);
    EXPECT_EQ(slurp(out), "previous");
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(d.path())) ++files;
    EXPECT_EQ(files, 3u) << "a temporary file was left behind";
}

TEST(AnalyzeCli, OutputFileHoldsTheReport) {
    TempDir d;
    auto early = d.write("early.jsonl", kEarlyFree).string();
    auto out = d.path() / "r.json";
    auto r = run_cli({"analyze", "--format", "json", "-o", out.string(), early});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.out, "");
    auto j = nlohmann::json::parse(slurp(out));
    EXPECT_EQ(j["findings"][0]["rule"], "early-free-bound");
    EXPECT_EQ(j["input"]["path"], early);
}

TEST(AnalyzeCli, UnwritableOutputIsAnError) {
    TempDir d;
    auto early = d.write("early.jsonl", kEarlyFree).string();
    auto r = run_cli({"analyze", "-o", "/nonexistent-dir/r.txt", early});
    EXPECT_EQ(r.rc, 2);
    EXPECT_THAT(r.err, HasSubstr("/nonexistent-dir"));
}

TEST(AnalyzeCli, ReadsStandardInput) {
    auto r = run_cli({"analyze", "--format", "json", "-"}, kEarlyFree);
    EXPECT_EQ(r.rc, 1);
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["input"]["path"], "-");
    EXPECT_EQ(j["input"]["events"], 2);
}

TEST(AnalyzeCli, SeveralInputsGiveAJsonArray) {
    TempDir d;
    auto a = d.write("a.jsonl", kEarlyFree).string();
    auto b = d.write("b.jsonl", kClean).string();
    auto r = run_cli({"analyze", "--format", "json", a, b});
    EXPECT_EQ(r.rc, 1);
    auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["input"]["path"], a);
    EXPECT_EQ(j[1]["findings"].size(), 0u);
}

TEST(AnalyzeCli, KernelPointersOnlyWhenAsked) {
    TempDir d;
    auto early = d.write("early.jsonl", kEarlyFree).string();
    auto plain = run_cli({"analyze", "--format", "json", early});
    EXPECT_THAT(plain.out, Not(HasSubstr("0xffff888104a3c000")));
    EXPECT_THAT(plain.out, HasSubstr("\"mm#1\""));
    auto shown = run_cli({"analyze", "--format", "json", "--show-kernel-pointers", early});
    auto j = nlohmann::json::parse(shown.out);
    EXPECT_EQ(j["lifetimes"][0]["mm"], "mm#1");
    EXPECT_EQ(j["lifetimes"][0]["mm_id"], "0xffff888104a3c000");
    EXPECT_EQ(j["findings"][0]["mm_id"], "0xffff888104a3c000");
}

TEST(AnalyzeCli, ModelOptionOverridesTheHeader) {
    TempDir d;
    auto early = d.write("early.jsonl", kEarlyFree).string();
    auto j = nlohmann::json::parse(run_cli({"analyze", "--format", "json", "--model", "task-refcount", early}).out);
    EXPECT_EQ(j["model"], "task-refcount");
    auto old = d.write("old.jsonl", R"({"type":"header","kernel":"5.15.0"})" "\n");
    EXPECT_EQ(nlohmann::json::parse(run_cli({"analyze", "--format", "json", old.string()}).out)["model"],
              "task-refcount");
}

TEST(AnalyzeCli, TextReportExplainsFindingsWithoutColourWhenNotATerminal) {
    TempDir d;
    auto early = d.write("early.jsonl", kEarlyFree).string();
    auto r = run_cli({"analyze", early});
    EXPECT_THAT(r.out, HasSubstr("PASID  MM"));
    EXPECT_THAT(r.out, HasSubstr("error: early-free-bound"));
    EXPECT_THAT(r.out, HasSubstr("evidence:"));
    EXPECT_THAT(r.out, HasSubstr(early + ":2)"));
    EXPECT_THAT(r.out, HasSubstr("summary: 1 PASID(s) in 1 mm(s); 1 error(s)"));
    EXPECT_THAT(r.out, Not(HasSubstr("\033[")));
}

TEST(AnalyzeCli, UsageErrors) {
    EXPECT_EQ(run_cli({"analyze"}).rc, 2);
    EXPECT_EQ(run_cli({"analyze", "--format", "xml", "x"}).rc, 2);
    EXPECT_EQ(run_cli({"analyze", "--model", "bogus", "x"}).rc, 2);
    EXPECT_EQ(run_cli({"frobnicate"}).rc, 2);
    EXPECT_EQ(run_cli({}).rc, 2);
    auto missing = run_cli({"analyze", "/nonexistent.jsonl"});
    EXPECT_EQ(missing.rc, 2);
    EXPECT_EQ(missing.err, "pasidtrace: /nonexistent.jsonl: cannot open: No such file or directory\n");
}

TEST(AnalyzeCli, VersionAndHelp) {
    auto v = run_cli({"--version"});
    EXPECT_EQ(v.rc, 0);
    EXPECT_THAT(v.out, HasSubstr("pasidtrace "));
    auto h = run_cli({"analyze", "--help"});
    EXPECT_EQ(h.rc, 0);
    EXPECT_THAT(h.out, HasSubstr("Examples:"));
    EXPECT_THAT(h.out, HasSubstr("--reorder-window"));
}

TEST(AnalyzeCli, ReorderWindowChangesLateCounting) {
    // 1500 arrives after 2000 and 2500: inside the default 1 s window it is
    // put back in order; with a 100 ns window 2000 was already applied.
    TempDir d;
    auto f = d.write("o.jsonl", kHeader + R"({"ts":1000,"type":"mmput","mm":"A"})" "\n"
                                          R"({"ts":2000,"type":"mmput","mm":"B"})" "\n"
                                          R"({"ts":2500,"type":"mmput","mm":"D"})" "\n"
                                          R"({"ts":1500,"type":"mmput","mm":"C"})" "\n");
    auto def = nlohmann::json::parse(run_cli({"analyze", "--format", "json", f.string()}).out);
    EXPECT_EQ(def["input"]["late"], 0);
    auto narrow = nlohmann::json::parse(
        run_cli({"analyze", "--format", "json", "--reorder-window", "100", f.string()}).out);
    EXPECT_EQ(narrow["input"]["late"], 1);
}

}  // namespace
}  // namespace pasidtrace::test

namespace pasidtrace::test {
namespace {

// Colour needs a terminal: `script` (util-linux) runs the binary on a pty.
std::string run_on_terminal(const std::string& args, const std::string& env) {
    TempDir d;
    std::string inner = env + " " + shell_quote(PASIDTRACE_BINARY) + " " + args;
    std::string cmd = "script -qec " + shell_quote(inner) + " /dev/null >" + shell_quote((d.path() / "o").string());
    if (std::system(cmd.c_str()) == -1) return {};
    return slurp(d.path() / "o");
}

TEST(AnalyzeCli, ColourOnATerminalUnlessNoColor) {
    if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "SKIPPED: no `script` to make a pty";
    TempDir d;
    auto early = d.write("early.jsonl", kEarlyFree).string();
    EXPECT_THAT(run_on_terminal(shell_quote("analyze") + " " + shell_quote(early), "NO_COLOR="), HasSubstr("\033[31m"));
    auto plain = run_on_terminal(shell_quote("analyze") + " " + shell_quote(early), "NO_COLOR=1");
    EXPECT_THAT(plain, HasSubstr("early-free-bound"));
    EXPECT_THAT(plain, Not(HasSubstr("\033[")));
}

}  // namespace
}  // namespace pasidtrace::test
