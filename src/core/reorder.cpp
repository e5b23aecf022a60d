// SPDX-License-Identifier: GPL-2.0-only
#include "core/reorder.hpp"

namespace pasidtrace::core {

ReorderBuffer::ReorderBuffer(Sink sink, std::uint64_t window_ns, std::size_t max_events)
    : sink_(std::move(sink)), window_ns_(window_ns), max_events_(max_events ? max_events : 1) {}

void ReorderBuffer::push(Event e) {
    if (released_any_ && e.ts < released_ts_) {
        ++late_;
        sink_(e);
        return;
    }
    if (e.ts > newest_ts_) newest_ts_ = e.ts;
    heap_.push(Slot{std::move(e), seq_++});
    while (!heap_.empty() &&
           (heap_.size() > max_events_ || newest_ts_ - heap_.top().event.ts > window_ns_))
        release_top();
}

void ReorderBuffer::flush() {
    while (!heap_.empty()) release_top();
}

void ReorderBuffer::release_top() {
    // priority_queue::top is const. Moving out before pop is safe: the heap
    // compares only ts and seq, which a moved-from Event keeps.
    Slot slot = std::move(const_cast<Slot&>(heap_.top()));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
    heap_.pop();
    released_ts_ = slot.event.ts;
    released_any_ = true;
    sink_(slot.event);
}

}  // namespace pasidtrace::core
