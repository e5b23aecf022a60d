// SPDX-License-Identifier: GPL-2.0-only
// JSON Lines written from a native recording, parsed back as data.
#include <sstream>

#include "native_test_util.hpp"
#include "sources/jsonl_writer.hpp"

namespace pasidtrace::sources {
namespace {

using nlohmann::json;
using testing::make_record;
using testing::ScratchDir;

std::vector<json> convert(const std::string& path) {
    auto src = std::get<std::unique_ptr<NativeSource>>(NativeSource::open(path));
    std::stringstream out;
    EXPECT_FALSE(write_jsonl(*src, out));
    std::vector<json> lines;
    std::string line;
    while (std::getline(out, line)) lines.push_back(json::parse(line));
    return lines;
}

TEST(JsonlWriter, HeaderLineCarriesTheRecordingsHeader) {
    ScratchDir dir;
    testing::write_recording(dir.file("r.ptr"), {});
    auto lines = convert(dir.file("r.ptr"));
    ASSERT_EQ(lines.size(), 1u);
    const json& h = lines[0];
    EXPECT_EQ(h["type"], "header");
    EXPECT_EQ(h["format"], "pasidtrace-events");
    EXPECT_EQ(h["version"], 1);
    EXPECT_EQ(h["kernel"], "6.8.0-31-generic");
    EXPECT_EQ(h["hostname"], "testhost");
    EXPECT_EQ(h["clock"], "monotonic");
    EXPECT_EQ(h["mmdrop_probe"], "entry");
    EXPECT_EQ(h["observed"], json({"pasid_free", "bind", "unbind", "mmdrop"}));  // in type order
    EXPECT_EQ(h["boot_id"], "0b3c1a7e-8f7d-4c2e-9a51-3d2f6c0e9b11");
    EXPECT_EQ(h["recorder"], "test");
    EXPECT_EQ(h["hooks"][2]["status"], "unavailable: no tracepoint");
}

TEST(JsonlWriter, EventsHoldOnlyTheirFieldsInContractForm) {
    ScratchDir dir;
    pt_event bind = make_record(PT_EV_BIND, 1000, PT_F_HAS_MM | PT_F_HAS_DEV | PT_F_HAS_PASID | PT_F_HAS_HANDLE);
    bind.mm = 0xffff888104a3c000;
    bind.handle = 0xffff88810badc000;
    bind.pasid = 3;
    std::strncpy(bind.dev, "0000:6a:01.0", sizeof bind.dev);
    pt_event failed = make_record(PT_EV_BIND, 1500, PT_F_HAS_MM | PT_F_HAS_DEV | PT_F_HAS_PASID);
    failed.mm = 0xffff888104a3c000;
    failed.ret = -12;
    std::strncpy(failed.dev, "0000:6a:01.0", sizeof failed.dev);
    pt_event exit = make_record(PT_EV_EXIT, 2000, PT_F_HAS_MM);
    exit.mm = 0xffff888104a3c000;
    pt_event lost = make_record(PT_EV_LOST, 3000);
    lost.addr = 12;
    pt_event bad_comm = make_record(PT_EV_MMDROP, 4000, PT_F_HAS_MM);
    bad_comm.mm = 0x10;
    bad_comm.comm[0] = '\xff';  // not UTF-8: replaced, never fatal
    testing::write_recording(dir.file("r.ptr"), {{bind, failed, exit, lost, bad_comm}});

    auto lines = convert(dir.file("r.ptr"));
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[1], json::parse(R"({"ts":1000,"type":"bind","cpu":3,"pid":700,"tid":701,"comm":"dsa_app",
        "dev":"0000:6a:01.0","mm":"0xffff888104a3c000","pasid":3,"handle":"0xffff88810badc000","ret":0})"));
    EXPECT_EQ(lines[2], json::parse(R"({"ts":1500,"type":"bind","cpu":3,"pid":700,"tid":701,"comm":"dsa_app",
        "dev":"0000:6a:01.0","mm":"0xffff888104a3c000","ret":-12})"));
    EXPECT_EQ(lines[3], json::parse(R"({"ts":2000,"type":"exit","cpu":3,"pid":700,"tid":701,"comm":"dsa_app",
        "mm":"0xffff888104a3c000","group_dead":false})"));
    EXPECT_EQ(lines[4], json::parse(R"({"ts":3000,"type":"lost","cpu":3,"pid":700,"tid":701,"comm":"dsa_app",
        "count":12})"));
    EXPECT_EQ(lines[5]["comm"], "\xEF\xBF\xBD" "sa_app");
    EXPECT_EQ(lines[5]["mm"], "0x10");
}

TEST(JsonlWriter, NumbersAndTextIdentifiersKeepTheirKind) {
    core::Event e;
    e.type = core::EventType::unbind;
    e.ts = 5;
    e.handle = core::Ident::number(16);
    e.dev = core::Ident::text("dsa0");
    e.mm = core::Ident::text("mmA");
    EXPECT_EQ(json::parse(event_to_jsonl(e).dump()), json::parse(R"({"ts":5,"type":"unbind","handle":16,"dev":"dsa0","mm":"mmA"})"));
}

TEST(JsonlWriter, HeaderWithoutKnownFieldsIsMinimal) {
    core::TraceHeader h;
    EXPECT_EQ(json::parse(header_to_jsonl(h).dump()), json::parse(R"({"type":"header","format":"pasidtrace-events","version":1})"));
    h.extra = {{"type", "spoofed"}, {"note", "kept"}};
    json j = json::parse(header_to_jsonl(h).dump());
    EXPECT_EQ(j["type"], "header");
    EXPECT_EQ(j["note"], "kept");
}

TEST(JsonlWriter, SourceErrorStopsTheStream) {
    ScratchDir dir;
    testing::write_recording(dir.file("r.ptr"),
                             {{make_record(PT_EV_MMPUT, 1, PT_F_HAS_MM), make_record(PT_EV_MMDROP, 2)}});
    auto src = std::get<std::unique_ptr<NativeSource>>(NativeSource::open(dir.file("r.ptr")));
    std::stringstream out;
    auto err = write_jsonl(*src, out);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->field, "mm");
    EXPECT_EQ(err->line, 2u);
}

}  // namespace
}  // namespace pasidtrace::sources
