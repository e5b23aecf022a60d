// SPDX-License-Identifier: GPL-2.0-only
#include "live/ring_reader.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

namespace pasidtrace::live {

std::variant<std::unique_ptr<RingReader>, LiveError> RingReader::open(int events_map_fd, Sink sink) {
    std::unique_ptr<RingReader> r(new RingReader());
    r->sink_ = std::move(sink);
    r->rb_ = ring_buffer__new(events_map_fd, &RingReader::on_record, r.get(), nullptr);
    if (!r->rb_) return LiveError{"ring buffer", std::string("cannot map it: ") + std::strerror(errno)};
    return r;
}

RingReader::~RingReader() { ring_buffer__free(rb_); }

int RingReader::on_record(void* self, void* data, std::size_t size) {
    auto* reader = static_cast<RingReader*>(self);
    if (size < sizeof(pt_event)) {
        ++reader->malformed_;
        return 0;
    }
    pt_event ev;
    std::memcpy(&ev, data, sizeof ev);
    reader->sink_(ev);
    return 0;
}

int RingReader::poll(int timeout_ms) {
    int n = ring_buffer__poll(rb_, timeout_ms);
    return n == -EINTR ? 0 : n;
}

int RingReader::drain() { return ring_buffer__consume(rb_); }

}  // namespace pasidtrace::live
