// SPDX-License-Identifier: GPL-2.0-only
#include "live/symbol_feed.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace pasidtrace::live {

SymbolFeed::SymbolFeed(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        error_ = path + ": " + std::strerror(errno);
        return;
    }
    symbols_ = sources::parse_kallsyms(in);
    if (symbols_.empty()) {
        error_ = path + ": no kernel text symbols";
    } else if (std::all_of(symbols_.begin(), symbols_.end(), [](const auto& s) { return s.address == 0; })) {
        // Readers without CAP_SYSLOG see zeros: they would name every frame wrongly.
        error_ = path + ": kernel addresses are hidden (kernel.kptr_restrict)";
        symbols_.clear();
    }
}

namespace {

bool is_tracer_frame(const sources::KernelSymbol* sym) {
    if (!sym) return true;
    const std::string& n = sym->name;
    // __traceiter_* runs the probes when several are attached to one tracepoint.
    return sym->module == "bpf" || n.rfind("bpf_trace_run", 0) == 0 || n.rfind("__bpf_trace_", 0) == 0 ||
           n.rfind("__traceiter_", 0) == 0 || n.rfind("bpf_trampoline", 0) == 0;
}

}  // namespace

std::vector<std::uint64_t> SymbolFeed::without_tracer_frames(const std::vector<std::uint64_t>& ips) const {
    if (symbols_.empty()) return ips;
    std::size_t first = 0;
    while (first < ips.size() && is_tracer_frame(sources::find_symbol(symbols_, ips[first]))) ++first;
    if (first == ips.size()) return ips;  // all tracer: keep it as it is rather than empty
    return {ips.begin() + static_cast<std::ptrdiff_t>(first), ips.end()};
}

std::vector<sources::KernelSymbol> SymbolFeed::take_new(std::span<const std::uint64_t> ips) {
    std::vector<sources::KernelSymbol> out;
    for (auto& sym : sources::symbols_covering(symbols_, ips))
        if (handed_out_.insert(sym.address).second) out.push_back(std::move(sym));
    return out;
}

}  // namespace pasidtrace::live
