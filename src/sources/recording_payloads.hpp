// SPDX-License-Identifier: GPL-2.0-only
// Payloads of the "stacks" and "symbols" chunks (docs/recording-format.md):
//
//   stacks:  per stack  u32 id, u32 depth, depth x u64 ip (innermost first)
//   symbols: per symbol u64 address, u16 name_len, u16 module_len, name, module
//
// Decoding checks every length against the payload: a chunk whose CRC holds
// but whose contents do not add up was written wrong, and says so.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sources/kallsyms.hpp"
#include "sources/recording_format.hpp"

namespace pasidtrace::sources::recording {

void append_stack(ChunkBuffer& chunk, std::uint32_t id, std::span<const std::uint64_t> ips);
void append_symbol(ChunkBuffer& chunk, const KernelSymbol& sym);

using StackSink = std::function<void(std::uint32_t id, std::vector<std::uint64_t> ips)>;
using SymbolSink = std::function<void(KernelSymbol sym)>;

// nullopt when the payload holds exactly `count` entries, else what is wrong.
std::optional<std::string> decode_stacks(std::string_view payload, std::uint32_t count, const StackSink& sink);
std::optional<std::string> decode_symbols(std::string_view payload, std::uint32_t count, const SymbolSink& sink);

}  // namespace pasidtrace::sources::recording
