// SPDX-License-Identifier: GPL-2.0-only
// This host's kernel text symbols, handed out as stacks arrive: for each
// new stack, the symbols its addresses fall in that were not handed out
// yet. The recorder writes them at the next flush, so even a recording cut
// short by SIGKILL symbolizes on another machine.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "sources/kallsyms.hpp"

namespace pasidtrace::live {

class SymbolFeed {
public:
    // Reads /proc/kallsyms (after the programs are loaded, so their own
    // symbols are there); error() says why it holds nothing (unreadable,
    // or addresses hidden by kernel.kptr_restrict).
    explicit SymbolFeed(const std::string& path = "/proc/kallsyms");

    // Drops the leading frames that belong to the tracer, not to the kernel
    // path being traced: the BPF program and trampoline ("[bpf]" symbols,
    // present in kallsyms once the programs are loaded) and the tracepoint
    // glue (bpf_trace_run*, __bpf_trace_*, __traceiter_*).
    std::vector<std::uint64_t> without_tracer_frames(const std::vector<std::uint64_t>& ips) const;
    std::vector<sources::KernelSymbol> take_new(std::span<const std::uint64_t> ips);
    const std::vector<sources::KernelSymbol>& all() const { return symbols_; }
    const std::string& error() const { return error_; }

private:
    std::vector<sources::KernelSymbol> symbols_;    // sorted by address
    std::unordered_set<std::uint64_t> handed_out_;  // by address
    std::string error_;
};

}  // namespace pasidtrace::live
