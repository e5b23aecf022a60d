// SPDX-License-Identifier: GPL-2.0-only
#include "live/recorder.hpp"

#include <chrono>

namespace pasidtrace::live {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kFlushEvery = std::chrono::seconds(1);
constexpr int kPollMs = 100;  // how long a stop request may wait

nlohmann::json recorder_settings(const LiveOptions& o) {
    nlohmann::json j = {{"buffer_bytes", ring_buffer_size(o.buffer_bytes)},
                        {"all_mm", o.all_mm},
                        {"mechanism", std::string(to_string(o.mechanism))}};
    if (o.pid) j["pid"] = o.pid;
    if (!o.comm.empty()) j["comm"] = o.comm;
    if (o.cgroup_id) j["cgroup_id"] = o.cgroup_id;
    return j;
}

}  // namespace

sources::RecordingHeader recording_header_for(const BpfSession& session, const LiveOptions& options) {
    sources::RecordingHeader h = sources::describe_this_host();
    h.mmdrop_probe = session.mmdrop_probe();
    h.observed = session.observed();
    h.hooks = session.header_hooks();
    h.extra["recorder"] = recorder_settings(options);
    return h;
}

std::variant<std::unique_ptr<Recorder>, LiveError> Recorder::start(const LiveOptions& options, const std::string& path,
                                                                   const KernelFeatures& kernel) {
    std::unique_ptr<Recorder> r(new Recorder());
    Recorder* self = r.get();
    auto pump = EventPump::start(
        options, kernel, [self](const pt_event& ev) { self->on_record(ev); },
        [self](std::uint32_t id, const std::vector<std::uint64_t>& ips) { self->on_stack(id, ips); });
    if (auto* err = std::get_if<LiveError>(&pump)) return *err;
    r->pump_ = std::move(std::get<std::unique_ptr<EventPump>>(pump));
    r->symbols_ = std::make_unique<SymbolFeed>();
    std::string err;
    r->writer_ = sources::NativeWriter::create(path, recording_header_for(r->pump_->session(), options), err);
    if (!r->writer_) return LiveError{"", err};  // the writer's messages name the file
    return r;
}

// Stacks and their symbols go out with the next flush (before the trailer
// at the latest), each once.
void Recorder::on_stack(std::uint32_t id, const std::vector<std::uint64_t>& ips) {
    ++stacks_;
    const auto frames = symbols_->without_tracer_frames(ips);
    writer_->add_stack(id, frames);
    writer_->add_symbols(symbols_->take_new(frames));
}

void Recorder::on_record(const pt_event& ev) {
    if (writer_->append(ev)) ++written_;
    track_pasids(ev);
}

// For the status line only: PASIDs allocated, bound or loaded, not yet freed.
void Recorder::track_pasids(const pt_event& ev) {
    if (!(ev.flags & PT_F_HAS_PASID)) return;
    if (ev.type == PT_EV_PASID_FREE)
        live_pasids_.erase(ev.pasid);
    else if (ev.type == PT_EV_PASID_ALLOC || ev.type == PT_EV_BIND || ev.type == PT_EV_PASID_MSR)
        live_pasids_.insert(ev.pasid);
}

std::optional<LiveError> Recorder::writer_error() const {
    if (writer_->error().empty()) return std::nullopt;
    return LiveError{"", writer_->error()};  // names the file
}

std::variant<RecordSummary, LiveError> Recorder::run(const ShouldStop& should_stop, std::optional<double> duration_s,
                                                     const StatusSink& status) {
    const auto start = Clock::now();
    auto last_flush = start;
    std::uint64_t events_at_last_flush = 0;
    while (!should_stop()) {
        if (auto err = pump_->poll(kPollMs)) return *err;
        if (auto err = writer_error()) return *err;
        const auto now = Clock::now();
        if (now - last_flush >= kFlushEvery) {
            writer_->flush();
            if (status) {
                const double secs = std::chrono::duration<double>(now - last_flush).count();
                status({written_, static_cast<double>(written_ - events_at_last_flush) / secs, pump_->lost(),
                        live_pasids_.size()});
            }
            last_flush = now;
            events_at_last_flush = written_;
        }
        if (duration_s && std::chrono::duration<double>(now - start).count() >= *duration_s) break;
    }
    return close();
}

std::variant<RecordSummary, LiveError> Recorder::close() {
    if (auto err = pump_->finish()) return *err;
    RecordSummary s;
    if (!symbols_->error().empty() && stacks_ > 0) s.warning = "stacks stored without symbols: " + symbols_->error();
    if (!writer_->close({.lost = pump_->lost()})) return LiveError{"", writer_->error()};
    s.events = written_;
    s.lost = pump_->lost();
    s.kernel_drops = pump_->kernel_drops();
    s.stacks = stacks_;
    return s;
}

}  // namespace pasidtrace::live
