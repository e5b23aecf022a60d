// SPDX-License-Identifier: GPL-2.0-only
// Reads the framing of a native recording: the preamble and header JSON,
// then one checked chunk after another. What the chunks mean is the
// caller's (NativeSource).
//
// Crash recovery lives here: the first chunk whose header or payload is
// incomplete or fails its CRC ends the readable data. Everything before it
// is delivered, and stop_note() says where and why reading stopped. A file
// that ends on a chunk boundary without a trailer is a recording whose
// recorder died; that is said too.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "sources/recording_format.hpp"

namespace pasidtrace::sources::recording {

struct Chunk {
    ChunkKind kind = ChunkKind::events;  // may be a kind this build does not know
    std::uint32_t count = 0;
    std::uint64_t offset = 0;  // of the chunk header in the file
    std::string payload;
};

class RecordingReader {
public:
    // Opens `path` ("-": standard input, read front to back) and checks the
    // preamble and header; an error names the byte offset.
    static std::variant<std::unique_ptr<RecordingReader>, core::InputError> open(const std::string& path);

    const nlohmann::json& header_json() const { return header_json_; }

    // The next complete chunk other than the trailer; false at the end of
    // the readable data.
    bool next(Chunk& out);

    // The trailer's counts once next() has reached it.
    const std::optional<TrailerPayload>& trailer() const { return trailer_; }
    // Empty after a clean end; else where and why the data ends.
    const std::string& stop_note() const { return stop_note_; }
    // Set when next() returned false because the file could not be read: an
    // input error, unlike a torn or damaged tail.
    const std::optional<core::InputError>& error() const { return error_; }

private:
    struct FileCloser {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    using File = std::unique_ptr<std::FILE, FileCloser>;

    RecordingReader(File file, std::string path) : file_(std::move(file)), path_(std::move(path)) {}
    std::optional<core::InputError> read_header();
    core::InputError error_at(std::uint64_t offset, std::string message) const;
    std::size_t read(void* buf, std::size_t len);
    bool read_chunk_header(ChunkHeader& h);
    bool read_payload(const ChunkHeader& h, Chunk& out);
    void take_trailer(const Chunk& c);
    bool stop(std::uint64_t at, const std::string& why);

    File file_;
    std::string path_;
    nlohmann::json header_json_;
    std::uint64_t offset_ = 0;
    std::uint64_t chunks_ = 0;
    std::uint64_t event_records_ = 0;
    std::optional<TrailerPayload> trailer_;
    std::string stop_note_;
    std::optional<core::InputError> error_;
    int read_errno_ = 0;
    bool ended_ = false;
};

}  // namespace pasidtrace::sources::recording
