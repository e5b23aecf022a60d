// SPDX-License-Identifier: GPL-2.0-only
#include "live/event_pump.hpp"

#include <chrono>
#include <cstring>
#include <thread>

namespace pasidtrace::live {

std::variant<std::unique_ptr<EventPump>, LiveError> EventPump::start(const LiveOptions& options,
                                                                     const KernelFeatures& kernel, RecordSink records,
                                                                     StackSink stacks) {
    std::unique_ptr<EventPump> pump(new EventPump());
    pump->record_sink_ = std::move(records);
    pump->stack_sink_ = std::move(stacks);
    auto session = BpfSession::start(options, kernel);
    if (auto* err = std::get_if<LiveError>(&session)) return *err;
    pump->session_ = std::move(std::get<std::unique_ptr<BpfSession>>(session));
    if (!pump->session_->any_attached()) return LiveError{"hooks", "no hook could be attached (see pasidtrace check)"};
    pump->drops_ = std::make_unique<DropCounters>(pump->session_->drops_fd());
    pump->stacks_ = std::make_unique<StackCollector>(pump->session_->stacks_fd());
    EventPump* self = pump.get();
    auto ring = RingReader::open(pump->session_->events_fd(), [self](const pt_event& ev) { self->on_record(ev); });
    if (auto* err = std::get_if<LiveError>(&ring)) return *err;
    pump->ring_ = std::move(std::get<std::unique_ptr<RingReader>>(ring));
    return pump;
}

void EventPump::on_record(const pt_event& ev) {
    ++records_;
    if ((ev.flags & PT_F_HAS_STACK) && ev.stack_id >= 0)
        if (auto ips = stacks_->take(static_cast<std::uint32_t>(ev.stack_id)))
            stack_sink_(static_cast<std::uint32_t>(ev.stack_id), *ips);
    record_sink_(ev);
}

void EventPump::deliver_drops() {
    for (const pt_event& lost : drops_->take_new(monotonic_ns())) record_sink_(lost);
}

std::optional<LiveError> EventPump::poll(int timeout_ms) {
    if (finished_) return std::nullopt;
    int n = ring_->poll(timeout_ms);
    if (n < 0) return LiveError{"ring buffer", std::string("poll failed: ") + std::strerror(-n)};
    deliver_drops();
    return std::nullopt;
}

std::optional<LiveError> EventPump::finish() {
    if (finished_) return std::nullopt;
    finished_ = true;
    session_->detach();
    // Closing a link unhooks the program but does not wait for runs already
    // in flight on other CPUs; give them time to submit before the last drain.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    int n = ring_->drain();
    deliver_drops();
    if (n < 0) return LiveError{"ring buffer", std::string("drain failed: ") + std::strerror(-n)};
    return std::nullopt;
}

}  // namespace pasidtrace::live
