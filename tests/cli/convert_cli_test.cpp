// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace convert`: JSON Lines out that reads back to the same analysis.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace pasidtrace::test {
namespace {

using ::testing::HasSubstr;

const std::string kTrace =
    R"({"type":"header","format":"pasidtrace-events","version":1,"kernel":"6.8.0","mmdrop_probe":"exit","observed":["bind","unbind","pasid_free","mmdrop"]})" "\n"
    "# a comment\n"
    R"({"ts":1000,"type":"bind","pid":700,"tid":700,"comm":"dsa_app","mm":"0xffff888104a3c000","dev":"0000:6a:01.0","pasid":3,"handle":"0xffff88810badc000","ret":0})" "\n"
    R"({"ts":5000,"type":"pasid_free","pid":700,"tid":700,"pasid":3})" "\n"
    R"({"ts":6000,"type":"some_future_type"})" "\n";

TEST(ConvertCli, RoundTripKeepsTheAnalysis) {
    TempDir d;
    auto in = d.write("in.jsonl", kTrace).string();
    auto out = (d.path() / "out.jsonl").string();
    auto conv = run_cli({"convert", in, "--to", "jsonl", "-o", out});
    ASSERT_EQ(conv.rc, 0) << conv.err;
    auto header = nlohmann::json::parse(slurp(out).substr(0, slurp(out).find('\n')));
    EXPECT_EQ(header["type"], "header");
    EXPECT_EQ(header["mmdrop_probe"], "exit");
    EXPECT_EQ(header["observed"].size(), 4u);

    auto a = nlohmann::json::parse(run_cli({"analyze", "--format", "json", in}).out);
    auto b = nlohmann::json::parse(run_cli({"analyze", "--format", "json", out}).out);
    EXPECT_EQ(a["findings"].size(), 1u);
    EXPECT_EQ(a["findings"][0]["message"], b["findings"][0]["message"]);
    EXPECT_EQ(a["lifetimes"], b["lifetimes"]);
    EXPECT_EQ(a["unchecked"], b["unchecked"]);
}

TEST(ConvertCli, ToStdoutAndErrors) {
    TempDir d;
    auto in = d.write("in.jsonl", kTrace).string();
    auto r = run_cli({"convert", in});
    EXPECT_EQ(r.rc, 0);
    EXPECT_THAT(r.out, HasSubstr(R"("type":"pasid_free")"));
    auto bad = d.write("bad.jsonl", R"({"ts":1,"type":"iopf"})" "\n").string();
    auto out = (d.path() / "never.jsonl");
    auto e = run_cli({"convert", bad, "-o", out.string()});
    EXPECT_EQ(e.rc, 2);
    EXPECT_EQ(e.err, "pasidtrace: " + bad + ":1: field \"pasid\": missing (required by iopf)\n");
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_EQ(run_cli({"convert", in, "--to", "csv"}).rc, 2);
}

}  // namespace
}  // namespace pasidtrace::test
