// SPDX-License-Identifier: GPL-2.0-only
// The kernel side counts, per CPU, the records it could not reserve in a
// full ring buffer. This reads those counters and turns what is new since
// the last read into `lost` records, one per CPU that lost something, so a
// recording says where and how much it missed.
#pragma once

#include <cstdint>
#include <vector>

#include "pasidtrace/event_abi.h"

namespace pasidtrace::live {

class DropCounters {
public:
    explicit DropCounters(int drops_map_fd);

    // `lost` records (type PT_EV_LOST, addr = count, cpu) for the drops
    // counted since the previous call, stamped `now_ns`.
    std::vector<pt_event> take_new(std::uint64_t now_ns);
    // Everything the kernel counted so far, as of the last take_new().
    std::uint64_t reported() const { return reported_; }
    // The kernel's total right now (for tests and the closing summary).
    std::uint64_t kernel_total() const;

private:
    std::vector<std::uint64_t> read() const;

    int fd_;
    unsigned ncpus_;
    std::vector<std::uint64_t> seen_;
    std::uint64_t reported_ = 0;
};

// CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_ns() stamps records with.
std::uint64_t monotonic_ns();

}  // namespace pasidtrace::live
