// SPDX-License-Identifier: GPL-2.0-only
// Copies the kernel stacks that records cite out of the BPF stack map, each
// id once (a bucket keeps its stack: the programs never reuse one).
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_set>
#include <vector>

namespace pasidtrace::live {

class StackCollector {
public:
    explicit StackCollector(int stacks_map_fd) : fd_(stacks_map_fd) {}

    // The frames of `id` (innermost first) the first time it is asked for,
    // nullopt when already taken or unreadable.
    std::optional<std::vector<std::uint64_t>> take(std::uint32_t id);

private:
    int fd_;
    std::unordered_set<std::uint32_t> taken_;
};

}  // namespace pasidtrace::live
