// SPDX-License-Identifier: GPL-2.0-only
// Crash recovery and damage: a recording cut at any byte, a flipped byte, a
// recorder killed with SIGKILL, a failing disk, and headers that are not
// what this build reads.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "native_test_util.hpp"
#include "sources/crc32c.hpp"
#include "sources/recording_format.hpp"

namespace pasidtrace::sources {
namespace {

using testing::make_record;
using testing::read_all;
using testing::ScratchDir;
using testing::timestamps;

std::vector<pt_event> records(std::uint64_t first_ts, int n) {
    std::vector<pt_event> out;
    for (int i = 0; i < n; ++i) out.push_back(make_record(PT_EV_MMPUT, first_ts + static_cast<std::uint64_t>(i), PT_F_HAS_MM));
    return out;
}

std::uint64_t size_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return static_cast<std::uint64_t>(st.st_size);
}

// Where each chunk ends: the file size after each flush.
struct Layout {
    std::vector<std::uint64_t> chunk_end;  // [0] is the end of the header
    std::string bytes;
};

Layout write_three_chunks(const std::string& path) {
    Layout l;
    std::string err;
    auto w = NativeWriter::create(path, testing::sample_header(), err);
    EXPECT_TRUE(w) << err;
    l.chunk_end.push_back(size_of(path));
    for (std::uint64_t c = 0; c < 3; ++c) {
        for (const auto& r : records(100 * (c + 1), 3)) w->append(r);
        EXPECT_TRUE(w->flush());
        l.chunk_end.push_back(size_of(path));
    }
    EXPECT_TRUE(w->close({}));
    l.chunk_end.push_back(size_of(path));  // the trailer
    l.bytes = testing::slurp(path);
    return l;
}

const std::vector<std::uint64_t> kFirstTwo{100, 101, 102, 200, 201, 202};
const std::vector<std::uint64_t> kAllThree{100, 101, 102, 200, 201, 202, 300, 301, 302};

TEST(NativeRecovery, TruncatedAtEveryByteOfTheLastEventsChunk) {
    ScratchDir dir;
    Layout l = write_three_chunks(dir.file("full.ptr"));
    const std::string cut = dir.file("cut.ptr");
    for (std::uint64_t len = l.chunk_end[2]; len < l.chunk_end[3]; ++len) {
        SCOPED_TRACE("cut at " + std::to_string(len));
        testing::spit(cut, l.bytes.substr(0, len));
        auto got = read_all(cut);
        ASSERT_FALSE(got.error) << got.error->to_string();
        ASSERT_EQ(timestamps(got.events), kFirstTwo);
        const std::string where = "recording ends at byte " + std::to_string(l.chunk_end[2]) + " after 2 complete chunks (";
        ASSERT_EQ(got.warning.rfind(where, 0), 0u) << got.warning;
        const char* why = len == l.chunk_end[2]                      ? "no trailer: the recorder did not close it"
                          : len < l.chunk_end[2] + sizeof(recording::ChunkHeader) ? "chunk header incomplete"
                                                                                  : "chunk payload incomplete";
        ASSERT_NE(got.warning.find(why), std::string::npos) << got.warning;
    }
}

TEST(NativeRecovery, TruncatedInTheTrailerKeepsEveryEvent) {
    ScratchDir dir;
    Layout l = write_three_chunks(dir.file("full.ptr"));
    const std::string cut = dir.file("cut.ptr");
    for (std::uint64_t len = l.chunk_end[3]; len < l.chunk_end[4]; ++len) {
        testing::spit(cut, l.bytes.substr(0, len));
        auto got = read_all(cut);
        ASSERT_EQ(timestamps(got.events), kAllThree) << len;
        ASSERT_EQ(got.warning.rfind("recording ends at byte " + std::to_string(l.chunk_end[3]) + " after 3 complete", 0),
                  0u)
            << got.warning;
    }
}

TEST(NativeRecovery, CompleteFileHasNoWarning) {
    ScratchDir dir;
    Layout l = write_three_chunks(dir.file("full.ptr"));
    auto got = read_all(dir.file("full.ptr"));
    EXPECT_EQ(timestamps(got.events), kAllThree);
    EXPECT_EQ(got.warning, "");
}

TEST(NativeRecovery, CorruptPayloadByteStopsThere) {
    ScratchDir dir;
    Layout l = write_three_chunks(dir.file("full.ptr"));
    std::string bytes = l.bytes;
    bytes[l.chunk_end[1] + sizeof(recording::ChunkHeader) + 130] ^= 0x01;  // second record of chunk 2
    const std::string bad = dir.file("bad.ptr");
    testing::spit(bad, bytes);
    auto got = read_all(bad);
    ASSERT_FALSE(got.error);
    EXPECT_EQ(timestamps(got.events), (std::vector<std::uint64_t>{100, 101, 102}));
    EXPECT_EQ(got.warning, "recording ends at byte " + std::to_string(l.chunk_end[1]) +
                               " after 1 complete chunk (chunk payload checksum mismatch)");
}

TEST(NativeRecovery, CorruptChunkHeaderStopsThere) {
    ScratchDir dir;
    Layout l = write_three_chunks(dir.file("full.ptr"));
    for (std::size_t byte = 0; byte < sizeof(recording::ChunkHeader); ++byte) {
        std::string bytes = l.bytes;
        bytes[l.chunk_end[2] + byte] ^= 0x40;
        const std::string bad = dir.file("bad.ptr");
        testing::spit(bad, bytes);
        auto got = read_all(bad);
        ASSERT_FALSE(got.error);
        ASSERT_EQ(timestamps(got.events), kFirstTwo) << byte;
        ASSERT_EQ(got.warning, "recording ends at byte " + std::to_string(l.chunk_end[2]) +
                                   " after 2 complete chunks (damaged chunk header)");
    }
}

TEST(NativeRecovery, DataAfterTheTrailerIsReported) {
    ScratchDir dir;
    Layout l = write_three_chunks(dir.file("full.ptr"));
    const std::string more = dir.file("more.ptr");
    testing::spit(more, l.bytes + "junk");
    auto got = read_all(more);
    EXPECT_EQ(timestamps(got.events), kAllThree);
    EXPECT_NE(got.warning.find("after the trailer"), std::string::npos) << got.warning;
}

// A recorder killed with SIGKILL runs no destructor: what it flushed is all
// there is, and all of it must come back.
TEST(NativeRecovery, RecorderKilledBySigkill) {
    ScratchDir dir;
    const std::string path = dir.file("killed.ptr");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::string err;
        auto w = NativeWriter::create(path, testing::sample_header(), err);
        if (!w) ::_exit(1);
        for (std::uint64_t c = 1; c <= 2; ++c) {
            for (const auto& r : records(100 * c, 5)) w->append(r);
            if (!w->flush()) ::_exit(1);
        }
        for (const auto& r : records(900, 3)) w->append(r);  // buffered, never flushed
        char byte = 1;
        if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
        for (;;) ::pause();
    }
    ::close(ready[1]);
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1);
    ::close(ready[0]);
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    auto got = read_all(path);
    ASSERT_FALSE(got.error) << got.error->to_string();
    EXPECT_EQ(timestamps(got.events), (std::vector<std::uint64_t>{100, 101, 102, 103, 104, 200, 201, 202, 203, 204}));
    EXPECT_EQ(got.warning, "recording ends at byte " + std::to_string(size_of(path)) +
                               " after 2 complete chunks (no trailer: the recorder did not close it)");
}

