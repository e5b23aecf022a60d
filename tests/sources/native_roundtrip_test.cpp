// SPDX-License-Identifier: GPL-2.0-only
// Writer -> reader: every event type with every flag it carries, the
// header, the trailer, and the file's mode.
#include <sys/stat.h>
#include <unistd.h>

#include "event_test_util.hpp"
#include "native_test_util.hpp"

namespace pasidtrace::sources {
namespace {

using core::EventType;
using core::Ident;
using testing::make_record;
using testing::read_all;
using testing::ScratchDir;
using testing::expect_same;

constexpr std::uint64_t kMm = 0xffff888104a3c000;
constexpr std::uint64_t kMm2 = 0xffff888104a3d000;
constexpr std::uint64_t kHandle = 0xffff88810badc000;

pt_event with_ids(pt_event r) {
    r.mm = kMm;
    r.mm2 = kMm2;
    r.handle = kHandle;
    std::strncpy(r.dev, "0000:6a:01.0", sizeof r.dev);
    return r;
}

// One record per type, flags as a recorder sets them.
std::vector<pt_event> every_type() {
    std::vector<pt_event> out;
    auto add = [&](std::uint32_t type, std::uint32_t flags, auto&& tweak) {
        pt_event r = with_ids(make_record(type, 1000 * (out.size() + 1), flags));
        tweak(r);
        out.push_back(r);
    };
    auto none = [](pt_event&) {};
    auto pasid3 = [](pt_event& r) { r.pasid = 3; };
    add(PT_EV_PASID_ALLOC, PT_F_HAS_MM | PT_F_HAS_PASID, pasid3);
    add(PT_EV_BIND, PT_F_HAS_MM | PT_F_HAS_DEV | PT_F_HAS_PASID | PT_F_HAS_HANDLE | PT_F_HAS_STACK, [](pt_event& r) {
        r.pasid = 3;
        r.stack_id = 17;
    });
    add(PT_EV_BIND, PT_F_HAS_MM | PT_F_HAS_DEV | PT_F_HAS_PASID, [](pt_event& r) {
        r.pasid = 0xFFFFFFFFu;  // failed bind: the kernel's invalid PASID means none
        r.ret = -19;
    });
    add(PT_EV_PASID_MSR, PT_F_HAS_MM | PT_F_HAS_PASID, pasid3);
    add(PT_EV_FORK, PT_F_HAS_MM | PT_F_HAS_MM2, [](pt_event& r) {
        r.child_pid = 800;
        r.child_tid = 801;
    });
    add(PT_EV_FORK, PT_F_HAS_MM | PT_F_CLONE_VM, [](pt_event& r) {
        r.child_pid = 700;
        r.child_tid = 702;
    });
    add(PT_EV_EXEC, PT_F_HAS_MM | PT_F_HAS_MM2, none);
    add(PT_EV_IOPF, PT_F_HAS_DEV | PT_F_HAS_PASID | PT_F_HAS_ADDR, [](pt_event& r) {
        r.pasid = 3;
        r.addr = 0x7f0000001000;
    });
    add(PT_EV_UNBIND, PT_F_HAS_HANDLE, none);
    add(PT_EV_EXIT, PT_F_HAS_MM | PT_F_GROUP_DEAD, none);
    add(PT_EV_EXIT, PT_F_HAS_MM, none);
    add(PT_EV_MMPUT, PT_F_HAS_MM, none);
    add(PT_EV_PASID_FREE, PT_F_HAS_PASID, pasid3);
    add(PT_EV_MMDROP, PT_F_HAS_MM, none);
    add(PT_EV_LOST, 0, [](pt_event& r) { r.addr = 42; });
    return out;
}

core::Event expected(EventType type, std::uint64_t ts) {
    core::Event e;
    e.type = type;
    e.ts = ts;
    e.cpu = 3;
    e.pid = 700;
    e.tid = 701;
    e.comm = "dsa_app";
    return e;
}

std::vector<core::Event> every_type_expected() {
    const Ident mm = Ident::address(kMm);
    const Ident mm2 = Ident::address(kMm2);
    const Ident handle = Ident::address(kHandle);
    const Ident dev = Ident::text("0000:6a:01.0");
    std::vector<core::Event> out;
    auto add = [&](EventType type, auto&& fill) {
        core::Event e = expected(type, 1000 * (out.size() + 1));
        fill(e);
        e.pos.line = out.size() + 1;
        out.push_back(e);
    };
    add(EventType::pasid_alloc, [&](core::Event& e) { e.mm = mm; e.pasid = 3; });
    add(EventType::bind, [&](core::Event& e) { e.mm = mm; e.dev = dev; e.pasid = 3; e.handle = handle; e.stack_id = 17; });
    add(EventType::bind, [&](core::Event& e) { e.mm = mm; e.dev = dev; e.ret = -19; });
    add(EventType::pasid_msr, [&](core::Event& e) { e.mm = mm; e.pasid = 3; });
    add(EventType::fork, [&](core::Event& e) { e.mm = mm; e.child_mm = mm2; e.child_pid = 800; e.child_tid = 801; });
    add(EventType::fork, [&](core::Event& e) { e.mm = mm; e.child_mm = mm; e.child_pid = 700; e.child_tid = 702; });
    add(EventType::exec, [&](core::Event& e) { e.mm = mm; e.old_mm = mm2; });
    add(EventType::iopf, [&](core::Event& e) { e.dev = dev; e.pasid = 3; e.addr = 0x7f0000001000; });
    add(EventType::unbind, [&](core::Event& e) { e.handle = handle; });
    add(EventType::exit, [&](core::Event& e) { e.mm = mm; e.group_dead = true; });
    add(EventType::exit, [&](core::Event& e) { e.mm = mm; });
    add(EventType::mmput, [&](core::Event& e) { e.mm = mm; });
    add(EventType::pasid_free, [&](core::Event& e) { e.pasid = 3; });
    add(EventType::mmdrop, [&](core::Event& e) { e.mm = mm; });
    add(EventType::lost, [&](core::Event& e) { e.count = 42; });
    return out;
}

TEST(NativeRoundTrip, EveryTypeAndFlag) {
    ScratchDir dir;
    const std::string path = dir.file("rec.ptr");
    testing::write_recording(path, {every_type()});
    auto got = read_all(path);
    ASSERT_FALSE(got.error) << got.error->to_string();
    EXPECT_EQ(got.warning, "");
    auto want = every_type_expected();
    ASSERT_EQ(got.events.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) expect_same(got.events[i], want[i]);
}

TEST(NativeRoundTrip, FieldsATypeDoesNotCarryAreNotRead) {
    ScratchDir dir;
    const std::string path = dir.file("rec.ptr");
    // A lost record's addr is its count, not an iopf address; mmput has no handle.
    testing::write_recording(path, {{with_ids(make_record(PT_EV_MMPUT, 5, PT_F_HAS_MM | PT_F_HAS_HANDLE |
                                                                           PT_F_HAS_DEV | PT_F_HAS_PASID))}});
    auto got = read_all(path);
    ASSERT_EQ(got.events.size(), 1u);
    EXPECT_TRUE(got.events[0].mm);
    EXPECT_FALSE(got.events[0].handle);
    EXPECT_FALSE(got.events[0].dev);
    EXPECT_FALSE(got.events[0].pasid);
}

TEST(NativeRoundTrip, ChunksOfManyRecordsAndRecordNumbers) {
    ScratchDir dir;
    const std::string path = dir.file("rec.ptr");
    std::string err;
    auto w = NativeWriter::create(path, testing::sample_header(), err);
    ASSERT_TRUE(w) << err;
    const std::uint64_t n = NativeWriter::kRecordsPerChunk * 2 + 5;  // two full chunks written by append()
    for (std::uint64_t i = 1; i <= n; ++i) ASSERT_TRUE(w->append(make_record(PT_EV_MMPUT, i, PT_F_HAS_MM)));
    ASSERT_TRUE(w->close({.lost = 0}));
    auto src = std::get<std::unique_ptr<NativeSource>>(NativeSource::open(path));
    core::Event e;
    std::uint64_t count = 0;
    while (src->next(e) == ReadStatus::event) {
        ++count;
        ASSERT_EQ(e.ts, count);
        ASSERT_EQ(e.pos.line, count);
    }
    EXPECT_EQ(count, n);
    ASSERT_TRUE(src->trailer());
    EXPECT_EQ(src->trailer()->events, n);
    EXPECT_EQ(src->trailer()->chunks, 3u);
    EXPECT_EQ(src->warning(), "");
}

TEST(NativeRoundTrip, UnknownTypesAreCountedAndSkipped) {
    ScratchDir dir;
    const std::string path = dir.file("rec.ptr");
    testing::write_recording(path, {{make_record(PT_EV_MMPUT, 1, PT_F_HAS_MM), make_record(99, 2),
                                     make_record(0, 3), make_record(PT_EV_MMDROP, 4, PT_F_HAS_MM)}});
    auto got = read_all(path);
    ASSERT_FALSE(got.error);
    EXPECT_EQ(got.skipped, 2u);
    ASSERT_EQ(got.events.size(), 2u);
    EXPECT_EQ(got.events[1].pos.line, 4u);  // record index in the file, skipped ones included
}

TEST(NativeRoundTrip, HeaderRoundTrips) {
    ScratchDir dir;
    const std::string path = dir.file("rec.ptr");
    testing::write_recording(path, {});
    auto src = std::get<std::unique_ptr<NativeSource>>(NativeSource::open(path));
    EXPECT_EQ(src->recording_header(), testing::sample_header());
    const core::TraceHeader& h = src->header();
    EXPECT_EQ(h.format, "native");
    EXPECT_EQ(h.kernel, "6.8.0-31-generic");
    EXPECT_EQ(h.hostname, "testhost");
    EXPECT_EQ(h.clock, "monotonic");
    EXPECT_EQ(h.mmdrop_probe, core::MmdropProbe::entry);
    EXPECT_TRUE(h.has_observed_list);
    EXPECT_TRUE(h.observed.has(EventType::mmdrop));
    EXPECT_FALSE(h.observed.has(EventType::pasid_msr));
    EXPECT_EQ(h.extra["boot_id"], "0b3c1a7e-8f7d-4c2e-9a51-3d2f6c0e9b11");
    EXPECT_EQ(h.extra["recorder"], "test");
    EXPECT_EQ(h.extra["hooks"][1]["mechanism"], "fentry:__mmdrop");
}

TEST(NativeRoundTrip, WithoutObservedListEveryTypeCounts) {
    ScratchDir dir;
    const std::string path = dir.file("rec.ptr");
    RecordingHeader header = testing::sample_header();
    header.observed.reset();
    std::string err;
    ASSERT_TRUE(NativeWriter::create(path, header, err)) << err;
    auto src = std::get<std::unique_ptr<NativeSource>>(NativeSource::open(path));
    EXPECT_FALSE(src->header().has_observed_list);
    EXPECT_TRUE(src->header().observed.is_all());
}

TEST(NativeRoundTrip, DescribeThisHostFillsWhatTheSystemKnows) {
    RecordingHeader h = describe_this_host();
    EXPECT_FALSE(h.kernel.empty());
    EXPECT_EQ(h.clock, "monotonic");
    EXPECT_GT(h.start_monotonic_ns, 0u);
    EXPECT_GT(h.start_realtime_ns, h.start_monotonic_ns / 2);
    if (::access("/proc/sys/kernel/random/boot_id", R_OK) == 0) {
        EXPECT_EQ(h.boot_id.size(), 36u);
    }
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
}

TEST(NativeWriterFile, NewFileIsPrivate) {
    ScratchDir dir;
    const std::string path = dir.file("rec.ptr");
    const mode_t old = ::umask(0);  // a permissive umask must not widen it
    std::string err;
    auto w = NativeWriter::create(path, testing::sample_header(), err);
    ::umask(old);
    ASSERT_TRUE(w) << err;
    EXPECT_EQ(mode_of(path), 0600u);
}

TEST(NativeWriterFile, ExistingFileBecomesPrivateAndIsTruncated) {
    ScratchDir dir;
    const std::string path = dir.file("rec.ptr");
    testing::spit(path, std::string(100000, 'x'));
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    testing::write_recording(path, {{make_record(PT_EV_MMPUT, 1, PT_F_HAS_MM)}});
    EXPECT_EQ(mode_of(path), 0600u);
    auto got = read_all(path);
    ASSERT_FALSE(got.error);
    EXPECT_EQ(got.events.size(), 1u);
    EXPECT_EQ(got.warning, "");
}

TEST(NativeWriterFile, RefusesASymlink) {
    ScratchDir dir;
    const std::string target = dir.file("target");
    const std::string link = dir.file("rec.ptr");
    testing::spit(target, "keep");
    ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
    std::string err;
    EXPECT_FALSE(NativeWriter::create(link, testing::sample_header(), err));
    EXPECT_NE(err.find(link), std::string::npos) << err;
    EXPECT_EQ(testing::slurp(target), "keep");
}

TEST(NativeWriterFile, MissingDirectoryIsAnError) {
    std::string err;
    EXPECT_FALSE(NativeWriter::create("/nonexistent-dir/rec.ptr", testing::sample_header(), err));
    EXPECT_NE(err.find("No such file"), std::string::npos) << err;
}

}  // namespace
}  // namespace pasidtrace::sources
