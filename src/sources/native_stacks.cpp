// SPDX-License-Identifier: GPL-2.0-only
#include "sources/native_stacks.hpp"

#include <algorithm>

namespace pasidtrace::sources {

void NativeStackTable::add_symbol(KernelSymbol sym) {
    if (!symbols_.empty() && sym.address < symbols_.back().address) sorted_ = false;
    symbols_.push_back(std::move(sym));
}

std::vector<std::string> NativeStackTable::frames(std::uint32_t stack_id) const {
    auto it = stacks_.find(stack_id);
    if (it == stacks_.end()) return {};
    if (!sorted_) {
        std::stable_sort(symbols_.begin(), symbols_.end(),
                         [](const KernelSymbol& a, const KernelSymbol& b) { return a.address < b.address; });
        sorted_ = true;
    }
    std::vector<std::string> out;
    out.reserve(it->second.size());
    for (std::uint64_t ip : it->second) out.push_back(format_frame(find_symbol(symbols_, ip), ip));
    return out;
}

}  // namespace pasidtrace::sources
