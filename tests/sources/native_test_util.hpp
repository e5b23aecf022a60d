// SPDX-License-Identifier: GPL-2.0-only
// Helpers shared by the native recording tests: a scratch directory,
// records built field by field, and a source read to its end.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "core/event.hpp"
#include "pasidtrace/event_abi.h"
#include "sources/native_source.hpp"
#include "sources/native_writer.hpp"

namespace pasidtrace::core {
inline void PrintTo(const Ident& id, std::ostream* os) { *os << (id ? id.to_string() : "(absent)"); }
}  // namespace pasidtrace::core

namespace pasidtrace::sources::testing {

class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pasidtrace-test-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline pt_event make_record(std::uint32_t type, std::uint64_t ts, std::uint32_t flags = 0) {
    pt_event r{};
    r.type = type;
    r.ts = ts;
    r.flags = flags;
    r.cpu = 3;
    r.pid = 700;
    r.tid = 701;
    r.stack_id = -1;
    std::strncpy(r.comm, "dsa_app", sizeof r.comm);
    return r;
}

inline RecordingHeader sample_header() {
    RecordingHeader h;
    h.kernel = "6.8.0-31-generic";
    h.hostname = "testhost";
    h.boot_id = "0b3c1a7e-8f7d-4c2e-9a51-3d2f6c0e9b11";
    h.start_realtime_ns = 1'700'000'000'000'000'000;
    h.start_monotonic_ns = 123'456'789;
    h.mmdrop_probe = core::MmdropProbe::entry;
    h.observed = std::vector<core::EventType>{core::EventType::bind, core::EventType::unbind,
                                              core::EventType::pasid_free, core::EventType::mmdrop};
    h.hooks = {{"bind", "fexit:iommu_sva_bind_device", "attached"},
               {"mmdrop", "fentry:__mmdrop", "attached"},
               {"iopf", "tracepoint:iommu:io_page_fault", "unavailable: no tracepoint"}};
    h.extra = {{"recorder", "test"}};
    return h;
}

// Writes one events chunk per entry of `chunks`.
inline void write_recording(const std::string& path, const std::vector<std::vector<pt_event>>& chunks,
                            bool close = true) {
    std::string err;
    auto w = NativeWriter::create(path, sample_header(), err);
    ASSERT_TRUE(w) << err;
    for (const auto& chunk : chunks) {
        for (const auto& r : chunk) ASSERT_TRUE(w->append(r)) << w->error();
        ASSERT_TRUE(w->flush()) << w->error();
    }
    // Without close() the file ends after the last flushed chunk, with no
    // trailer: what a recorder killed after a flush leaves.
    if (close) {
        ASSERT_TRUE(w->close({})) << w->error();
    }
}

struct ReadAll {
    std::vector<core::Event> events;
    std::string warning;
    std::optional<core::InputError> error;  // from open or from next()
    std::uint64_t skipped = 0;
};

inline ReadAll read_all(const std::string& path) {
    ReadAll out;
    auto opened = NativeSource::open(path);
    if (auto* err = std::get_if<core::InputError>(&opened)) {
        out.error = *err;
        return out;
    }
    auto& src = *std::get<std::unique_ptr<NativeSource>>(opened);
    core::Event e;
    for (;;) {
        ReadStatus st = src.next(e);
        if (st == ReadStatus::end) break;
        if (st == ReadStatus::error) {
            out.error = src.error();
            break;
        }
        out.events.push_back(e);
    }
    out.warning = src.warning();
    out.skipped = src.counters().skipped;
    return out;
}

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void spit(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::uint64_t> timestamps(const std::vector<core::Event>& events) {
    std::vector<std::uint64_t> ts;
    for (const auto& e : events) ts.push_back(e.ts);
    return ts;
}

}  // namespace pasidtrace::sources::testing
