// SPDX-License-Identifier: GPL-2.0-only
#include "reports/json_report.hpp"

#include <array>

namespace pasidtrace::reports {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json or_null(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

// Identifiers are written back the way the contract spells them: a number
// stays a number, a kernel address becomes "0x...", a text is itself.
Json ident_json(const core::Ident& id) {
    switch (id.kind()) {
    case core::Ident::Kind::absent: return nullptr;
    case core::Ident::Kind::number: return id.value();
    case core::Ident::Kind::text:
    case core::Ident::Kind::address: return id.to_string();
    }
    return nullptr;
}

// "mm": "mm#N" (or null), then "mm_id" only with --show-kernel-pointers.
void put_mm(Json& obj, const std::optional<core::MmRef>& mm, const ReportOptions& options) {
    obj["mm"] = mm ? Json(mm->name()) : Json(nullptr);
    if (options.show_kernel_pointers) obj["mm_id"] = mm ? ident_json(mm->raw) : Json(nullptr);
}

Json input_json(const ReportInput& in) {
    const core::InputCounters& c = in.result.input;
    return Json{{"path", in.path},       {"format", in.format},
                {"events", c.events},    {"lost", c.lost},
                {"skipped", c.skipped},  {"failed_binds", c.failed_binds},
                {"late", c.late}};
}

Json summary_json(const core::AnalysisResult& r) {
    std::array<std::uint64_t, 3> by_severity{};  // indexed by core::Severity
    for (const auto& f : r.findings) ++by_severity[static_cast<std::size_t>(core::rule_info(f.rule).severity)];
    return Json{{"pasids", r.distinct_pasids},
                {"mms", r.mms_with_pasid},
                {"findings",
                 Json{{"error", by_severity[static_cast<std::size_t>(core::Severity::error)]},
                      {"warning", by_severity[static_cast<std::size_t>(core::Severity::warning)]},
                      {"info", by_severity[static_cast<std::size_t>(core::Severity::info)]}}}};
}

Json binding_json(const core::BindingRecord& b) {
    return Json{{"dev", ident_json(b.dev)}, {"bind_ts", b.bind_ts}, {"unbind_ts", or_null(b.unbind_ts)}};
}

Json thread_json(const core::ThreadRecord& t) {
    return Json{{"pid", or_null(t.pid)}, {"tid", t.tid}, {"comm", t.comm},
                {"msr_ts", t.msr_ts},    {"exit_ts", or_null(t.exit_ts)}};
}

Json lifetime_json(const core::Lifetime& l, const ReportOptions& options) {
    Json j{{"pasid", l.pasid}};
    put_mm(j, l.mm, options);
    j["state"] = std::string(core::to_string(l.state));
    j["alloc_ts"] = l.alloc_ts;
    j["alloc_seen"] = l.alloc_seen;
    j["free_ts"] = or_null(l.free_ts);
    j["mmput_ts"] = or_null(l.mmput_ts);
    j["mmdrop_ts"] = or_null(l.mmdrop_ts);
    j["bindings"] = Json::array();
    for (const auto& b : l.bindings) j["bindings"].push_back(binding_json(b));
    j["threads"] = Json::array();
    for (const auto& t : l.threads) j["threads"].push_back(thread_json(t));
    return j;
}

Json unchecked_json(const core::UncheckedRule& u) {
    Json missing = Json::array();
    for (auto t : u.missing) missing.push_back(std::string(core::to_string(t)));
    return Json{{"rule", std::string(core::rule_info(u.rule).name)}, {"missing", missing}};
}

Json evidence_json(const core::EvidenceRef& e, const sources::StackTable* stacks) {
    Json j{{"ts", e.ts}, {"type", std::string(core::to_string(e.type))}, {"line", e.line}};
    if (stacks && e.stack_id) {
        auto frames = stacks->frames(*e.stack_id);
        if (!frames.empty()) j["stack"] = frames;
    }
    return j;
}

Json finding_json(const core::Finding& f, const ReportInput& in, const ReportOptions& options) {
    const core::RuleInfo& info = core::rule_info(f.rule);
    Json j{{"rule", std::string(info.name)},
           {"severity", std::string(core::to_string(info.severity))},
           {"pasid", or_null(f.pasid)}};
    put_mm(j, f.mm, options);
    j["ts"] = f.ts;
    j["uncertain"] = f.uncertain;
    j["message"] = f.message;
    j["evidence"] = Json::array();
    for (const auto& e : f.evidence) j["evidence"].push_back(evidence_json(e, in.stacks));
    return j;
}

}  // namespace

nlohmann::ordered_json json_report(const ReportInput& input, const ReportOptions& options) {
    const core::AnalysisResult& r = input.result;
    Json j{{"report", "pasidtrace"}, {"version", 1}, {"model", std::string(core::to_string(r.model))}};
    j["input"] = input_json(input);
    j["summary"] = summary_json(r);
    j["lifetimes"] = Json::array();
    for (const auto& l : r.lifetimes) j["lifetimes"].push_back(lifetime_json(l, options));
    j["unchecked"] = Json::array();
    for (const auto& u : r.unchecked) j["unchecked"].push_back(unchecked_json(u));
    j["findings"] = Json::array();
    for (const auto& f : r.findings) j["findings"].push_back(finding_json(f, input, options));
    return j;
}

}  // namespace pasidtrace::reports
