// SPDX-License-Identifier: GPL-2.0-only
#include "sources/jsonl_fields.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace pasidtrace::sources {
namespace {

using core::Event;
using core::EventType;
using Json = nlohmann::json;

// Bit per event type, to say which types read or require a field.
using TypeMask = std::uint32_t;
constexpr TypeMask bit(EventType t) { return TypeMask{1} << static_cast<unsigned>(t); }
constexpr TypeMask kAllTypes = ~TypeMask{0};
constexpr TypeMask kNoTypes = 0;

using Problem = std::optional<std::string>;
using Parser = Problem (*)(const Json&, Event&);

struct FieldRule {
    const char* name;
    TypeMask reads;
    TypeMask requires_;
    Parser parse;  // called only for a present, non-null value
};

Problem expected(const char* what, const Json& v) {
    return std::string("expected ") + what + ", got " + describe_json(v);
}

// Integers >= 0 up to `max`; a boolean or a float is not an integer.
std::optional<std::uint64_t> unsigned_value(const Json& v, std::uint64_t max, Problem& problem) {
    if (v.is_number_unsigned()) {
        auto n = v.get<std::uint64_t>();
        if (n <= max) return n;
        problem = std::to_string(n) + " is out of range 0.." + std::to_string(max);
        return std::nullopt;
    }
    problem = v.is_number_integer() ? std::optional(describe_json(v) + " is out of range 0.." + std::to_string(max))
                                    : expected("an integer >= 0", v);
    return std::nullopt;
}

template <typename T>
Problem set_unsigned(const Json& v, T& out) {
    Problem problem;
    if (auto n = unsigned_value(v, std::numeric_limits<T>::max(), problem)) out = static_cast<T>(*n);
    return problem;
}

template <typename T>
Problem set_optional_unsigned(const Json& v, std::optional<T>& out) {
    T value{};
    Problem problem = set_unsigned(v, value);
    if (!problem) out = value;
    return problem;
}

Problem set_ident(const Json& v, core::Ident& out) {
    if (v.is_string()) { out = core::Ident::text(v.get<std::string>()); return std::nullopt; }
    if (v.is_number_unsigned()) { out = core::Ident::number(v.get<std::uint64_t>()); return std::nullopt; }
    return expected("a string or an unsigned integer", v);
}

// A PASID the event is about: any value outside 1..1048575 is an error.
Problem parse_required_pasid(const Json& v, Event& e) {
    if (!v.is_number_integer()) return expected("an integer", v);
    if (v.is_number_unsigned() && core::is_valid_pasid(v.get<std::uint64_t>())) {
        e.pasid = static_cast<std::uint32_t>(v.get<std::uint64_t>());
        return std::nullopt;
    }
    return describe_json(v) + " is out of range 1.." + std::to_string(core::kPasidMax);
}

// bind/unbind: 0 (no PASID) and 0xFFFFFFFF (IOMMU_PASID_INVALID) mean absent.
Problem parse_optional_pasid(const Json& v, Event& e) {
    if (v.is_number_unsigned()) {
        auto n = v.get<std::uint64_t>();
        if (n == 0 || n == 0xFFFFFFFFu) return std::nullopt;
    }
    return parse_required_pasid(v, e);
}

Problem parse_ret(const Json& v, Event& e) {
    if (!v.is_number_integer()) return expected("an integer", v);
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > 0)
        return describe_json(v) + " is out of range: a bind returns 0 or a negative errno";
    e.ret = v.get<std::int64_t>();
    return std::nullopt;
}

Problem parse_addr(const Json& v, Event& e) {
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        std::size_t used = 0;
        try {
            auto n = std::stoull(s, &used, 0);
            if (used == s.size()) { e.addr = n; return std::nullopt; }
        } catch (const std::exception&) {  // std::stoull: not a number / too large
        }
        return expected("an address (integer or \"0x...\")", v);
    }
    return set_optional_unsigned(v, e.addr);
}

Problem parse_comm(const Json& v, Event& e) {
    if (!v.is_string()) return expected("a string", v);
    e.comm = v.get<std::string>();
    return std::nullopt;
}

Problem parse_group_dead(const Json& v, Event& e) {
    if (!v.is_boolean()) return expected("a boolean", v);
    e.group_dead = v.get<bool>();
    return std::nullopt;
}

constexpr TypeMask kPasidRequired =
    bit(EventType::pasid_alloc) | bit(EventType::pasid_free) | bit(EventType::pasid_msr) | bit(EventType::iopf);
