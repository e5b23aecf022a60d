// SPDX-License-Identifier: GPL-2.0-only
// Every way a trace.dat can be bad gives one InputError naming the file:
// missing, truncated, random bytes after the magic, flipped bits, a record
// naming an event the file does not define. Never a crash, never garbage
// events passed on.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "../cli/cli_runner.hpp"
#include "sources/tracedat_libtracecmd.hpp"
#include "tracedat_test_support.hpp"

namespace pasidtrace::tracedat_test {
namespace {

namespace fs = std::filesystem;

std::string contents(const fs::path& p) { return test::slurp(p); }

fs::path write(const test::TempDir& dir, const std::string& name, const std::string& bytes) {
    std::ofstream(dir.path() / name, std::ios::binary) << bytes;
    return dir.path() / name;
}

void expect_error_naming(const fs::path& path, const std::string& what = {}) {
    const auto r = read_all(path.string());
    ASSERT_TRUE(r.error.has_value()) << path << ": read " << r.events.size() << " events without error";
    EXPECT_EQ(r.error->file, path.string());
    if (!what.empty()) {
        EXPECT_NE(r.error->message.find(what), std::string::npos) << r.error->message;
    }
}

const std::string kMagic("\x17\x08\x44tracing", 10);

TEST(TraceDatErrors, MissingFileIsNamed) {
    test::TempDir dir;
    expect_error_naming(dir.path() / "nope.dat", "cannot open");
}

TEST(TraceDatErrors, MagicAloneIsNotATraceFile) {
    test::TempDir dir;
    expect_error_naming(write(dir, "magic.dat", kMagic), "cannot be read as a trace.dat file");
}

TEST(TraceDatErrors, RandomBytesAfterTheMagicAreAnError) {
    test::TempDir dir;
    std::mt19937 rng(5);
    for (std::size_t size : {1u, 2u, 7u, 64u, 4096u, 100000u}) {
        for (int round = 0; round < 4; ++round) {
            std::string bytes = kMagic;
            for (std::size_t i = 0; i < size; ++i) bytes += static_cast<char>(rng() & 0xff);
            expect_error_naming(write(dir, "random.dat", bytes), "trace.dat");
        }
    }
}

TEST(TraceDatErrors, TruncatedCopiesAreAnErrorOrLoseNothing) {
    const std::string whole = contents(fixture("processes.dat"));
    const auto complete = read_all(fixture("processes.dat").string());
    ASSERT_FALSE(complete.error);
    test::TempDir dir;
    for (std::size_t cut = 3; cut < whole.size(); cut += whole.size() / 97) {
        const auto path = write(dir, "cut.dat", whole.substr(0, cut));
        const auto r = read_all(path.string());
        // trace-cmd pads the end of the file: a cut there loses no data.
        if (!r.error) {
            EXPECT_EQ(r.events.size(), complete.events.size()) << "cut at " << cut;
            continue;
        }
        EXPECT_EQ(r.error->file, path.string());
    }
    // Half a file never reads.
    expect_error_naming(write(dir, "half.dat", whole.substr(0, whole.size() / 2)), "trace.dat");
}

// Reads `rounds` copies of `whole`, each with 1..max_flips random bits
// flipped past the magic (seeded: reproducible); every read must end, and
// every error must name the file. Returns how many reads were errors.
int flipped_copies_that_fail(const test::TempDir& dir, const std::string& whole, unsigned seed, int rounds,
                             int max_flips) {
    std::mt19937 rng(seed);
    int errors = 0;
    for (int round = 0; round < rounds; ++round) {
        std::string bytes = whole;
        const int flips = 1 + static_cast<int>(rng() % static_cast<unsigned>(max_flips));
        for (int i = 0; i < flips; ++i) bytes[10 + rng() % (bytes.size() - 10)] ^= static_cast<char>(1u << (rng() % 8));
        const auto path = write(dir, "flipped.dat", bytes);
        const auto r = read_all(path.string());
        if (r.error) {
            ++errors;
            EXPECT_EQ(r.error->file, path.string());
        }
    }
    return errors;
}

// Bit flips anywhere: corrupt formats, options, compressed pages. Some
// flips land in bytes nobody reads; the rest must be errors naming the file.
TEST(TraceDatErrors, FlippedBitsNeverCrashTheReader) {
    test::TempDir dir;
    EXPECT_GT(flipped_copies_that_fail(dir, contents(fixture("sva-probes.dat")), 11, 120, 20), 0);
}

// An uncompressed copy (file version 6), the shape older trace-cmd writes.
fs::path version6_copy(const test::TempDir& dir, const fs::path& from) {
    const fs::path plain = dir.path() / "v6.dat";
    const std::string cmd = "trace-cmd convert --file-version 6 --compression none -i " + from.string() + " -o " +
                            plain.string() + " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0 ? plain : fs::path();
}

// Flips in an uncompressed file reach the options and event formats as
// they are: libtraceevent 1.7 and libtracecmd 1.3 crash on some of those
// (a NULL format token, a corrupt buffer-instance option); the reader must
// turn that into an error naming the file.
TEST(TraceDatErrors, FlippedBitsInAnUncompressedFileNeverCrashTheReader) {
    if (std::system("command -v trace-cmd >/dev/null 2>&1") != 0) GTEST_SKIP() << "SKIPPED: trace-cmd not installed";
    test::TempDir dir;
    const fs::path plain = version6_copy(dir, fixture("processes.dat"));
    ASSERT_FALSE(plain.empty());
    EXPECT_GT(flipped_copies_that_fail(dir, contents(plain), 12, 80, 100), 0);
}

// A record whose event id the file does not define is corrupt data: an
// error with the record's place, not a skipped unknown event.
TEST(TraceDatErrors, UndefinedEventIdIsReportedWithItsRecord) {
    if (std::system("command -v trace-cmd >/dev/null 2>&1") != 0) GTEST_SKIP() << "SKIPPED: trace-cmd not installed";
    test::TempDir dir;
    // Version 6 keeps the pages uncompressed, so one record can be edited in place.
    const fs::path plain = version6_copy(dir, fixture("processes.dat"));
    ASSERT_FALSE(plain.empty());
    ASSERT_FALSE(read_all(plain.string()).error);

    std::uint64_t data_offset = 0;
    {
        tracecmd_input* top = tracecmd_open(plain.c_str(), TRACECMD_FL_LOAD_NO_PLUGINS);
        ASSERT_NE(top, nullptr);
        tracecmd_input* inst = tracecmd_buffer_instance_handle(top, 0);
        ASSERT_NE(inst, nullptr);
        // The earliest first record of any CPU: the first in timestamp order.
        std::uint64_t first_ts = ~std::uint64_t{0};
        for (int cpu = 0; cpu < tep_get_cpus(tracecmd_get_tep(inst)); ++cpu) {
            if (tep_record* rec = tracecmd_read_data(inst, cpu)) {
                if (rec->ts < first_ts) {
                    first_ts = rec->ts;
                    data_offset = rec->offset + static_cast<std::uint64_t>(rec->record_size - rec->size);
                }
                tracecmd_free_record(rec);
            }
        }
        tracecmd_close(inst);
        tracecmd_close(top);
    }
    ASSERT_NE(data_offset, 0u);
    std::string bytes = contents(plain);
    bytes[data_offset] = '\xff';  // common_type, little-endian: id 65535
    bytes[data_offset + 1] = '\xff';
    const auto path = write(dir, "bad-id.dat", bytes);
    const auto r = read_all(path.string());
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->file, path.string());
    EXPECT_EQ(r.error->line, 1u) << "the first record of the file";
    EXPECT_NE(r.error->message.find("event id 65535"), std::string::npos) << r.error->message;
    EXPECT_TRUE(r.events.empty());
}

TEST(TraceDatErrors, AnalyzeSaysWhichFileAndExitsTwo) {
    test::TempDir dir;
    const auto path = write(dir, "broken.dat", kMagic + std::string(100, '\0'));
    auto r = test::run_cli({"analyze", path.string()});
    EXPECT_EQ(r.rc, 2);
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find(path.string() + ": cannot be read as a trace.dat file"), std::string::npos) << r.err;
}

// Detection is by content: a trace.dat named .jsonl is still read as one.
TEST(TraceDatErrors, DetectionIsByContentNotName) {
    test::TempDir dir;
    const auto path = write(dir, "looks-like.jsonl", contents(fixture("processes.dat")));
    const auto r = read_all(path.string());
    ASSERT_FALSE(r.error) << r.error->to_string();
    EXPECT_EQ(r.header.format, "trace.dat");
}

}  // namespace
}  // namespace pasidtrace::tracedat_test