// A full disk (here: RLIMIT_FSIZE) fails the write that crosses it, and the
// writer says so and stops taking calls.
TEST(NativeWriterErrors, FailedWriteIsReportedAndSticks) {
    ScratchDir dir;
    const std::string path = dir.file("full.ptr");
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        rlimit lim{4096, 4096};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(10);
        std::string err;
        auto w = NativeWriter::create(path, testing::sample_header(), err);
        if (!w) ::_exit(11);
        for (const auto& r : records(1, 64)) w->append(r);
        if (w->flush()) ::_exit(12);
        if (w->error().find("write") == std::string::npos) ::_exit(13);
        if (w->append(make_record(PT_EV_MMPUT, 1, PT_F_HAS_MM)) || w->close({})) ::_exit(14);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    auto got = read_all(path);  // the torn chunk is cut off
    EXPECT_FALSE(got.error);
    EXPECT_TRUE(got.events.empty());
    EXPECT_NE(got.warning.find("chunk payload incomplete"), std::string::npos) << got.warning;
}

// Header checks: each names the byte offset of what is wrong.
class NativeHeaderErrors : public ::testing::Test {
protected:
    void SetUp() override {
        testing::write_recording(good_, {records(1, 2)});
        bytes_ = testing::slurp(good_);
    }
    core::InputError error_for(const std::string& bytes) {
        const std::string path = dir_.file("bad.ptr");
        testing::spit(path, bytes);
        auto got = read_all(path);
        EXPECT_TRUE(got.error);
        EXPECT_TRUE(got.events.empty());
        return got.error.value_or(core::InputError{});
    }
    // Patches a u32 of the preamble and, when asked, keeps its CRC right.
    std::string patched(std::size_t offset, std::uint32_t value, bool fix_crc) {
        std::string b = bytes_;
        std::memcpy(b.data() + offset, &value, sizeof value);
        if (fix_crc) {
            std::uint32_t crc = crc32c(b.data(), offsetof(recording::Preamble, preamble_crc));
            std::memcpy(b.data() + offsetof(recording::Preamble, preamble_crc), &crc, sizeof crc);
        }
        return b;
    }
    ScratchDir dir_;
    std::string good_ = dir_.file("good.ptr");
    std::string bytes_;
};

