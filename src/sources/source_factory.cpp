// SPDX-License-Identifier: GPL-2.0-only
#include "sources/source_factory.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "sources/isolated_source.hpp"
#include "sources/jsonl_source.hpp"
#include "sources/native_source.hpp"
#include "sources/recording_format.hpp"
#include "sources/tracedat_source.hpp"

namespace pasidtrace::sources {
namespace {

// A non-owning stream over std::cin, so every reader owns its istream alike.
class StdinStream : public std::istream {
public:
    StdinStream() : std::istream(std::cin.rdbuf()) {}
};

std::variant<std::unique_ptr<EventSource>, core::InputError> open_jsonl(std::unique_ptr<std::istream> in,
                                                                         const std::string& path) {
    core::InputError error;
    auto src = JsonlSource::open(std::move(in), path, error);
    if (!src) return error;
    return std::unique_ptr<EventSource>(std::move(src));
}

// The first bytes of the file, for telling formats apart by content.
std::string leading_bytes(const std::string& path, std::size_t n) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes(n, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(n));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    return bytes;
}

// libtracecmd and libtraceevent crash on some corrupt files: they run in a
// child process (sources/isolated_source), which also overlaps their work
// with the analysis.
std::variant<std::unique_ptr<EventSource>, core::InputError> open_tracedat(const std::string& path) {
    auto in_child = [](const std::string& p) -> std::variant<std::unique_ptr<EventSource>, core::InputError> {
        auto opened = TraceDatSource::open(p);
        if (auto* err = std::get_if<core::InputError>(&opened)) return *err;
        return std::unique_ptr<EventSource>(std::move(std::get<std::unique_ptr<TraceDatSource>>(opened)));
    };
    auto opened = IsolatedSource::open(path, in_child, "the trace.dat reader (libtracecmd, libtraceevent)");
    if (auto* err = std::get_if<core::InputError>(&opened)) return *err;
    return std::unique_ptr<EventSource>(std::move(std::get<std::unique_ptr<IsolatedSource>>(opened)));
}

std::variant<std::unique_ptr<EventSource>, core::InputError> open_native(const std::string& path) {
    auto opened = NativeSource::open(path);
    if (auto* err = std::get_if<core::InputError>(&opened)) return *err;
    return std::unique_ptr<EventSource>(std::move(std::get<std::unique_ptr<NativeSource>>(opened)));
}

}  // namespace

std::variant<std::unique_ptr<EventSource>, core::InputError> open_source(const std::string& path) {
    if (path == "-") {
        std::ios::sync_with_stdio(false);
        return open_jsonl(std::make_unique<StdinStream>(), path);
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return core::InputError{path, 0, {}, "is a directory"};
    auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*file) return core::InputError{path, 0, {}, std::string("cannot open: ") + std::strerror(errno)};
    if (leading_bytes(path, recording::kMagic.size()) == recording::kMagic) return open_native(path);
    if (leading_bytes(path, kTraceDatMagic.size()) == kTraceDatMagic) return open_tracedat(path);
    return open_jsonl(std::move(file), path);
}

}  // namespace pasidtrace::sources
