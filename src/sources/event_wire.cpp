// SPDX-License-Identifier: GPL-2.0-only
#include "sources/event_wire.hpp"

#include <cstring>
#include <optional>

namespace pasidtrace::sources::wire {
namespace {

// Which of an event's optional fields follow its fixed part.
enum Present : std::uint16_t {
    kCpu = 1 << 0,
    kPid = 1 << 1,
    kTid = 1 << 2,
    kPasid = 1 << 3,
    kChildPid = 1 << 4,
    kChildTid = 1 << 5,
    kAddr = 1 << 6,
    kStackId = 1 << 7,
    kGroupDead = 1 << 8,
    kComm = 1 << 9,
    kRet = 1 << 10,
    kCount = 1 << 11,
};

template <typename T>
void put(std::string& out, T value) {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

void put_text(std::string& out, std::string_view text) {
    put(out, static_cast<std::uint32_t>(text.size()));
    out.append(text);
}

template <typename T>
void put_optional(std::string& out, const std::optional<T>& value) {
    if (value) put(out, *value);
}

// Reads from one event's bytes; `ok` turns false for good once they run out.
class Reader {
public:
    Reader(std::string_view bytes, std::size_t& at) : bytes_(bytes), at_(at) {}

    template <typename T>
    T get() {
        T value{};
        if (!take(sizeof value)) return value;
        std::memcpy(&value, bytes_.data() + at_ - sizeof value, sizeof value);
        return value;
    }
    template <typename T>
    std::optional<T> get_if(bool present) {
        if (!present) return std::nullopt;
        return get<T>();
    }
    std::string_view text() {
        const auto size = get<std::uint32_t>();
        if (!take(size)) return {};
        return bytes_.substr(at_ - size, size);
    }
    bool ok() const { return ok_; }

private:
    bool take(std::size_t n) {
        if (!ok_ || bytes_.size() - at_ < n) return ok_ = false;
        at_ += n;
        return true;
    }
    std::string_view bytes_;
    std::size_t& at_;
    bool ok_ = true;
};

// The five identifiers' kinds, two bits each, in this order.
core::Ident core::Event::* const kIdents[] = {&core::Event::mm, &core::Event::child_mm, &core::Event::old_mm,
                                              &core::Event::handle, &core::Event::dev};

std::uint16_t ident_kinds(const core::Event& e) {
    std::uint16_t kinds = 0;
    for (std::size_t i = 0; i < std::size(kIdents); ++i)
        kinds |= static_cast<std::uint16_t>(static_cast<unsigned>((e.*kIdents[i]).kind()) << (2 * i));
    return kinds;
}

void put_ident(std::string& out, const core::Ident& id) {
    if (id.kind() == core::Ident::Kind::text) put_text(out, id.str());
    else if (id.present()) put(out, id.value());
}

core::Ident get_ident(Reader& in, core::Ident::Kind kind) {
    switch (kind) {
    case core::Ident::Kind::absent: return {};
    case core::Ident::Kind::number: return core::Ident::number(in.get<std::uint64_t>());
    case core::Ident::Kind::address: return core::Ident::address(in.get<std::uint64_t>());
    case core::Ident::Kind::text: return core::Ident::text(std::string(in.text()));
    }
    return {};
}

std::uint16_t present_fields(const core::Event& e) {
    std::uint16_t p = 0;
    if (e.cpu) p |= kCpu;
    if (e.pid) p |= kPid;
    if (e.tid) p |= kTid;
    if (e.pasid) p |= kPasid;
    if (e.child_pid) p |= kChildPid;
    if (e.child_tid) p |= kChildTid;
    if (e.addr) p |= kAddr;
    if (e.stack_id) p |= kStackId;
    if (e.group_dead) p |= kGroupDead;
    if (!e.comm.empty()) p |= kComm;
    if (e.ret) p |= kRet;
    if (e.count) p |= kCount;
    return p;
}

template <typename T>
nlohmann::json optional_json(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::optional<std::string> optional_string(const nlohmann::json& j, const char* key) {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    return j.at(key).get<std::string>();
}

}  // namespace

void append_event(const core::Event& e, std::string& out) {
    const std::uint16_t present = present_fields(e);
    put(out, e.ts);
    put(out, e.pos.line);
    put(out, static_cast<std::uint8_t>(e.type));
    put(out, present);
    put(out, ident_kinds(e));
    put_optional(out, e.cpu);
    put_optional(out, e.pid);
    put_optional(out, e.tid);
    put_optional(out, e.pasid);
    put_optional(out, e.child_pid);
    put_optional(out, e.child_tid);
    put_optional(out, e.addr);
    put_optional(out, e.stack_id);
    if (present & kComm) put_text(out, e.comm);
    if (present & kRet) put(out, e.ret);
    if (present & kCount) put(out, e.count);
    for (const auto member : kIdents) put_ident(out, e.*member);
}

bool read_event(std::string_view bytes, std::size_t& at, core::Event& e) {
    Reader in(bytes, at);
    e.ts = in.get<std::uint64_t>();
    e.pos.line = in.get<std::uint64_t>();
    e.type = static_cast<core::EventType>(in.get<std::uint8_t>());
    const auto present = in.get<std::uint16_t>();
    const auto kinds = in.get<std::uint16_t>();
    e.cpu = in.get_if<std::uint32_t>(present & kCpu);
    e.pid = in.get_if<std::uint32_t>(present & kPid);
    e.tid = in.get_if<std::uint32_t>(present & kTid);
    e.pasid = in.get_if<std::uint32_t>(present & kPasid);
    e.child_pid = in.get_if<std::uint32_t>(present & kChildPid);
    e.child_tid = in.get_if<std::uint32_t>(present & kChildTid);
    e.addr = in.get_if<std::uint64_t>(present & kAddr);
    e.stack_id = in.get_if<std::uint32_t>(present & kStackId);
    e.group_dead = present & kGroupDead;
    if (present & kComm) e.comm.assign(in.text());
    else e.comm.clear();
    e.ret = (present & kRet) ? in.get<std::int64_t>() : 0;
    e.count = (present & kCount) ? in.get<std::uint64_t>() : 0;
    for (std::size_t i = 0; i < std::size(kIdents); ++i)
        e.*kIdents[i] = get_ident(in, static_cast<core::Ident::Kind>((kinds >> (2 * i)) & 3));
    return in.ok();
}

nlohmann::json header_to_json(const core::TraceHeader& h) {
    return {{"format", h.format},
            {"kernel", optional_json(h.kernel)},
            {"hostname", optional_json(h.hostname)},
            {"clock", optional_json(h.clock)},
            {"mmdrop_probe", static_cast<int>(h.mmdrop_probe)},
            {"observed", h.observed.to_bits()},
            {"has_observed_list", h.has_observed_list},
            {"extra", h.extra}};
}

core::TraceHeader header_from_json(const nlohmann::json& j) {
    core::TraceHeader h;
    h.format = j.at("format").get<std::string>();
    h.kernel = optional_string(j, "kernel");
    h.hostname = optional_string(j, "hostname");
    h.clock = optional_string(j, "clock");
    h.mmdrop_probe = static_cast<core::MmdropProbe>(j.at("mmdrop_probe").get<int>());
    h.observed = core::ObservedTypes::from_bits(j.at("observed").get<unsigned long>());
    h.has_observed_list = j.at("has_observed_list").get<bool>();
    h.extra = j.at("extra");
    return h;
}

nlohmann::json error_to_json(const core::InputError& e) {
    return {{"file", e.file}, {"line", e.line}, {"field", e.field}, {"message", e.message}};
}

core::InputError error_from_json(const nlohmann::json& j) {
    return {j.at("file").get<std::string>(), j.at("line").get<std::uint64_t>(), j.at("field").get<std::string>(),
            j.at("message").get<std::string>()};
}

}  // namespace pasidtrace::sources::wire