TEST_F(NativeHeaderErrors, BadMagic) {
    std::string b = bytes_;
    b[1] = 'X';
    auto err = error_for(b);
    EXPECT_EQ(err.file, dir_.file("bad.ptr"));
    EXPECT_EQ(err.message, "not a pasidtrace recording (bad magic at byte 0)");
    EXPECT_EQ(error_for("{\"type\":\"header\"}\n").message, err.message);
    EXPECT_EQ(error_for("").message, err.message);
}

TEST_F(NativeHeaderErrors, UnsupportedVersion) {
    auto err = error_for(patched(8, 2, false));
    EXPECT_EQ(err.message, "at byte 8: unsupported recording format version 2 (this pasidtrace reads version 1)");
}

TEST_F(NativeHeaderErrors, UnsupportedAbiVersion) {
    EXPECT_EQ(error_for(patched(12, 7, true)).message,
              "at byte 12: unsupported event ABI version 7 (this pasidtrace reads version 1)");
}

TEST_F(NativeHeaderErrors, RecordSizeMismatch) {
    EXPECT_EQ(error_for(patched(16, 96, true)).message,
              "at byte 16: event record size 96 does not match ABI version 1 (128 bytes)");
}

TEST_F(NativeHeaderErrors, PreambleChecksum) {
    EXPECT_EQ(error_for(patched(20, 5, false)).message, "at byte 28: recording header checksum mismatch");
}

TEST_F(NativeHeaderErrors, HeaderJsonChecksum) {
    std::string b = bytes_;
    b[sizeof(recording::Preamble) + 3] ^= 0x20;
    EXPECT_EQ(error_for(b).message, "at byte 32: recording header checksum mismatch");
}

TEST_F(NativeHeaderErrors, TruncatedHeader) {
    EXPECT_EQ(error_for(bytes_.substr(0, 20)).message, "at byte 20: recording header incomplete, 20 of 32 bytes");
    EXPECT_NE(error_for(bytes_.substr(0, 40)).message.find("recording header incomplete"), std::string::npos);
}

