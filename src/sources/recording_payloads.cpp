// SPDX-License-Identifier: GPL-2.0-only
#include "sources/recording_payloads.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace pasidtrace::sources::recording {
namespace {

// Reads fixed-size values and strings off a payload, refusing to run past it.
class PayloadReader {
public:
    explicit PayloadReader(std::string_view bytes) : bytes_(bytes) {}

    template <typename T>
    bool value(T& out) {
        if (bytes_.size() - pos_ < sizeof(T)) return false;
        std::memcpy(&out, bytes_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return true;
    }
    bool text(std::size_t len, std::string& out) {
        if (bytes_.size() - pos_ < len) return false;
        out.assign(bytes_.data() + pos_, len);
        pos_ += len;
        return true;
    }
    bool at_end() const { return pos_ == bytes_.size(); }

private:
    std::string_view bytes_;
    std::size_t pos_ = 0;
};

template <typename T>
void put(ChunkBuffer& chunk, T v) {
    chunk.append(&v, sizeof v);
}

std::uint16_t clamp_len(std::size_t n) {
    return static_cast<std::uint16_t>(std::min<std::size_t>(n, std::numeric_limits<std::uint16_t>::max()));
}

std::optional<std::string> check_end(const PayloadReader& r) {
    if (r.at_end()) return std::nullopt;
    return std::string("payload has bytes after its last entry");
}

}  // namespace

void append_stack(ChunkBuffer& chunk, std::uint32_t id, std::span<const std::uint64_t> ips) {
    put(chunk, id);
    put(chunk, static_cast<std::uint32_t>(ips.size()));
    chunk.append(ips.data(), ips.size_bytes());
    chunk.add_count();
}

void append_symbol(ChunkBuffer& chunk, const KernelSymbol& sym) {
    // kallsyms names are at most KSYM_NAME_LEN (512) bytes: the clamp never bites.
    const std::uint16_t name_len = clamp_len(sym.name.size());
    const std::uint16_t module_len = clamp_len(sym.module.size());
    put(chunk, sym.address);
    put(chunk, name_len);
    put(chunk, module_len);
    chunk.append(sym.name.data(), name_len);
    chunk.append(sym.module.data(), module_len);
    chunk.add_count();
}

std::optional<std::string> decode_stacks(std::string_view payload, std::uint32_t count, const StackSink& sink) {
    PayloadReader r(payload);
    for (std::uint32_t i = 0; i < count; ++i) {
        std::uint32_t id = 0;
        std::uint32_t depth = 0;
        if (!r.value(id) || !r.value(depth) || depth > payload.size() / sizeof(std::uint64_t))
            return "stack " + std::to_string(i) + " runs past the payload";
        std::vector<std::uint64_t> ips(depth);
        for (auto& ip : ips)
            if (!r.value(ip)) return "stack " + std::to_string(i) + " runs past the payload";
        sink(id, std::move(ips));
    }
    return check_end(r);
}

std::optional<std::string> decode_symbols(std::string_view payload, std::uint32_t count, const SymbolSink& sink) {
    PayloadReader r(payload);
    for (std::uint32_t i = 0; i < count; ++i) {
        KernelSymbol sym;
        std::uint16_t name_len = 0;
        std::uint16_t module_len = 0;
        if (!r.value(sym.address) || !r.value(name_len) || !r.value(module_len) || !r.text(name_len, sym.name) ||
            !r.text(module_len, sym.module))
            return "symbol " + std::to_string(i) + " runs past the payload";
        sink(std::move(sym));
    }
    return check_end(r);
}

}  // namespace pasidtrace::sources::recording
