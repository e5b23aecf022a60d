// SPDX-License-Identifier: GPL-2.0-only
// The JSON Lines reader: header handling, identifiers, and every input error
// path with the exact "file:line: field" message the user sees.
#include <sstream>

#include <gtest/gtest.h>

#include "sources/jsonl_source.hpp"
#include "sources/source_factory.hpp"

namespace pasidtrace::sources {
namespace {

struct ReadAll {
    std::vector<core::Event> events;
    std::optional<core::InputError> error;
    core::TraceHeader header;
    std::uint64_t skipped = 0;
};

ReadAll read_text(const std::string& text) {
    ReadAll r;
    core::InputError err;
    auto src = JsonlSource::open(std::make_unique<std::istringstream>(text), "t.jsonl", err);
    if (!src) {
        r.error = err;
        return r;
    }
    r.header = src->header();
    core::Event e;
    for (;;) {
        auto st = src->next(e);
        if (st == ReadStatus::end) break;
        if (st == ReadStatus::error) {
            r.error = src->error();
            break;
        }
        r.events.push_back(e);
    }
    r.skipped = src->counters().skipped;
    return r;
}

std::string error_of(const std::string& text) {
    auto r = read_text(text);
    return r.error ? r.error->to_string() : "no error";
}

TEST(JsonlSource, ReadsHeaderAndEvents) {
    auto r = read_text(
        R"({"type":"header","format":"pasidtrace-events","version":1,"kernel":"6.8.0","hostname":"h","clock":"mono","mmdrop_probe":"exit","observed":["bind","unbind","no_such_type"],"extra":7})"
        "\n"
        R"({"ts":1000,"type":"bind","pid":700,"tid":701,"cpu":3,"comm":"dsa_app","mm":"0xffff888104a3c000","dev":"0000:6a:01.0","pasid":3,"handle":42,"ret":0})"
        "\n");
    ASSERT_FALSE(r.error) << r.error->to_string();
    EXPECT_EQ(r.header.format, "jsonl");
    EXPECT_EQ(r.header.kernel, "6.8.0");
    EXPECT_EQ(r.header.hostname, "h");
    EXPECT_EQ(r.header.mmdrop_probe, core::MmdropProbe::exit);
    EXPECT_TRUE(r.header.has_observed_list);
    EXPECT_TRUE(r.header.observed.has(core::EventType::bind));
    EXPECT_FALSE(r.header.observed.has(core::EventType::mmdrop));
    EXPECT_EQ(r.header.extra["extra"], 7);
    ASSERT_EQ(r.events.size(), 1u);
    const auto& e = r.events[0];
    EXPECT_EQ(e.type, core::EventType::bind);
    EXPECT_EQ(e.ts, 1000u);
    EXPECT_EQ(e.pid, 700u);
    EXPECT_EQ(e.tid, 701u);
    EXPECT_EQ(e.cpu, 3u);
    EXPECT_EQ(e.comm, "dsa_app");
    EXPECT_EQ(e.mm, core::Ident::text("0xffff888104a3c000"));
    EXPECT_EQ(e.handle, core::Ident::number(42));
    EXPECT_EQ(e.pasid, 3u);
    EXPECT_EQ(e.pos.line, 2u);
}

TEST(JsonlSource, WithoutObservedEveryTypeCounts) {
    auto r = read_text(R"({"type":"header","version":1})" "\n");
    ASSERT_FALSE(r.error);
    EXPECT_FALSE(r.header.has_observed_list);
    EXPECT_TRUE(r.header.observed.has(core::EventType::mmdrop));
}

TEST(JsonlSource, HeaderIsFirstNonBlankNonCommentLine) {
    auto r = read_text("\n   # comment\n  \t\n" R"({"type":"header","kernel":"5.15.0"})" "\n"
                       R"({"type":"header","kernel":"6.8.0"})" "\n");
    ASSERT_FALSE(r.error);
    EXPECT_EQ(r.header.kernel, "5.15.0");
    EXPECT_EQ(r.skipped, 1u);  // a later header is an unknown type
    EXPECT_TRUE(r.events.empty());
}

TEST(JsonlSource, NoHeaderFirstLineIsAnEvent) {
    auto r = read_text("# c\n" R"({"ts":5,"type":"mmdrop","mm":"A"})" "\n");
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].pos.line, 2u);
    EXPECT_FALSE(r.header.kernel);
}

