// SPDX-License-Identifier: GPL-2.0-only
#include "sources/crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace pasidtrace::sources {
namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78u;  // 0x1EDC6F41 bit-reversed

constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? (c >> 1) ^ kPolynomial : c >> 1;
        table[i] = c;
    }
    return table;
}

constexpr std::array<std::uint32_t, 256> kTable = make_table();

std::uint32_t update_portable(std::uint32_t crc, const unsigned char* p, std::size_t len) {
    for (std::size_t i = 0; i < len; ++i) crc = kTable[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
// Compiled for SSE4.2 on its own, so the binary still runs on CPUs without it:
// crc32c() calls it only after checking the CPU.
__attribute__((target("sse4.2"))) std::uint32_t update_sse42(std::uint32_t crc, const unsigned char* p,
                                                            std::size_t len) {
    std::uint64_t c = crc;
    for (; len >= 8; p += 8, len -= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        c = _mm_crc32_u64(c, word);
    }
    auto c32 = static_cast<std::uint32_t>(c);
    for (; len > 0; ++p, --len) c32 = _mm_crc32_u8(c32, *p);
    return c32;
}

bool cpu_has_sse42() {
    static const bool has = __builtin_cpu_supports("sse4.2");
    return has;
}
#endif

}  // namespace

std::uint32_t crc32c_portable(const void* data, std::size_t len, std::uint32_t crc) {
    return ~update_portable(~crc, static_cast<const unsigned char*>(data), len);
}

std::uint32_t crc32c(const void* data, std::size_t len, std::uint32_t crc) {
#if defined(__x86_64__)
    if (cpu_has_sse42()) return ~update_sse42(~crc, static_cast<const unsigned char*>(data), len);
#endif
    return crc32c_portable(data, len, crc);
}

}  // namespace pasidtrace::sources
