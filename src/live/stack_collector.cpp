// SPDX-License-Identifier: GPL-2.0-only
#include "live/stack_collector.hpp"

#include <bpf/bpf.h>

namespace pasidtrace::live {

namespace {
constexpr std::size_t kMaxDepth = 127;  // PERF_MAX_STACK_DEPTH, the map's value size
}

std::optional<std::vector<std::uint64_t>> StackCollector::take(std::uint32_t id) {
    if (!taken_.insert(id).second) return std::nullopt;
    std::vector<std::uint64_t> ips(kMaxDepth, 0);
    if (bpf_map_lookup_elem(fd_, &id, ips.data()) != 0) return std::nullopt;
    std::size_t depth = 0;
    while (depth < ips.size() && ips[depth] != 0) ++depth;
    ips.resize(depth);
    return ips;
}

}  // namespace pasidtrace::live
