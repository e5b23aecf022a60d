// SPDX-License-Identifier: GPL-2.0-only
// Moves records from the kernel to a consumer: the loaded BPF session, its
// ring buffer, the per-CPU drop counters (turned into `lost` records) and
// the stack map (each cited stack copied out once). `record` puts a native
// writer behind it, `live` the analyzer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "live/bpf_session.hpp"
#include "live/drop_counters.hpp"
#include "live/live_error.hpp"
#include "live/live_options.hpp"
#include "live/ring_reader.hpp"
#include "live/stack_collector.hpp"

namespace pasidtrace::live {

class KernelFeatures;

class EventPump {
public:
    using RecordSink = std::function<void(const pt_event&)>;
    using StackSink = std::function<void(std::uint32_t id, const std::vector<std::uint64_t>& ips)>;

    // Loads and attaches the hooks. A stack reaches `stacks` before the
    // first record citing it reaches `records`.
    static std::variant<std::unique_ptr<EventPump>, LiveError> start(const LiveOptions& options,
                                                                     const KernelFeatures& kernel, RecordSink records,
                                                                     StackSink stacks);
    EventPump(const EventPump&) = delete;
    EventPump& operator=(const EventPump&) = delete;

    const BpfSession& session() const { return *session_; }

    // Delivers what arrives within `timeout_ms`, then the drops counted so far.
    std::optional<LiveError> poll(int timeout_ms);
    // Detaches every hook, delivers the rest of the buffer and the last drops.
    // The pump delivers nothing after it.
    std::optional<LiveError> finish();

    std::uint64_t records() const { return records_; }         // from the ring buffer
    std::uint64_t lost() const { return drops_->reported(); }  // in `lost` records
    std::uint64_t kernel_drops() const { return drops_->kernel_total(); }

private:
    EventPump() = default;
    void on_record(const pt_event& ev);
    void deliver_drops();

    std::unique_ptr<BpfSession> session_;
    std::unique_ptr<RingReader> ring_;
    std::unique_ptr<DropCounters> drops_;
    std::unique_ptr<StackCollector> stacks_;
    RecordSink record_sink_;
    StackSink stack_sink_;
    std::uint64_t records_ = 0;
    bool finished_ = false;
};

}  // namespace pasidtrace::live