TEST_F(NativeHeaderErrors, HeaderFieldOfTheWrongType) {
    RecordingHeader h = testing::sample_header();
    h.extra = nlohmann::json::object();
    nlohmann::json j = to_json(h);
    j["kernel"] = 6;
    std::string b = recording::encode_preamble(j.dump());
    auto err = error_for(b);
    EXPECT_EQ(err.field, "kernel");
    EXPECT_EQ(err.message, "recording header: must be a string");
}

TEST_F(NativeHeaderErrors, MissingFile) {
    auto got = read_all(dir_.file("absent.ptr"));
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.error->message, "No such file or directory");
}

// Chunks whose checksums hold but whose contents do not add up were written
// wrong: an input error that names the chunk, not a silent stop.
TEST(NativeChunkErrors, EventsPayloadNotWholeRecords) {
    ScratchDir dir;
    recording::ChunkBuffer chunk(recording::ChunkKind::events);
    std::string junk(100, 'x');
    chunk.append(junk.data(), junk.size());
    chunk.add_count();
    std::string b = recording::encode_preamble(to_json(testing::sample_header()).dump());
    const std::size_t at = b.size();
    b += chunk.seal();
    testing::spit(dir.file("r.ptr"), b);
    auto got = read_all(dir.file("r.ptr"));
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.error->message,
              "events chunk at byte " + std::to_string(at) + ": 100 bytes do not hold 1 records of 128 bytes");
}

TEST(NativeChunkErrors, RecordMissingARequiredField) {
    ScratchDir dir;
    testing::write_recording(dir.file("r.ptr"),
                             {{make_record(PT_EV_MMPUT, 1, PT_F_HAS_MM), make_record(PT_EV_PASID_FREE, 2, PT_F_HAS_MM)}});
    auto got = read_all(dir.file("r.ptr"));
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.events.size(), 1u);
    EXPECT_EQ(got.error->line, 2u);
    EXPECT_EQ(got.error->field, "pasid");
    EXPECT_NE(got.error->message.find("pasid_free record at byte"), std::string::npos) << got.error->message;
}

TEST(NativeChunkErrors, RecordValuesOutOfRange) {
    ScratchDir dir;
    pt_event msr = make_record(PT_EV_PASID_MSR, 1, PT_F_HAS_PASID);
    msr.pasid = 2'000'000;
    pt_event bind = make_record(PT_EV_BIND, 2, PT_F_HAS_MM | PT_F_HAS_DEV);
    bind.ret = 1;
    pt_event unbind = make_record(PT_EV_UNBIND, 3, PT_F_HAS_MM);
    for (auto [rec, field] : {std::pair{msr, "pasid"}, std::pair{bind, "ret"}, std::pair{unbind, "handle"}}) {
        testing::write_recording(dir.file("r.ptr"), {{rec}});
        auto got = read_all(dir.file("r.ptr"));
        ASSERT_TRUE(got.error) << field;
        EXPECT_EQ(got.error->field, field);
        EXPECT_EQ(got.error->line, 1u);
    }
}

TEST(NativeChunkErrors, UnknownChunkKindsAreSkipped) {
    ScratchDir dir;
    recording::ChunkBuffer future(static_cast<recording::ChunkKind>(77));
    future.append("abc", 3);
    recording::ChunkBuffer events(recording::ChunkKind::events);
    pt_event r = make_record(PT_EV_MMPUT, 5, PT_F_HAS_MM);
    events.append(&r, sizeof r);
    events.add_count();
    std::string b = recording::encode_preamble(to_json(testing::sample_header()).dump());
    b += future.seal();
    b += events.seal();
    testing::spit(dir.file("r.ptr"), b);
    auto got = read_all(dir.file("r.ptr"));
    ASSERT_FALSE(got.error);
    EXPECT_EQ(timestamps(got.events), (std::vector<std::uint64_t>{5}));
    EXPECT_NE(got.warning.find("after 2 complete chunks (no trailer"), std::string::npos) << got.warning;
}

}  // namespace
}  // namespace pasidtrace::sources
