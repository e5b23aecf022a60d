// SPDX-License-Identifier: GPL-2.0-only
#include "sources/crc32c.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace pasidtrace::sources {
namespace {

TEST(Crc32c, StandardCheckValue) {
    EXPECT_EQ(crc32c(std::string_view("123456789")), 0xE3069283u);
    EXPECT_EQ(crc32c_portable("123456789", 9), 0xE3069283u);
}

TEST(Crc32c, EmptyInputIsZero) { EXPECT_EQ(crc32c(std::string_view()), 0u); }

// RFC 3720 (iSCSI) B.4 vector: 32 bytes of zeros.
TEST(Crc32c, IscsiZerosVector) { EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu); }

TEST(Crc32c, ARunningValueContinuesTheChecksum) {
    const std::string_view all = "The quick brown fox jumps over the lazy dog";
    for (std::size_t cut = 0; cut <= all.size(); ++cut)
        EXPECT_EQ(crc32c(all.substr(cut), crc32c(all.substr(0, cut))), crc32c(all)) << cut;
}

// The SSE4.2 path works 8 bytes at a time: every length and misalignment
// must agree with the table.
TEST(Crc32c, HardwarePathMatchesTheTable) {
    std::mt19937 rng(42);
    std::string buf(300, '\0');
    for (char& c : buf) c = static_cast<char>(rng());
    for (std::size_t start = 0; start < 9; ++start)
        for (std::size_t len = 0; start + len <= buf.size(); len += 7)
            ASSERT_EQ(crc32c(buf.data() + start, len), crc32c_portable(buf.data() + start, len))
                << start << "+" << len;
}

}  // namespace
}  // namespace pasidtrace::sources
