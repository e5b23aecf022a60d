// SPDX-License-Identifier: GPL-2.0-only
// Every sample under samples/ against its checked-in expected report
// (samples/expected/<same path>.json), through the same pipeline and JSON
// report as `pasidtrace analyze --format json samples/<file>`.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "app/analysis_pipeline.hpp"
#include "reports/json_report.hpp"
#include "sources/source_factory.hpp"

namespace pasidtrace::test {
namespace {

namespace fs = std::filesystem;
const fs::path kSourceDir = PASIDTRACE_SOURCE_DIR;

// Sample paths relative to the repository, as the reports name them.
std::vector<std::string> sample_paths() {
    std::vector<std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(kSourceDir / "samples")) {
        const fs::path& p = entry.path();
        if (p.extension() == ".jsonl" && p.filename() != "bad.jsonl")
            out.push_back(fs::relative(p, kSourceDir).generic_string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

fs::path expected_path(const std::string& sample) {
    fs::path rel = fs::path(sample).lexically_relative("samples");
    return kSourceDir / "samples" / "expected" / rel.replace_extension(".json");
}

nlohmann::ordered_json analyze(const std::string& sample) {
    auto opened = sources::open_source((kSourceDir / sample).string());
    if (auto* err = std::get_if<core::InputError>(&opened)) throw std::runtime_error(err->to_string());
    auto& source = *std::get<std::unique_ptr<sources::EventSource>>(opened);
    auto result = app::run_analysis(source, sample, app::PipelineOptions{});
    if (auto* err = std::get_if<core::InputError>(&result)) throw std::runtime_error(err->to_string());
    const auto& out = std::get<app::PipelineOutput>(result);
    return reports::json_report(reports::ReportInput{out.result, sample, out.input_format, nullptr}, {});
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, ReportMatchesExpected) {
    const std::string sample = GetParam();
    std::ifstream in(expected_path(sample));
    ASSERT_TRUE(in) << "no expected report " << expected_path(sample)
                    << "; make one with: build/pasidtrace analyze --format json " << sample;
    auto expected = nlohmann::ordered_json::parse(in);
    auto actual = analyze(sample);
    // Compare the text so that key order counts too; show the first diff.
    EXPECT_EQ(actual.dump(2), expected.dump(2)) << "diff: " << nlohmann::json::diff(expected, actual).dump();
}

std::string test_name(const ::testing::TestParamInfo<std::string>& p) {
    std::string name;
    for (char c : p.param.substr(std::string("samples/").size()))
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Samples, Golden, ::testing::ValuesIn(sample_paths()), test_name);

TEST(Samples, EveryExpectedReportHasItsSample) {
    for (const auto& entry : fs::recursive_directory_iterator(kSourceDir / "samples" / "expected")) {
        if (entry.path().extension() != ".json") continue;
        fs::path rel = entry.path().lexically_relative(kSourceDir / "samples" / "expected");
        EXPECT_TRUE(fs::exists(kSourceDir / "samples" / rel.replace_extension(".jsonl"))) << entry.path();
    }
}

TEST(Samples, DemoShowsALeakAndAnEarlyFree) {
    auto report = analyze("samples/demo-leak-and-early-free.jsonl");
    std::set<std::string> rules;
    for (const auto& f : report["findings"]) rules.insert(f["rule"].get<std::string>());
    EXPECT_TRUE(rules.count("pasid-leak"));
    EXPECT_TRUE(rules.count("early-free-bound") || rules.count("early-free-task") ||
                rules.count("early-free-mm-live"));
}

TEST(Samples, EveryRuleHasAPositiveSample) {
    for (const auto& rule : core::all_rules()) {
        std::string sample = "samples/rules/" + std::string(rule.name) + ".jsonl";
        ASSERT_TRUE(fs::exists(kSourceDir / sample)) << sample;
        auto report = analyze(sample);
        bool found = false;
        for (const auto& f : report["findings"]) found = found || f["rule"] == rule.name;
        EXPECT_TRUE(found) << sample << " does not fire " << rule.name;
    }
}

TEST(Samples, BadSampleFailsOnLineSeven) {
    auto opened = sources::open_source((kSourceDir / "samples/bad.jsonl").string());
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<sources::EventSource>>(opened));
    auto& source = *std::get<std::unique_ptr<sources::EventSource>>(opened);
    auto result = app::run_analysis(source, "samples/bad.jsonl", app::PipelineOptions{});
    ASSERT_TRUE(std::holds_alternative<core::InputError>(result));
    core::InputError err = std::get<core::InputError>(result);
    err.file = "samples/bad.jsonl";
    EXPECT_EQ(err.to_string(), "samples/bad.jsonl:7: field \"pasid\": 2000000 is out of range 1..1048575");
}

}  // namespace
}  // namespace pasidtrace::test
