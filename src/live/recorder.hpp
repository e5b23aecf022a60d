// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace record`: records into a native recording until asked to stop
// or the duration ends. Flushes about once a second, so a SIGKILL loses at
// most the last second; a stop request finishes the chunk, writes the
// stacks, their symbols and the trailer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <variant>

#include "live/event_pump.hpp"
#include "live/live_error.hpp"
#include "live/live_options.hpp"
#include "live/symbol_feed.hpp"
#include "sources/native_writer.hpp"

namespace pasidtrace::live {

class KernelFeatures;

// Once a second while recording, for the status line.
struct RecordStatus {
    std::uint64_t events = 0;
    double events_per_second = 0;
    std::uint64_t lost = 0;
    std::size_t live_pasids = 0;
};

struct RecordSummary {
    std::uint64_t events = 0;        // records written, `lost` ones included
    std::uint64_t lost = 0;          // events the kernel dropped, as written in `lost` records
    std::uint64_t kernel_drops = 0;  // the kernel's drop counters at the end
    std::uint64_t stacks = 0;
    std::string warning;  // e.g. why the stacks have no symbols
};

class Recorder {
public:
    using ShouldStop = std::function<bool()>;
    using StatusSink = std::function<void(const RecordStatus&)>;

    // Attaches the hooks and creates `path` (mode 0600) with its header.
    static std::variant<std::unique_ptr<Recorder>, LiveError> start(const LiveOptions& options, const std::string& path,
                                                                    const KernelFeatures& kernel);
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    const BpfSession& session() const { return pump_->session(); }

    // Records until should_stop() or `duration_s` elapsed, then closes the file.
    std::variant<RecordSummary, LiveError> run(const ShouldStop& should_stop, std::optional<double> duration_s,
                                               const StatusSink& status = {});

private:
    Recorder() = default;
    void on_record(const pt_event& ev);
    void on_stack(std::uint32_t id, const std::vector<std::uint64_t>& ips);
    void track_pasids(const pt_event& ev);
    std::optional<LiveError> writer_error() const;
    std::variant<RecordSummary, LiveError> close();

    std::unique_ptr<sources::NativeWriter> writer_;
    std::unique_ptr<EventPump> pump_;
    std::unique_ptr<SymbolFeed> symbols_;  // read once the programs are loaded
    std::unordered_set<std::uint32_t> live_pasids_;
    std::uint64_t written_ = 0;
    std::uint64_t stacks_ = 0;
};

// The recording header for this host and session.
sources::RecordingHeader recording_header_for(const BpfSession& session, const LiveOptions& options);

}  // namespace pasidtrace::live
