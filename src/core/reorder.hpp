// SPDX-License-Identifier: GPL-2.0-only
// Bounded reordering (contract 1, "Ordering"): events from different CPUs
// arrive a little out of order. Events are held until they are older than the
// newest ts by more than the window, or the buffer is full, and released in
// (ts, arrival) order. An event older than one already released is passed on
// at once, in arrival order, and counted as late.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "core/event.hpp"

namespace pasidtrace::core {

class ReorderBuffer {
public:
    static constexpr std::uint64_t kDefaultWindowNs = 1'000'000'000;
    static constexpr std::size_t kDefaultMaxEvents = 1'000'000;
    using Sink = std::function<void(const Event&)>;

    explicit ReorderBuffer(Sink sink, std::uint64_t window_ns = kDefaultWindowNs,
                           std::size_t max_events = kDefaultMaxEvents);
    void push(Event e);
    void flush();  // release everything (end of input)
    std::uint64_t late() const { return late_; }
    std::size_t buffered() const { return heap_.size(); }

private:
    struct Slot {
        Event event;
        std::uint64_t seq;
    };
    struct Later {
        bool operator()(const Slot& a, const Slot& b) const {
            return a.event.ts != b.event.ts ? a.event.ts > b.event.ts : a.seq > b.seq;
        }
    };
    void release_top();

    Sink sink_;
    std::uint64_t window_ns_;
    std::size_t max_events_;
    std::priority_queue<Slot, std::vector<Slot>, Later> heap_;
    std::uint64_t seq_ = 0;
    std::uint64_t newest_ts_ = 0;
    std::uint64_t released_ts_ = 0;
    bool released_any_ = false;
    std::uint64_t late_ = 0;
};

}  // namespace pasidtrace::core
