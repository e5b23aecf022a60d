// SPDX-License-Identifier: GPL-2.0-only
#include "sources/kallsyms.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pasidtrace::sources {
namespace {

// Only code can hold a return address; data and absolute symbols (per-CPU
// offsets start at 0) would capture addresses that are not theirs.
bool is_text_type(char type) { return type == 't' || type == 'T' || type == 'w' || type == 'W'; }

std::optional<KernelSymbol> parse_line(const std::string& line) {
    std::istringstream fields(line);
    std::string addr;
    std::string type;
    KernelSymbol sym;
    if (!(fields >> addr >> type >> sym.name) || type.size() != 1 || !is_text_type(type[0])) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    sym.address = std::strtoull(addr.c_str(), &end, 16);
    if (errno != 0 || end == addr.c_str() || *end != '\0') return std::nullopt;
    std::string module;
    if (fields >> module && module.size() > 2 && module.front() == '[' && module.back() == ']')
        sym.module = module.substr(1, module.size() - 2);
    return sym;
}

bool by_address(const KernelSymbol& a, const KernelSymbol& b) {
    return a.address != b.address ? a.address < b.address : a.name < b.name;
}

}  // namespace

std::vector<KernelSymbol> parse_kallsyms(std::istream& in) {
    std::vector<KernelSymbol> out;
    std::string line;
    while (std::getline(in, line))
        if (auto sym = parse_line(line)) out.push_back(std::move(*sym));
    std::stable_sort(out.begin(), out.end(), by_address);
    return out;
}

const KernelSymbol* find_symbol(const std::vector<KernelSymbol>& sorted, std::uint64_t ip) {
    auto it = std::upper_bound(sorted.begin(), sorted.end(), ip,
                               [](std::uint64_t v, const KernelSymbol& s) { return v < s.address; });
    if (it == sorted.begin()) return nullptr;
    // Aliases share an address; the first in sorted order names them all.
    auto first = std::lower_bound(sorted.begin(), it, std::prev(it)->address,
                                  [](const KernelSymbol& s, std::uint64_t v) { return s.address < v; });
    return &*first;
}

std::string format_frame(const KernelSymbol* sym, std::uint64_t ip) {
    if (!sym) return "[unknown]";
    char off[24];
    std::snprintf(off, sizeof off, "+0x%llx", static_cast<unsigned long long>(ip - sym->address));
    std::string s = sym->name + off;
    if (!sym->module.empty()) s += " [" + sym->module + "]";
    return s;
}

std::vector<KernelSymbol> symbols_covering(const std::vector<KernelSymbol>& sorted,
                                           std::span<const std::uint64_t> ips) {
    std::vector<KernelSymbol> out;
    for (std::uint64_t ip : ips)
        if (const KernelSymbol* sym = find_symbol(sorted, ip)) out.push_back(*sym);
    std::sort(out.begin(), out.end(), by_address);
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<KernelSymbol> read_kallsyms_covering(std::span<const std::uint64_t> ips, std::string& err,
                                                 const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        err = path + ": " + std::strerror(errno);
        return {};
    }
    std::vector<KernelSymbol> all = parse_kallsyms(in);
    if (in.bad()) {
        err = path + ": read error";
        return {};
    }
    if (all.empty()) {
        err = path + ": no kernel text symbols";
        return {};
    }
    if (std::all_of(all.begin(), all.end(), [](const KernelSymbol& s) { return s.address == 0; })) {
        err = path + ": kernel addresses are hidden (kernel.kptr_restrict): symbols need root";
        return {};
    }
    return symbols_covering(all, ips);
}

}  // namespace pasidtrace::sources
