// SPDX-License-Identifier: GPL-2.0-only
#include "live/live_source.hpp"

#include "live/recorder.hpp"
#include "sources/native_record.hpp"

namespace pasidtrace::live {
namespace {

constexpr int kPollMs = 100;  // how long a stop request may wait

}  // namespace

std::variant<std::unique_ptr<LiveSource>, LiveError> LiveSource::start(const LiveOptions& options,
                                                                       const KernelFeatures& kernel,
                                                                       ShouldStop should_stop) {
    std::unique_ptr<LiveSource> s(new LiveSource());
    s->should_stop_ = std::move(should_stop);
    LiveSource* self = s.get();
    auto pump = EventPump::start(
        options, kernel, [self](const pt_event& ev) { self->queue_.push_back(ev); },
        [self](std::uint32_t id, const std::vector<std::uint64_t>& ips) { self->on_stack(id, ips); });
    if (auto* err = std::get_if<LiveError>(&pump)) return *err;
    s->pump_ = std::move(std::get<std::unique_ptr<EventPump>>(pump));
    s->symbols_ = std::make_unique<SymbolFeed>();
    s->recording_header_ = recording_header_for(s->pump_->session(), options);
    s->header_ = sources::to_trace_header(s->recording_header_);
    s->header_.format = "live";
    return s;
}

void LiveSource::on_stack(std::uint32_t id, const std::vector<std::uint64_t>& ips) {
    auto frames = symbols_->without_tracer_frames(ips);
    for (auto& sym : symbols_->take_new(frames)) stacks_.add_symbol(std::move(sym));
    stacks_.add_stack(id, std::move(frames));
}

sources::ReadStatus LiveSource::fail(std::string where, std::string message) {
    error_ = core::InputError{std::move(where), index_, "", std::move(message)};
    return sources::ReadStatus::error;
}

sources::ReadStatus LiveSource::next(core::Event& out) {
    for (;;) {
        while (queue_.empty()) {
            if (finished_) return sources::ReadStatus::end;
            if (should_stop_()) {
                finished_ = true;
                if (auto err = pump_->finish()) return fail(err->where, err->message);
                continue;
            }
            if (auto err = pump_->poll(kPollMs)) return fail(err->where, err->message);
        }
        const pt_event rec = queue_.front();
        queue_.pop_front();
        ++index_;
        sources::RecordProblem problem;
        out = core::Event{};
        switch (sources::record_to_event(rec, out, problem)) {
            case sources::RecordResult::event:
                out.pos.line = index_;
                return sources::ReadStatus::event;
            case sources::RecordResult::unknown_type:
                ++counters_.skipped;
                continue;
            case sources::RecordResult::invalid:
                error_ = core::InputError{"live", index_, problem.field, problem.message};
                return sources::ReadStatus::error;
        }
    }
}

}  // namespace pasidtrace::live
