// SPDX-License-Identifier: GPL-2.0-only
// Reads the contract's JSON Lines form (section 1, fine points in 4): an
// optional header line, then one event per line. Streams: one line in memory
// at a time, so memory does not grow with the file.
#pragma once

#include <cstdint>
#include <fstream>
#include <istream>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sources/event_source.hpp"

namespace pasidtrace::sources {

class JsonlSource final : public EventSource {
public:
    // `display_path` names the input in errors and reports ("-" for stdin).
    // Reads up to the first event, so a bad header is reported by open().
    static std::unique_ptr<JsonlSource> open(std::unique_ptr<std::istream> in, std::string display_path,
                                             core::InputError& error);

    const core::TraceHeader& header() const override { return header_; }
    ReadStatus next(core::Event& out) override;
    const core::InputError& error() const override { return error_; }
    SourceCounters counters() const override { return counters_; }

private:
    JsonlSource(std::unique_ptr<std::istream> in, std::string display_path);

    // Reads lines until one holds a JSON object (or the end); false at the end.
    bool next_object(nlohmann::json& object);
    bool read_header();
    bool apply_header(const nlohmann::json& object);
    // The event on the line, or nullopt for a skipped (unknown) type.
    std::optional<ReadStatus> decode(const nlohmann::json& object, core::Event& out);
    ReadStatus fail(std::string field, std::string message);

    std::unique_ptr<std::istream> in_;
    std::string path_;
    std::string line_;
    std::uint64_t line_no_ = 0;
    bool failed_ = false;
    std::optional<nlohmann::json> pending_;  // first event, read while looking for the header
    core::TraceHeader header_;
    core::InputError error_;
    SourceCounters counters_;
};

}  // namespace pasidtrace::sources
