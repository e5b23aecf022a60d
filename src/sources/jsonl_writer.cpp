// SPDX-License-Identifier: GPL-2.0-only
#include "sources/jsonl_writer.hpp"

#include "sources/recording_header.hpp"

namespace pasidtrace::sources {
namespace {

using json = nlohmann::ordered_json;
using core::EventType;

void put_ident(json& j, const char* key, const core::Ident& id) {
    if (!id) return;
    if (id.kind() == core::Ident::Kind::number) j[key] = id.value();
    else j[key] = id.to_string();
}

template <typename T>
void put_optional(json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

// Fields each type's contract row names, in its order; what the event does
// not have is left out.
void put_type_fields(json& j, const core::Event& e) {
    switch (e.type) {
    case EventType::bind:
        put_ident(j, "dev", e.dev);
        put_ident(j, "mm", e.mm);
        put_optional(j, "pasid", e.pasid);
        put_ident(j, "handle", e.handle);
        j["ret"] = e.ret;
        return;
    case EventType::unbind:
        put_ident(j, "handle", e.handle);
        put_ident(j, "dev", e.dev);
        put_ident(j, "mm", e.mm);
        put_optional(j, "pasid", e.pasid);
        return;
    case EventType::fork:
        put_optional(j, "child_pid", e.child_pid);
        put_optional(j, "child_tid", e.child_tid);
        put_ident(j, "mm", e.mm);
        put_ident(j, "child_mm", e.child_mm);
        return;
    case EventType::exec:
        put_ident(j, "mm", e.mm);
        put_ident(j, "old_mm", e.old_mm);
        return;
    case EventType::exit:
        put_ident(j, "mm", e.mm);
        j["group_dead"] = e.group_dead;
        return;
    case EventType::iopf:
        put_ident(j, "dev", e.dev);
        put_optional(j, "pasid", e.pasid);
        put_optional(j, "addr", e.addr);
        return;
    case EventType::lost: j["count"] = e.count; return;
    default:  // pasid_alloc, pasid_free, pasid_msr, mmput, mmdrop
        put_optional(j, "pasid", e.pasid);
        put_ident(j, "mm", e.mm);
        return;
    }
}

}  // namespace

json header_to_jsonl(const core::TraceHeader& header) {
    json j{{"type", "header"}, {"format", "pasidtrace-events"}, {"version", 1}};
    if (header.kernel) j["kernel"] = *header.kernel;
    if (header.hostname) j["hostname"] = *header.hostname;
    if (header.clock) j["clock"] = *header.clock;
    if (header.mmdrop_probe != core::MmdropProbe::unknown) j["mmdrop_probe"] = to_string(header.mmdrop_probe);
    if (header.has_observed_list) {
        json names = json::array();
        for (int t = 1; t < core::kEventTypeCount; ++t)
            if (header.observed.has(static_cast<EventType>(t))) names.push_back(core::to_string(static_cast<EventType>(t)));
        j["observed"] = std::move(names);
    }
    if (header.extra.is_object())
        for (const auto& [key, value] : header.extra.items())
            if (!j.contains(key)) j[key] = value;
    return j;
}

json event_to_jsonl(const core::Event& e) {
    json j{{"ts", e.ts}, {"type", core::to_string(e.type)}};
    put_optional(j, "cpu", e.cpu);
    put_optional(j, "pid", e.pid);
    put_optional(j, "tid", e.tid);
    if (!e.comm.empty()) j["comm"] = e.comm;
    put_type_fields(j, e);
    return j;
}

std::optional<core::InputError> write_jsonl(EventSource& source, std::ostream& out) {
    // comm and dev come from the kernel as bytes, not necessarily UTF-8;
    // JSON strings must be, so invalid bytes become U+FFFD.
    constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
    out << header_to_jsonl(source.header()).dump(-1, ' ', false, kReplace) << '\n';
    core::Event e;
    for (;;) {
        switch (source.next(e)) {
        case ReadStatus::event: out << event_to_jsonl(e).dump(-1, ' ', false, kReplace) << '\n'; break;
        case ReadStatus::end: return std::nullopt;
        case ReadStatus::error: return source.error();
        }
    }
}

}  // namespace pasidtrace::sources
