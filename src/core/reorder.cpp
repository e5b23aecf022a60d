// SPDX-License-Identifier: GPL-2.0-only
#include "core/reorder.hpp"

namespace pasidtrace::core {

ReorderBuffer::ReorderBuffer(Sink sink, std::uint64_t window_ns, std::size_t max_events, Arrival arrival)
    : sink_(std::move(sink)), window_ns_(window_ns), max_events_(max_events ? max_events : 1), arrival_(arrival) {}

void ReorderBuffer::push(Event e) {
    if (arrival_ == Arrival::in_ts_order) {
        if (!released_any_ || e.ts >= released_ts_) {
            pass_on(e);
            return;
        }
        // The source was not in order after all (a CPU's clock went back):
        // from here on the window applies, as to any other source.
        arrival_ = Arrival::unordered;
    }
    if (released_any_ && e.ts < released_ts_) {
        ++late_;
        sink_(e);
        return;
    }
    if (e.ts > newest_ts_) newest_ts_ = e.ts;
    if (in_order_.empty() || e.ts >= in_order_.back().event.ts) in_order_.emplace_back(std::move(e), seq_++);
    else heap_.emplace(std::move(e), seq_++);
    while (buffered() > 0 && (buffered() > max_events_ || newest_ts_ - oldest().event.ts > window_ns_))
        release_top();
}

void ReorderBuffer::flush() {
    while (buffered() > 0) release_top();
}

void ReorderBuffer::pass_on(const Event& e) {
    newest_ts_ = released_ts_ = e.ts;
    released_any_ = true;
    sink_(e);
}

// Callers ensure something is buffered.
bool ReorderBuffer::oldest_in_fifo() const {
    if (heap_.empty()) return true;
    if (in_order_.empty()) return false;
    return !Later{}(in_order_.front(), heap_.top());
}

// The sink sees the event in place; it is dropped after.
void ReorderBuffer::release_top() {
    released_any_ = true;
    if (oldest_in_fifo()) {
        released_ts_ = in_order_.front().event.ts;
        sink_(in_order_.front().event);
        in_order_.pop_front();
    } else {
        released_ts_ = heap_.top().event.ts;
        sink_(heap_.top().event);
        heap_.pop();
    }
}

}  // namespace pasidtrace::core
