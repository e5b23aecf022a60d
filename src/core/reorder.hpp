// SPDX-License-Identifier: GPL-2.0-only
// Bounded reordering (contract 1, "Ordering"): events from different CPUs
// arrive a little out of order. Events are held until they are older than the
// newest ts by more than the window, or the buffer is full, and released in
// (ts, arrival) order. An event older than one already released is passed on
// at once, in arrival order, and counted as late.
//
// Most sources deliver in ts order already (trace.dat is merged per CPU, a
// JSON Lines file is usually sorted), so events that arrive in order go to a
// FIFO at O(1); only the ones that arrive out of order pay for the heap.
// Release merges the two by (ts, arrival).
//
// A source that merges its CPUs itself (trace.dat: libtracecmd picks the
// oldest head of the per-CPU buffers, each already in ts order) says so, and
// then nothing is held while its events do come in order: holding would
// change nothing but cost a copy of every event. The first event older than
// its predecessor is applied at once and counted late (the window would have
// put it back in place had it been held); from then on the window applies.
#pragma once

#include <cstdint>
#include <functional>
#include <deque>
#include <queue>
#include <vector>

#include "core/event.hpp"

namespace pasidtrace::core {

class ReorderBuffer {
public:
    static constexpr std::uint64_t kDefaultWindowNs = 1'000'000'000;
    static constexpr std::size_t kDefaultMaxEvents = 1'000'000;
    using Sink = std::function<void(const Event&)>;
    enum class Arrival { unordered, in_ts_order };

    explicit ReorderBuffer(Sink sink, std::uint64_t window_ns = kDefaultWindowNs,
                           std::size_t max_events = kDefaultMaxEvents, Arrival arrival = Arrival::unordered);
    void push(Event e);
    void flush();  // release everything (end of input)
    std::uint64_t late() const { return late_; }
    std::size_t buffered() const { return in_order_.size() + heap_.size(); }

private:
    struct Slot {
        Event event;
        std::uint64_t seq = 0;
    };
    struct Later {
        bool operator()(const Slot& a, const Slot& b) const {
            return a.event.ts != b.event.ts ? a.event.ts > b.event.ts : a.seq > b.seq;
        }
    };
    void release_top();
    void pass_on(const Event& e);
    bool oldest_in_fifo() const;
    const Slot& oldest() const { return oldest_in_fifo() ? in_order_.front() : heap_.top(); }

    Sink sink_;
    std::uint64_t window_ns_;
    std::size_t max_events_;
    Arrival arrival_;
    std::deque<Slot> in_order_;  // non-decreasing ts, in arrival order
    std::priority_queue<Slot, std::vector<Slot>, Later> heap_;  // arrived out of order
    std::uint64_t seq_ = 0;
    std::uint64_t newest_ts_ = 0;
    std::uint64_t released_ts_ = 0;
    bool released_any_ = false;
    std::uint64_t late_ = 0;
};

}  // namespace pasidtrace::core