constexpr TypeMask kPasidOptional = bit(EventType::bind) | bit(EventType::unbind);
constexpr TypeMask kNeedsTid = bit(EventType::pasid_msr) | bit(EventType::exit) | bit(EventType::fork);
constexpr TypeMask kNamesMm = bit(EventType::pasid_alloc) | bit(EventType::pasid_free) | bit(EventType::bind) |
                              bit(EventType::unbind) | bit(EventType::pasid_msr) | bit(EventType::fork) |
                              bit(EventType::exec) | bit(EventType::exit) | bit(EventType::mmput) |
                              bit(EventType::mmdrop);
constexpr TypeMask kRequiresMm =
    bit(EventType::bind) | bit(EventType::exec) | bit(EventType::mmput) | bit(EventType::mmdrop);
constexpr TypeMask kNamesDev = bit(EventType::bind) | bit(EventType::unbind) | bit(EventType::iopf);
constexpr TypeMask kNamesHandle = bit(EventType::bind) | bit(EventType::unbind);

// `ts` first: the order here is the order problems are reported in.
const std::array<FieldRule, 18> kFields{{
    {"ts", kAllTypes, kAllTypes, [](const Json& v, Event& e) { return set_unsigned(v, e.ts); }},
    {"cpu", kAllTypes, kNoTypes, [](const Json& v, Event& e) { return set_optional_unsigned(v, e.cpu); }},
    {"pid", kAllTypes, kNoTypes, [](const Json& v, Event& e) { return set_optional_unsigned(v, e.pid); }},
    {"tid", kAllTypes, kNeedsTid, [](const Json& v, Event& e) { return set_optional_unsigned(v, e.tid); }},
    {"comm", kAllTypes, kNoTypes, parse_comm},
    {"pasid", kPasidRequired, kPasidRequired, parse_required_pasid},
    {"pasid", kPasidOptional, kNoTypes, parse_optional_pasid},
    {"mm", kNamesMm, kRequiresMm, [](const Json& v, Event& e) { return set_ident(v, e.mm); }},
    {"child_mm", bit(EventType::fork), kNoTypes, [](const Json& v, Event& e) { return set_ident(v, e.child_mm); }},
    {"old_mm", bit(EventType::exec), kNoTypes, [](const Json& v, Event& e) { return set_ident(v, e.old_mm); }},
    {"dev", kNamesDev, bit(EventType::bind), [](const Json& v, Event& e) { return set_ident(v, e.dev); }},
    {"handle", kNamesHandle, kNoTypes, [](const Json& v, Event& e) { return set_ident(v, e.handle); }},
    {"ret", bit(EventType::bind), bit(EventType::bind), parse_ret},
    {"child_pid", bit(EventType::fork), bit(EventType::fork),
     [](const Json& v, Event& e) { return set_optional_unsigned(v, e.child_pid); }},
    {"child_tid", bit(EventType::fork), bit(EventType::fork),
     [](const Json& v, Event& e) { return set_optional_unsigned(v, e.child_tid); }},
    {"group_dead", bit(EventType::exit), bit(EventType::exit), parse_group_dead},
    {"addr", bit(EventType::iopf), kNoTypes, parse_addr},
    {"count", bit(EventType::lost), bit(EventType::lost), [](const Json& v, Event& e) { return set_unsigned(v, e.count); }},
}};

// "at least `handle`, or `dev` and `mm`" (contract 1, unbind).
std::optional<FieldError> check_unbind_target(const Event& e) {
    if (e.type != EventType::unbind || e.handle || (e.dev && e.mm)) return std::nullopt;
    return FieldError{"handle", "missing: an unbind needs \"handle\", or \"dev\" and \"mm\""};
}

}  // namespace

std::string describe_json(const nlohmann::json& value) {
    std::string s = value.dump();
    constexpr std::size_t kMax = 40;
    if (s.size() > kMax) s = s.substr(0, kMax) + "...";
    return s;
}

std::optional<FieldError> read_event_fields(const nlohmann::json& object, core::Event& out) {
    const TypeMask type = bit(out.type);
    for (const FieldRule& rule : kFields) {
        if (!(rule.reads & type)) continue;
        auto it = object.find(rule.name);
        if (it == object.end() || it->is_null()) {  // null means absent
            if (rule.requires_ & type)
                return FieldError{rule.name, std::string("missing (required by ") +
                                                 std::string(core::to_string(out.type)) + ")"};
            continue;
        }
        if (Problem p = rule.parse(*it, out)) return FieldError{rule.name, *p};
    }
    return check_unbind_target(out);
}

}  // namespace pasidtrace::sources
