// SPDX-License-Identifier: GPL-2.0-only
// The ring buffer as an EventSource, for `pasidtrace live`: next() waits
// for the kernel's next record and returns it as a core::Event, until a
// stop is requested (then it drains what is left and ends). Stacks are
// symbolized from this host's kallsyms as they arrive, so findings printed
// while recording already show function names.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "live/event_pump.hpp"
#include "live/live_error.hpp"
#include "live/live_options.hpp"
#include "live/symbol_feed.hpp"
#include "sources/event_source.hpp"
#include "sources/native_stacks.hpp"
#include "sources/recording_header.hpp"

namespace pasidtrace::live {

class KernelFeatures;

class LiveSource final : public sources::EventSource {
public:
    using ShouldStop = std::function<bool()>;

    static std::variant<std::unique_ptr<LiveSource>, LiveError> start(const LiveOptions& options,
                                                                      const KernelFeatures& kernel,
                                                                      ShouldStop should_stop);

    const core::TraceHeader& header() const override { return header_; }
    sources::ReadStatus next(core::Event& out) override;
    const core::InputError& error() const override { return error_; }
    sources::SourceCounters counters() const override { return counters_; }
    const sources::StackTable* stacks() const override { return &stacks_; }

    const BpfSession& session() const { return pump_->session(); }
    const sources::RecordingHeader& recording_header() const { return recording_header_; }
    std::uint64_t lost() const { return pump_->lost(); }

private:
    LiveSource() = default;
    void on_stack(std::uint32_t id, const std::vector<std::uint64_t>& ips);
    sources::ReadStatus fail(std::string where, std::string message);

    std::unique_ptr<EventPump> pump_;
    ShouldStop should_stop_;
    std::deque<pt_event> queue_;
    bool finished_ = false;
    std::uint64_t index_ = 0;  // records handed out, for evidence lines
    sources::RecordingHeader recording_header_;
    core::TraceHeader header_;
    core::InputError error_;
    sources::SourceCounters counters_;
    std::unique_ptr<SymbolFeed> symbols_;  // read once the programs are loaded
    sources::NativeStackTable stacks_;
};

}  // namespace pasidtrace::live
