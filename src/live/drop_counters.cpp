// SPDX-License-Identifier: GPL-2.0-only
#include "live/drop_counters.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <time.h>

#include <algorithm>
#include <cstring>

#include "pt_hooks.h"

namespace pasidtrace::live {

std::uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

DropCounters::DropCounters(int drops_map_fd)
    : fd_(drops_map_fd), ncpus_(static_cast<unsigned>(std::max(libbpf_num_possible_cpus(), 1))), seen_(ncpus_, 0) {}

std::vector<std::uint64_t> DropCounters::read() const {
    // A per-CPU array lookup returns one value per possible CPU.
    std::vector<std::uint64_t> values(ncpus_, 0);
    std::uint32_t key = 0;
    if (bpf_map_lookup_elem(fd_, &key, values.data()) != 0) return seen_;
    return values;
}

std::vector<pt_event> DropCounters::take_new(std::uint64_t now_ns) {
    std::vector<pt_event> out;
    const auto now = read();
    for (unsigned cpu = 0; cpu < ncpus_; ++cpu) {
        if (now[cpu] <= seen_[cpu]) continue;
        pt_event ev;
        std::memset(&ev, 0, sizeof ev);
        ev.ts = now_ns;
        ev.type = PT_EV_LOST;
        ev.cpu = cpu;
        ev.addr = now[cpu] - seen_[cpu];
        ev.stack_id = -1;
        ev.hook = PT_HOOK_RECORDER;
        std::memcpy(ev.comm, "pasidtrace", 11);
        reported_ += ev.addr;
        seen_[cpu] = now[cpu];
        out.push_back(ev);
    }
    return out;
}

std::uint64_t DropCounters::kernel_total() const {
    std::uint64_t total = 0;
    for (auto v : read()) total += v;
    return total;
}

}  // namespace pasidtrace::live