TEST(JsonlSource, UnknownTypesAndFieldsAreSkippedOrIgnored) {
    auto r = read_text(R"({"type":"sched_switch"})" "\n"
                       R"({"type":"mmput","ts":1,"mm":"A","colour":"blue"})" "\r\n");
    ASSERT_FALSE(r.error) << r.error->to_string();
    EXPECT_EQ(r.skipped, 1u);
    ASSERT_EQ(r.events.size(), 1u);
}

TEST(JsonlSource, IdentifiersKeepJsonEquality) {
    auto r = read_text(R"({"ts":1,"type":"mmput","mm":"0x10"})" "\n" R"({"ts":2,"type":"mmput","mm":16})" "\n"
                       R"({"ts":3,"type":"mmput","mm":"0x0010"})" "\n" R"({"ts":4,"type":"mmput","mm":"0X10"})" "\n");
    ASSERT_EQ(r.events.size(), 4u);
    EXPECT_NE(r.events[0].mm, r.events[1].mm);
    EXPECT_NE(r.events[0].mm, r.events[2].mm);
    EXPECT_NE(r.events[0].mm, r.events[3].mm);
    EXPECT_NE(r.events[2].mm, r.events[3].mm);
}

TEST(JsonlSource, NullMeansAbsentAndBindPasidSentinels) {
    auto r = read_text(R"({"ts":1,"type":"bind","mm":"A","dev":"d","ret":-19,"pasid":4294967295,"handle":null})" "\n"
                       R"({"ts":2,"type":"unbind","dev":"d","mm":"A","pasid":0})" "\n"
                       R"({"ts":3,"type":"exit","tid":5,"group_dead":true,"mm":null})" "\n");
    ASSERT_FALSE(r.error) << r.error->to_string();
    ASSERT_EQ(r.events.size(), 3u);
    EXPECT_FALSE(r.events[0].pasid);
    EXPECT_FALSE(r.events[0].handle);
    EXPECT_EQ(r.events[0].ret, -19);
    EXPECT_FALSE(r.events[1].pasid);
    EXPECT_FALSE(r.events[2].mm);
    EXPECT_TRUE(r.events[2].group_dead);
}

TEST(JsonlSource, ExecWithoutTidIsAccepted) {
    auto r = read_text(R"({"ts":1,"type":"exec","mm":"B"})" "\n");
    ASSERT_FALSE(r.error);
    EXPECT_FALSE(r.events.at(0).tid);
}

TEST(JsonlSource, IopfAddressAsNumberOrHexString) {
    auto r = read_text(R"({"ts":1,"type":"iopf","pasid":3,"addr":"0x7f00dead000"})" "\n"
                       R"({"ts":2,"type":"iopf","pasid":3,"addr":4096})" "\n");
    ASSERT_FALSE(r.error);
    EXPECT_EQ(r.events[0].addr, 0x7f00dead000u);
    EXPECT_EQ(r.events[1].addr, 4096u);
}

// One row per error path: input, then the message exactly as printed.
struct ErrorCase {
    const char* name;
    const char* input;
    const char* message;
};

class JsonlErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(JsonlErrors, NamesFileLineAndField) { EXPECT_EQ(error_of(GetParam().input), GetParam().message); }

