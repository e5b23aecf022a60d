// SPDX-License-Identifier: GPL-2.0-only
// Runs a source in a child process and reads its output through a pipe.
//
// For readers built on C libraries that trust their input: libtraceevent
// 1.7 dereferences NULL on some corrupt event formats and libtracecmd 1.3
// crashes on some corrupt buffer-instance options, and a crash there must
// become an error naming the file, never a crash of pasidtrace. Reading in
// a child also overlaps the library's work (decompressing, decoding) with
// the analysis in this process.
//
// The child writes frames of a tag and a length: the header (or the error
// that stopped the open), batches of events, then the end (counters,
// warning) or the error that stopped the read. A pipe that ends without
// either means the child died: its signal or status becomes the error.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "sources/event_source.hpp"
#include "sources/unique_fd.hpp"

namespace pasidtrace::sources {

class IsolatedSource final : public EventSource {
public:
    using Opener = std::function<std::variant<std::unique_ptr<EventSource>, core::InputError>(const std::string&)>;

    // `what` names the reader in the error of a child that died, e.g. "the
    // trace.dat reader (libtracecmd, libtraceevent)".
    static std::variant<std::unique_ptr<IsolatedSource>, core::InputError> open(const std::string& path,
                                                                                 const Opener& opener,
                                                                                 std::string what);
    ~IsolatedSource() override;
    IsolatedSource(const IsolatedSource&) = delete;
    IsolatedSource& operator=(const IsolatedSource&) = delete;

    const core::TraceHeader& header() const override { return header_; }
    ReadStatus next(core::Event& out) override;
    const core::InputError& error() const override { return error_; }
    SourceCounters counters() const override { return counters_; }
    std::string warning() const override { return warning_; }
    bool in_ts_order() const override { return in_ts_order_; }

    enum class Tag : std::uint8_t;  // a frame's first byte

private:
    enum class Frame { header, events, end, error, gone };

    IsolatedSource(std::string path, std::string what, pid_t child, UniqueFd from_child);
    Frame read_frame();
    Frame take_message(Tag tag, const nlohmann::json& message);
    Frame broken_frame();
    int reap();  // the child's wait status
    ReadStatus fail(core::InputError error);
    core::InputError child_died();

    std::string path_;
    std::string what_;
    pid_t child_;
    UniqueFd from_child_;
    std::string frame_;        // the payload of the frame read last
    std::size_t at_ = 0;       // the next event in frame_ (an events frame)
    std::uint64_t last_line_ = 0;  // the record the last event came from
    bool done_ = false;
    bool in_ts_order_ = false;
    bool header_received_ = false;
    core::TraceHeader header_;
    core::InputError error_;
    SourceCounters counters_;
    std::string warning_;
};

}  // namespace pasidtrace::sources
