// SPDX-License-Identifier: GPL-2.0-only
// Owns the libbpf ring buffer consumer of the `events` map and hands each
// record to a callback as a pt_event.
#pragma once

#include <functional>
#include <memory>
#include <variant>

#include "live/live_error.hpp"
#include "pasidtrace/event_abi.h"

struct ring_buffer;

namespace pasidtrace::live {

class RingReader {
public:
    using Sink = std::function<void(const pt_event&)>;

    static std::variant<std::unique_ptr<RingReader>, LiveError> open(int events_map_fd, Sink sink);
    ~RingReader();
    RingReader(const RingReader&) = delete;
    RingReader& operator=(const RingReader&) = delete;

    // Waits up to `timeout_ms` for records and delivers them. Returns the
    // number delivered, 0 on timeout or a signal, or a negative errno.
    int poll(int timeout_ms);
    // Delivers whatever is in the buffer without waiting.
    int drain();
    std::uint64_t malformed() const { return malformed_; }

private:
    RingReader() = default;
    static int on_record(void* self, void* data, std::size_t size);

    ring_buffer* rb_ = nullptr;
    Sink sink_;
    std::uint64_t malformed_ = 0;
};

}  // namespace pasidtrace::live
