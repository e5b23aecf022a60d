// SPDX-License-Identifier: GPL-2.0-only
#include "sources/recording_header.hpp"

#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <fstream>

namespace pasidtrace::sources {
namespace {

using nlohmann::json;

// Keys with a meaning of their own; everything else is `extra`.
constexpr std::array<std::string_view, 9> kKnownKeys{"kernel",  "hostname",     "boot_id",  "clock",
                                                     "start_realtime_ns", "start_monotonic_ns",
                                                     "mmdrop_probe", "observed", "hooks"};

bool is_known_key(std::string_view key) {
    for (auto k : kKnownKeys)
        if (k == key) return true;
    return false;
}

std::uint64_t clock_ns(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::string read_first_line(const char* path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

json hooks_to_json(const std::vector<HookStatus>& hooks) {
    json out = json::array();
    for (const auto& h : hooks) out.push_back({{"hook", h.hook}, {"mechanism", h.mechanism}, {"status", h.status}});
    return out;
}

// Each reader fills one field of the header from its key, or says what is wrong.
class HeaderParser {
public:
    explicit HeaderParser(const json& j) : j_(j) {}

    bool string(const char* key, std::string& out) {
        if (!j_.contains(key)) return true;
        if (!j_[key].is_string()) return fail(key, "must be a string");
        out = j_[key].get<std::string>();
        return true;
    }
    bool unsigned_int(const char* key, std::uint64_t& out) {
        if (!j_.contains(key)) return true;
        if (!j_[key].is_number_unsigned()) return fail(key, "must be an unsigned integer");
        out = j_[key].get<std::uint64_t>();
        return true;
    }
    bool observed(std::optional<std::vector<core::EventType>>& out) {
        if (!j_.contains("observed")) return true;
        const json& list = j_["observed"];
        if (!list.is_array()) return fail("observed", "must be a list of strings");
        out.emplace();
        for (const json& name : list) {
            if (!name.is_string()) return fail("observed", "must be a list of strings");
            if (auto t = core::event_type_from_string(name.get<std::string>())) out->push_back(*t);
        }
        return true;
    }
    bool hooks(std::vector<HookStatus>& out) {
        if (!j_.contains("hooks")) return true;
        const json& list = j_["hooks"];
        if (!list.is_array()) return fail("hooks", "must be a list of objects");
        for (const json& h : list) {
            HookStatus s;
            HeaderParser entry(h);
            if (!h.is_object() || !entry.string("hook", s.hook) || !entry.string("mechanism", s.mechanism) ||
                !entry.string("status", s.status))
                return fail("hooks", "must be a list of {hook, mechanism, status} strings");
            out.push_back(std::move(s));
        }
        return true;
    }
    const HeaderFieldError& error() const { return error_; }

private:
    bool fail(const char* key, const char* what) {
        error_ = {key, what};
        return false;
    }
    const json& j_;
    HeaderFieldError error_;
};

}  // namespace

RecordingHeader describe_this_host() {
    RecordingHeader h;
    utsname u{};
    if (uname(&u) == 0) h.kernel = u.release;
    std::array<char, 256> host{};
    if (gethostname(host.data(), host.size() - 1) == 0) h.hostname = host.data();
    h.boot_id = read_first_line("/proc/sys/kernel/random/boot_id");
    h.start_realtime_ns = clock_ns(CLOCK_REALTIME);
    h.start_monotonic_ns = clock_ns(CLOCK_MONOTONIC);
    return h;
}

std::string_view to_string(core::MmdropProbe probe) {
    switch (probe) {
    case core::MmdropProbe::entry: return "entry";
    case core::MmdropProbe::exit: return "exit";
    case core::MmdropProbe::unknown: break;
    }
    return "unknown";
}

core::MmdropProbe mmdrop_probe_from_string(std::string_view s) {
    if (s == "entry") return core::MmdropProbe::entry;
    if (s == "exit") return core::MmdropProbe::exit;
    return core::MmdropProbe::unknown;
}

json to_json(const RecordingHeader& h) {
    json j = h.extra.is_object() ? h.extra : json::object();
    if (!h.kernel.empty()) j["kernel"] = h.kernel;
    if (!h.hostname.empty()) j["hostname"] = h.hostname;
    if (!h.boot_id.empty()) j["boot_id"] = h.boot_id;
    j["clock"] = h.clock;
    j["start_realtime_ns"] = h.start_realtime_ns;
    j["start_monotonic_ns"] = h.start_monotonic_ns;
    j["mmdrop_probe"] = to_string(h.mmdrop_probe);
    if (h.observed) {
        json names = json::array();
        for (core::EventType t : *h.observed) names.push_back(core::to_string(t));
        j["observed"] = std::move(names);
    }
    j["hooks"] = hooks_to_json(h.hooks);
    return j;
}

std::variant<RecordingHeader, HeaderFieldError> recording_header_from_json(const json& j) {
    if (!j.is_object()) return HeaderFieldError{"", "recording header is not a JSON object"};
    RecordingHeader h;
    h.clock.clear();
    std::string probe;
    HeaderParser p(j);
    bool ok = p.string("kernel", h.kernel) && p.string("hostname", h.hostname) && p.string("boot_id", h.boot_id) &&
              p.string("clock", h.clock) && p.unsigned_int("start_realtime_ns", h.start_realtime_ns) &&
              p.unsigned_int("start_monotonic_ns", h.start_monotonic_ns) && p.string("mmdrop_probe", probe) &&
              p.observed(h.observed) && p.hooks(h.hooks);
    if (!ok) return p.error();
    h.mmdrop_probe = mmdrop_probe_from_string(probe);
    for (const auto& [key, value] : j.items())
        if (!is_known_key(key)) h.extra[key] = value;
    return h;
}

core::TraceHeader to_trace_header(const RecordingHeader& h) {
    core::TraceHeader t;
    t.format = "native";
    if (!h.kernel.empty()) t.kernel = h.kernel;
    if (!h.hostname.empty()) t.hostname = h.hostname;
    if (!h.clock.empty()) t.clock = h.clock;
    t.mmdrop_probe = h.mmdrop_probe;
    if (h.observed) {
        t.observed = core::ObservedTypes::none();
        for (core::EventType type : *h.observed) t.observed.add(type);
        t.has_observed_list = true;
    }
    t.extra = h.extra.is_object() ? h.extra : json::object();
    if (!h.boot_id.empty()) t.extra["boot_id"] = h.boot_id;
    t.extra["start_realtime_ns"] = h.start_realtime_ns;
    t.extra["start_monotonic_ns"] = h.start_monotonic_ns;
    t.extra["hooks"] = hooks_to_json(h.hooks);
    return t;
}

}  // namespace pasidtrace::sources