const ErrorCase kErrorCases[] = {
    {"InvalidJson", "# x\n{\"ts\":1,", "t.jsonl:2: invalid JSON at column 9: syntax error while parsing object key - unexpected end of input; expected string literal"},
    {"NotAnObject", "[1,2]", "t.jsonl:1: expected a JSON object, got [1,2]"},
    {"MissingType", R"({"ts":1})", "t.jsonl:1: field \"type\": missing"},
    {"TypeNotString", R"({"ts":1,"type":5})", "t.jsonl:1: field \"type\": expected a string, got 5"},
    {"MissingTs", R"({"type":"mmput","mm":"A"})", "t.jsonl:1: field \"ts\": missing (required by mmput)"},
    {"NegativeTs", R"({"ts":-1,"type":"mmput","mm":"A"})", "t.jsonl:1: field \"ts\": -1 is out of range 0..18446744073709551615"},
    {"FloatTs", R"({"ts":1.5,"type":"mmput","mm":"A"})", "t.jsonl:1: field \"ts\": expected an integer >= 0, got 1.5"},
    {"BoolTid", R"({"ts":1,"type":"exit","tid":true,"group_dead":false})", "t.jsonl:1: field \"tid\": expected an integer >= 0, got true"},
    {"TidTooLarge", R"({"ts":1,"type":"exit","tid":4294967296,"group_dead":false})", "t.jsonl:1: field \"tid\": 4294967296 is out of range 0..4294967295"},
    {"PasidOutOfRange", R"({"ts":1,"type":"pasid_msr","tid":1,"pasid":2000000})", "t.jsonl:1: field \"pasid\": 2000000 is out of range 1..1048575"},
    {"PasidZeroRequired", R"({"ts":1,"type":"pasid_free","pasid":0})", "t.jsonl:1: field \"pasid\": 0 is out of range 1..1048575"},
    {"PasidInvalidRequired", R"({"ts":1,"type":"iopf","pasid":4294967295})", "t.jsonl:1: field \"pasid\": 4294967295 is out of range 1..1048575"},
    {"PasidString", R"({"ts":1,"type":"pasid_alloc","pasid":"3"})", "t.jsonl:1: field \"pasid\": expected an integer, got \"3\""},
    {"BindPasidOutOfRange", R"({"ts":1,"type":"bind","mm":"A","dev":"d","ret":0,"pasid":1048576})", "t.jsonl:1: field \"pasid\": 1048576 is out of range 1..1048575"},
    {"MissingPasid", R"({"ts":1,"type":"pasid_alloc"})", "t.jsonl:1: field \"pasid\": missing (required by pasid_alloc)"},
    {"MsrWithoutTid", R"({"ts":1,"type":"pasid_msr","pasid":3})", "t.jsonl:1: field \"tid\": missing (required by pasid_msr)"},
    {"ForkWithoutChild", R"({"ts":1,"type":"fork","tid":1,"child_pid":2})", "t.jsonl:1: field \"child_tid\": missing (required by fork)"},
    {"ExitWithoutGroupDead", R"({"ts":1,"type":"exit","tid":1})", "t.jsonl:1: field \"group_dead\": missing (required by exit)"},
    {"GroupDeadNotBool", R"({"ts":1,"type":"exit","tid":1,"group_dead":1})", "t.jsonl:1: field \"group_dead\": expected a boolean, got 1"},
    {"BindWithoutMm", R"({"ts":1,"type":"bind","dev":"d","ret":0})", "t.jsonl:1: field \"mm\": missing (required by bind)"},
    {"BindWithoutDev", R"({"ts":1,"type":"bind","mm":"A","ret":0})", "t.jsonl:1: field \"dev\": missing (required by bind)"},
    {"BindWithoutRet", R"({"ts":1,"type":"bind","mm":"A","dev":"d"})", "t.jsonl:1: field \"ret\": missing (required by bind)"},
    {"PositiveRet", R"({"ts":1,"type":"bind","mm":"A","dev":"d","ret":5})", "t.jsonl:1: field \"ret\": 5 is out of range: a bind returns 0 or a negative errno"},
    {"MmNegative", R"({"ts":1,"type":"mmdrop","mm":-4})", "t.jsonl:1: field \"mm\": expected a string or an unsigned integer, got -4"},
    {"MmObject", R"({"ts":1,"type":"mmput","mm":{"a":1}})", "t.jsonl:1: field \"mm\": expected a string or an unsigned integer, got {\"a\":1}"},
    {"DevBool", R"({"ts":1,"type":"iopf","pasid":3,"dev":false})", "t.jsonl:1: field \"dev\": expected a string or an unsigned integer, got false"},
    {"UnbindWithoutTarget", R"({"ts":1,"type":"unbind","dev":"d"})", "t.jsonl:1: field \"handle\": missing: an unbind needs \"handle\", or \"dev\" and \"mm\""},
    {"LostWithoutCount", R"({"ts":1,"type":"lost"})", "t.jsonl:1: field \"count\": missing (required by lost)"},
    {"CommNotString", R"({"ts":1,"type":"mmput","mm":"A","comm":7})", "t.jsonl:1: field \"comm\": expected a string, got 7"},
    {"BadAddr", R"({"ts":1,"type":"iopf","pasid":3,"addr":"zz"})", "t.jsonl:1: field \"addr\": expected an address (integer or \"0x...\"), got \"zz\""},
    {"ObservedNotList", R"({"type":"header","observed":"bind"})", "t.jsonl:1: field \"observed\": expected a list of strings, got \"bind\""},
    {"ObservedNotStrings", R"({"type":"header","observed":["bind",3]})", "t.jsonl:1: field \"observed\": expected a list of strings, found 3"},
    {"KernelNotString", R"({"type":"header","kernel":6})", "t.jsonl:1: field \"kernel\": expected a string, got 6"},
    {"NewerVersion", R"({"type":"header","version":2})", "t.jsonl:1: field \"version\": 2 is newer than this pasidtrace reads (1)"},
    {"ErrorOnLaterLine", "{\"ts\":1,\"type\":\"mmput\",\"mm\":\"A\"}\n\n# c\n{\"ts\":2,\"type\":\"mmput\"}\n", "t.jsonl:4: field \"mm\": missing (required by mmput)"},
};

