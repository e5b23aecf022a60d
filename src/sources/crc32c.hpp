// SPDX-License-Identifier: GPL-2.0-only
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every
// header and chunk of a native recording. Standard form: initial value and
// final xor ~0, so crc32c("123456789") == 0xE3069283, and a running value
// continues a checksum: crc32c(b, crc32c(a)) == crc32c(a + b).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pasidtrace::sources {

// Uses the SSE4.2 crc32 instruction where the CPU has it.
std::uint32_t crc32c(const void* data, std::size_t len, std::uint32_t crc = 0);

inline std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0) {
    return crc32c(bytes.data(), bytes.size(), crc);
}

// The table-driven form, the reference the hardware path is tested against.
std::uint32_t crc32c_portable(const void* data, std::size_t len, std::uint32_t crc = 0);

}  // namespace pasidtrace::sources
