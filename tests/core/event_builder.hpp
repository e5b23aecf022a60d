// SPDX-License-Identifier: GPL-2.0-only
// Small helpers to write event streams in tests the way the contract's
// JSON Lines examples read: Ev(ts, type).mm("A").pasid(3).tid(1).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/analyzer.hpp"
#include "core/rules.hpp"

namespace pasidtrace::test {

using core::Event;
using core::EventType;
using core::Ident;

class Ev {
public:
    Ev(std::uint64_t ts, EventType type) {
        e_.ts = ts;
        e_.type = type;
        e_.pos.line = ts;
    }
    Ev& mm(const char* v) { e_.mm = Ident::text(v); return *this; }
    Ev& child_mm(const char* v) { e_.child_mm = Ident::text(v); return *this; }
    Ev& old_mm(const char* v) { e_.old_mm = Ident::text(v); return *this; }
    Ev& handle(const char* v) { e_.handle = Ident::text(v); return *this; }
    Ev& dev(const char* v) { e_.dev = Ident::text(v); return *this; }
    Ev& pasid(std::uint32_t v) { e_.pasid = v; return *this; }
    Ev& tid(std::uint32_t v) { e_.tid = v; return *this; }
    Ev& pid(std::uint32_t v) { e_.pid = v; return *this; }
    Ev& comm(const char* v) { e_.comm = v; return *this; }
    Ev& ret(std::int64_t v) { e_.ret = v; return *this; }
    Ev& child(std::uint32_t pid, std::uint32_t tid) { e_.child_pid = pid; e_.child_tid = tid; return *this; }
    Ev& group_dead(bool v = true) { e_.group_dead = v; return *this; }
    Ev& count(std::uint64_t v) { e_.count = v; return *this; }
    operator Event() const { return e_; }  // NOLINT(google-explicit-constructor)

private:
    Event e_;
};

inline Ev alloc(std::uint64_t ts, std::uint32_t pasid) { return Ev(ts, EventType::pasid_alloc).pasid(pasid); }
inline Ev free_(std::uint64_t ts, std::uint32_t pasid) { return Ev(ts, EventType::pasid_free).pasid(pasid); }
inline Ev bind(std::uint64_t ts, const char* mm, std::uint32_t pasid, const char* handle) {
    return Ev(ts, EventType::bind).mm(mm).dev("0000:6a:01.0").pasid(pasid).handle(handle).ret(0);
}
inline Ev unbind(std::uint64_t ts, const char* handle) { return Ev(ts, EventType::unbind).handle(handle); }
inline Ev msr(std::uint64_t ts, std::uint32_t tid, std::uint32_t pasid) {
    return Ev(ts, EventType::pasid_msr).tid(tid).pasid(pasid);
}
inline Ev mmdrop(std::uint64_t ts, const char* mm) { return Ev(ts, EventType::mmdrop).mm(mm); }
inline Ev mmput(std::uint64_t ts, const char* mm) { return Ev(ts, EventType::mmput).mm(mm); }
inline Ev exit_(std::uint64_t ts, std::uint32_t tid) { return Ev(ts, EventType::exit).tid(tid); }
inline Ev iopf(std::uint64_t ts, std::uint32_t pasid) { return Ev(ts, EventType::iopf).pasid(pasid); }
inline Ev lost(std::uint64_t ts, std::uint64_t n) { return Ev(ts, EventType::lost).count(n); }

struct RunOptions {
    core::Model model = core::Model::mm;
    core::ObservedTypes observed = core::ObservedTypes::all();
    core::MmdropProbe probe = core::MmdropProbe::unknown;
};

inline core::AnalysisResult run(const std::vector<Event>& events, RunOptions o = {}) {
    core::Analyzer a(core::AnalyzerOptions{o.model, o.observed, o.probe});
    for (const Event& e : events) a.apply(e);
    return a.finish();
}

inline core::AnalysisResult run(const std::vector<Event>& events, core::Model model) {
    RunOptions o;
    o.model = model;
    return run(events, o);
}

// "rule pasid mm" per finding, e.g. "early-free-bound 3 mm#1"; null prints "-".
inline std::multiset<std::string> findings_of(const core::AnalysisResult& r) {
    std::multiset<std::string> out;
    for (const auto& f : r.findings)
        out.insert(std::string(core::rule_info(f.rule).name) + " " + (f.pasid ? std::to_string(*f.pasid) : "-") +
                   " " + (f.mm ? f.mm->name() : "-"));
    return out;
}

// "pasid mm state" per lifetime.
inline std::multiset<std::string> lifetimes_of(const core::AnalysisResult& r) {
    std::multiset<std::string> out;
    for (const auto& l : r.lifetimes)
        out.insert(std::to_string(l.pasid) + " " + (l.mm ? l.mm->name() : "-") + " " +
                   std::string(core::to_string(l.state)));
    return out;
}

using Set = std::multiset<std::string>;

}  // namespace pasidtrace::test
