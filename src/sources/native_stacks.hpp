// SPDX-License-Identifier: GPL-2.0-only
// The kernel stacks of a native recording with the symbols stored beside
// them, so frames print as "func+0xoff" on any machine.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sources/event_source.hpp"
#include "sources/kallsyms.hpp"

namespace pasidtrace::sources {

class NativeStackTable final : public StackTable {
public:
    void add_stack(std::uint32_t id, std::vector<std::uint64_t> ips) { stacks_[id] = std::move(ips); }
    void add_symbol(KernelSymbol sym);
    std::vector<std::string> frames(std::uint32_t stack_id) const override;
    std::size_t size() const { return stacks_.size(); }

private:
    std::unordered_map<std::uint32_t, std::vector<std::uint64_t>> stacks_;
    // Sorted by address on first lookup: symbols arrive in several chunks.
    mutable std::vector<KernelSymbol> symbols_;
    mutable bool sorted_ = true;
};

}  // namespace pasidtrace::sources
