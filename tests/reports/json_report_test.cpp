// SPDX-License-Identifier: GPL-2.0-only
// The JSON report's shape for cases the samples do not pin down: device-owned
// PASIDs, unchecked rules, uncertain findings, stacks on evidence.
#include <gtest/gtest.h>

#include "../core/event_builder.hpp"
#include "reports/json_report.hpp"
#include "reports/text_report.hpp"

namespace pasidtrace::test {
namespace {

nlohmann::ordered_json report_of(const core::AnalysisResult& r, const sources::StackTable* stacks = nullptr,
                                 bool pointers = false) {
    reports::ReportOptions o;
    o.show_kernel_pointers = pointers;
    return reports::json_report(reports::ReportInput{r, "t.jsonl", "jsonl", stacks}, o);
}

TEST(JsonReport, DeviceOwnedPasidHasNullMm) {
    auto j = report_of(run({alloc(10, 7), free_(20, 7)}), nullptr, true);
    ASSERT_EQ(j["lifetimes"].size(), 1u);
    EXPECT_TRUE(j["lifetimes"][0]["mm"].is_null());
    EXPECT_TRUE(j["lifetimes"][0]["mm_id"].is_null());
    EXPECT_EQ(j["lifetimes"][0]["state"], "freed");
    EXPECT_EQ(j["lifetimes"][0]["alloc_seen"], true);
    EXPECT_EQ(j["summary"]["mms"], 0);
    EXPECT_EQ(j["summary"]["pasids"], 1);
}

TEST(JsonReport, UncheckedRulesNameWhatIsMissing) {
    RunOptions o;
    o.observed = core::ObservedTypes::none();
    for (auto t : {EventType::bind, EventType::unbind, EventType::pasid_alloc, EventType::pasid_free})
        o.observed.add(t);
    auto j = report_of(run({bind(10, "A", 3, "h")}, o));
    bool leak_listed = false;
    for (const auto& u : j["unchecked"]) {
        EXPECT_FALSE(u["missing"].empty());
        if (u["rule"] == "pasid-leak") {
            leak_listed = true;
            EXPECT_EQ(u["missing"], nlohmann::ordered_json::array({"mmdrop"}));
        }
        EXPECT_NE(u["rule"], "events-lost");
    }
    EXPECT_TRUE(leak_listed);
}

TEST(JsonReport, FindingsAfterALossAreUncertainAndCounted) {
    auto j = report_of(run({bind(10, "A", 3, "h"), lost(15, 4), free_(20, 3)}));
    ASSERT_EQ(j["findings"].size(), 2u);
    EXPECT_EQ(j["findings"][0]["rule"], "events-lost");
    EXPECT_EQ(j["findings"][0]["uncertain"], false);
    EXPECT_TRUE(j["findings"][0]["pasid"].is_null());
    EXPECT_EQ(j["findings"][1]["rule"], "early-free-bound");
    EXPECT_EQ(j["findings"][1]["uncertain"], true);
    EXPECT_EQ(j["input"]["lost"], 4);
    EXPECT_EQ(j["summary"]["findings"]["error"], 1);
    EXPECT_EQ(j["summary"]["findings"]["warning"], 1);
}

class FakeStacks : public sources::StackTable {
public:
    std::vector<std::string> frames(std::uint32_t id) const override {
        if (id == 9) return {"mm_pasid_drop+0x2a", "__mmdrop+0x55"};
        return {};
    }
};

TEST(JsonReport, EvidenceCarriesSymbolizedStacks) {
    core::Event f = free_(20, 3);
    f.stack_id = 9;
    FakeStacks stacks;
    auto j = report_of(run({bind(10, "A", 3, "h"), f}), &stacks);
    const auto& ev = j["findings"][0]["evidence"];
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_FALSE(ev[0].contains("stack"));
    EXPECT_EQ(ev[1]["stack"][1], "__mmdrop+0x55");
    EXPECT_EQ(ev[1]["line"], 20);  // the builder numbers lines by ts

    std::ostringstream text;
    reports::write_text_report(text, reports::ReportInput{run({bind(10, "A", 3, "h"), f}), "t.jsonl", "jsonl", &stacks},
                               {});
    EXPECT_NE(text.str().find("mm_pasid_drop+0x2a"), std::string::npos);
}

TEST(JsonReport, IdentifiersKeepTheirJsonKind) {
    core::Event b = bind(10, "A", 3, "h");
    b.dev = core::Ident::number(17);
    auto j = report_of(run({b}));
    EXPECT_EQ(j["lifetimes"][0]["bindings"][0]["dev"], 17);
    EXPECT_TRUE(j["lifetimes"][0]["bindings"][0]["unbind_ts"].is_null());
    EXPECT_EQ(j["lifetimes"][0]["state"], "open");
}

}  // namespace
}  // namespace pasidtrace::test