INSTANTIATE_TEST_SUITE_P(All, JsonlErrors, ::testing::ValuesIn(kErrorCases),
                         [](const ::testing::TestParamInfo<ErrorCase>& p) { return std::string(p.param.name); });

TEST(JsonlSource, ReadsOneLineAtATime) {
    // A stream that is never exhausted up front: the reader must hand out the
    // first event before the rest exists, i.e. it does not slurp the input.
    std::string first = R"({"ts":1,"type":"mmput","mm":"A"})" "\n";
    auto in = std::make_unique<std::stringstream>();
    *in << first;
    auto* raw = in.get();
    core::InputError err;
    auto src = JsonlSource::open(std::move(in), "s", err);
    ASSERT_TRUE(src);
    core::Event e;
    ASSERT_EQ(src->next(e), ReadStatus::event);
    *raw << R"({"ts":2,"type":"mmput","mm":"B"})" "\n";
    raw->clear();
    ASSERT_EQ(src->next(e), ReadStatus::event);
    EXPECT_EQ(e.ts, 2u);
    EXPECT_EQ(src->next(e), ReadStatus::end);
}

TEST(SourceFactory, MissingFileAndDirectory) {
    auto r = open_source("/nonexistent/x.jsonl");
    ASSERT_TRUE(std::holds_alternative<core::InputError>(r));
    EXPECT_EQ(std::get<core::InputError>(r).to_string(), "/nonexistent/x.jsonl: cannot open: No such file or directory");
    auto d = open_source("/");
    ASSERT_TRUE(std::holds_alternative<core::InputError>(d));
    EXPECT_EQ(std::get<core::InputError>(d).to_string(), "/: is a directory");
}

}  // namespace
}  // namespace pasidtrace::sources
