// SPDX-License-Identifier: GPL-2.0-only
// Kernel text symbols from /proc/kallsyms, and the lookup that turns a
// kernel instruction pointer into "func+0xoff": the greatest symbol address
// not above the pointer, as the kernel's own %pS does.
//
// A recorder keeps only the symbols its stacks need (symbols_covering), so a
// recording can be symbolised on another machine.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pasidtrace::sources {

struct KernelSymbol {
    std::uint64_t address = 0;
    std::string name;
    std::string module;  // empty for the kernel image

    friend bool operator==(const KernelSymbol&, const KernelSymbol&) = default;
};

// Text symbols (types t, T, w, W) of a kallsyms listing, sorted by address.
// Lines that are not "ADDRESS TYPE NAME [MODULE]" are passed over.
std::vector<KernelSymbol> parse_kallsyms(std::istream& in);

// The symbol an address falls in: the last one at or below it in `sorted`.
const KernelSymbol* find_symbol(const std::vector<KernelSymbol>& sorted, std::uint64_t ip);

// "func+0x1a", "func+0x1a [module]", or "[unknown]" without a symbol.
std::string format_frame(const KernelSymbol* sym, std::uint64_t ip);

// The symbols of `sorted` that some ip falls in, sorted, each once.
std::vector<KernelSymbol> symbols_covering(const std::vector<KernelSymbol>& sorted,
                                           std::span<const std::uint64_t> ips);

// Reads `path` (normally /proc/kallsyms) and returns the symbols covering
// `ips`. Empty and err set when the file cannot be read or hides addresses
// (kptr_restrict shows zeros to readers without CAP_SYSLOG).
std::vector<KernelSymbol> read_kallsyms_covering(std::span<const std::uint64_t> ips, std::string& err,
                                                 const std::string& path = "/proc/kallsyms");

}  // namespace pasidtrace::sources
