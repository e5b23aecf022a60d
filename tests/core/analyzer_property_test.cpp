// SPDX-License-Identifier: GPL-2.0-only
// Property tests over random PASID lifecycles (contract sections 2 and 4):
// every valid lifecycle, however its processes interleave, is clean; one
// injected bug yields exactly the rules the contract names for it. Seeds are
// fixed, so a failure names the seed and prints the event list.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "event_builder.hpp"

namespace pasidtrace::test {
namespace {

using core::Model;
using Script = std::vector<Event>;  // events in order, ts stamped at the end
using Rng = std::mt19937_64;

constexpr std::uint32_t kFreshTid = 90000;                // a task with no other events
constexpr std::uint32_t kForeignPasid = core::kPasidMax;  // never generated

bool coin(Rng& r, double p = 0.5) { return std::bernoulli_distribution(p)(r); }
std::size_t pick(Rng& r, std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(r);
}
Ev task(EventType t, std::uint32_t pid, std::uint32_t tid) { return Ev(0, t).pid(pid).tid(tid); }
Ev fresh(EventType t) { return task(t, kFreshTid, kFreshTid); }

// A random interleaving that keeps each part's own order, uniformly over
// the remaining events: only per-process (per-thread) order is meaningful.
Script merge(const std::vector<Script>& parts, Rng& r) {
    std::vector<std::size_t> next(parts.size(), 0);
    std::size_t left = 0;
    for (const Script& p : parts) left += p.size();
    Script out;
    for (; left > 0; --left) {
        std::size_t k = pick(r, 0, left - 1), i = 0;
        for (; k >= parts[i].size() - next[i]; ++i) k -= parts[i].size() - next[i];
        out.push_back(parts[i][next[i]++]);
    }
    return out;
}

void append(Script& to, const Script& from) { to.insert(to.end(), from.begin(), from.end()); }

// One process holding one PASID, and its script.
struct Proc {
    std::string mm;
    std::uint32_t pid = 0, pasid = 0, dropper = 0;  // dropper: the task whose mmdrop frees the PASID
    Script s;
    Ev on(EventType t) const { return task(t, pid, pid).mm(mm.c_str()); }
};

// ------------------------------------------------------------ generator

// Binds to 1..3 devices; 6.8+ hands an active handle back when the same
// device binds again, so a handle sometimes gets a second reference. Every
// reference is unbound, in random order. The first bind carries the PASID,
// later ones may leave it to the mm that holds it.
std::pair<Script, Script> bindings(const Proc& p, Rng& r) {
    Script binds, unbinds;
    std::vector<std::string> refs;
    for (std::size_t d = 0, n = pick(r, 1, 3); d < n; ++d) {
        std::string h = p.mm + "-h" + std::to_string(d), dev = "0000:6a:0" + std::to_string(d) + ".0";
        Ev b = p.on(EventType::bind).dev(dev.c_str()).handle(h.c_str()).ret(0);
        if (d == 0 || coin(r)) b.pasid(p.pasid);
        binds.push_back(b);
        refs.push_back(h);
        if (coin(r, 0.3)) {
            binds.push_back(p.on(EventType::bind).dev(dev.c_str()).handle(h.c_str()).ret(0));
            refs.push_back(h);
        }
    }
    std::shuffle(refs.begin(), refs.end(), r);
    for (const std::string& h : refs) unbinds.push_back(task(EventType::unbind, p.pid, p.pid).handle(h.c_str()));
    return {binds, unbinds};
}

Ev msr_on(const Proc& p, std::uint32_t tid, Rng& r) {
    Ev m = task(EventType::pasid_msr, p.pid, tid).pasid(p.pasid);
    if (coin(r)) m.mm(p.mm.c_str());  // a write_msr tracepoint cannot read the mm
    return m;
}

// A CLONE_VM thread: loads the PASID on its first ENQCMD (#GP fix-up), may
// exec (which ends its MSR reference, as an exit does), then exits.
Script thread_chain(const Proc& p, std::uint32_t tid, Rng& r) {
    Script s{p.on(EventType::fork).child(p.pid, tid).child_mm(p.mm.c_str())};
    for (std::size_t i = 0, n = pick(r, 0, 2); i < n; ++i) s.push_back(msr_on(p, tid, r));
    if (coin(r, 0.25)) {
        std::string nm = p.mm + "-x" + std::to_string(tid);
        s.push_back(task(EventType::exec, p.pid, tid).mm(nm.c_str()).old_mm(p.mm.c_str()));
        s.push_back(task(EventType::exit, p.pid, tid).mm(nm.c_str()));
        s.push_back(task(EventType::mmput, p.pid, tid).mm(nm.c_str()));
        s.push_back(task(EventType::mmdrop, p.pid, tid).mm(nm.c_str()));
        return s;
    }
    // Sometimes only the group's last exit is seen: it ends every thread
    // of the group (4, Threads).
    if (coin(r, 0.2)) return s;
    Ev ex = task(EventType::exit, p.pid, tid);
    if (coin(r)) ex.mm(p.mm.c_str());
    s.push_back(ex);
    return s;
}

// A forked child process: a new mm, which never holds the parent's PASID
// (the kernel clears mm->pasid on fork). It may exec, then it dies.
Script child_chain(const Proc& p, std::uint32_t cpid, Rng& r) {
    std::string cm = p.mm + "-c" + std::to_string(cpid);
    Script s{p.on(EventType::fork).child(cpid, cpid).child_mm(cm.c_str())};
    std::string cur = cm;
    if (coin(r)) {
        cur = cm + "x";
        s.push_back(task(EventType::exec, cpid, cpid).mm(cur.c_str()).old_mm(cm.c_str()));
        s.push_back(task(EventType::mmput, cpid, cpid).mm(cm.c_str()));
        s.push_back(task(EventType::mmdrop, cpid, cpid).mm(cm.c_str()));
    }
    s.push_back(task(EventType::exit, cpid, cpid).mm(cur.c_str()).group_dead());
    s.push_back(task(EventType::mmput, cpid, cpid).mm(cur.c_str()));
    s.push_back(task(EventType::mmdrop, cpid, cpid).mm(cur.c_str()));
    return s;
}

// The free inside __mmdrop: just before or just after the drop, on the
// dropping task (both probe placements are valid with an unknown probe).
Script free_at_drop(const Proc& p, Rng& r) {
    Ev f = task(EventType::pasid_free, p.dropper, p.dropper).pasid(p.pasid);
    if (coin(r)) f.mm(p.mm.c_str());
    Ev d = task(EventType::mmdrop, p.dropper, p.dropper).mm(p.mm.c_str());
    return coin(r) ? Script{f, d} : Script{d, f};
}

// A valid model-mm lifecycle. Eras: alloc with mm (5.18-6.3), global alloc
// tied by the bind (6.4+), or alloc before the recording started.
Proc make_proc(std::size_t i, std::uint32_t pasid, Rng& r) {
    Proc p;
    p.mm = "mm" + std::to_string(i);
    p.pid = static_cast<std::uint32_t>(1000 * (i + 1));
    p.pasid = pasid;
    p.dropper = coin(r) ? p.pid : static_cast<std::uint32_t>(50000 + i);  // exit path or a kworker
    std::size_t era = pick(r, 0, 2);
    if (era == 0) p.s.push_back(p.on(EventType::pasid_alloc).pasid(pasid));
    if (era == 1) p.s.push_back(task(EventType::pasid_alloc, p.pid, p.pid).pasid(pasid));
    auto [binds, unbinds] = bindings(p, r);
    p.s.push_back(binds.front());  // threads load the PASID only once the mm holds it
    std::vector<Script> chains{Script(binds.begin() + 1, binds.end())};
    // Late unbinds: the fd is released after the process died (6.2+ can
    // drop the mm inside that unbind).
    const bool late = coin(r, 0.4);
    if (!late) append(chains[0], unbinds);
    for (std::uint32_t t = 1, n = pick(r, 0, 3); t <= n; ++t) chains.push_back(thread_chain(p, p.pid + t, r));
    for (std::uint32_t c = 1, n = pick(r, 0, 2); c <= n; ++c) chains.push_back(child_chain(p, p.pid + 100 + c, r));
    if (coin(r)) chains.push_back({msr_on(p, p.pid, r)});
    append(p.s, merge(chains, r));
    Ev ex = task(EventType::exit, p.pid, p.pid).group_dead();
    if (coin(r)) ex.mm(p.mm.c_str());
    p.s.push_back(ex);
    p.s.push_back(p.on(EventType::mmput));
    if (late) append(p.s, unbinds);
    append(p.s, free_at_drop(p, r));
    return p;
}

// ------------------------------------------------------------ script facts

// The PASID's references just before event k of a process's script (k ==
// size: after the last), mirroring contract 2.2 and 4 (Threads, Bindings).
struct Gap {
    std::size_t bound = 0, msr = 0;
    bool used_later = false;  // a later event names the PASID or binds
    std::size_t count() const { return bound + msr; }
};

bool uses(const Event& e, std::uint32_t pasid) {
    if (e.type == EventType::bind) return true;
    return (e.type == EventType::pasid_msr || e.type == EventType::iopf) && e.pasid == pasid;
}

void track(const Event& e, std::uint32_t pasid, std::map<std::string, int>& refs,
           std::map<std::uint32_t, std::uint32_t>& loaded) {
    if (e.type == EventType::bind) ++refs[e.handle.to_string()];
    if (e.type == EventType::unbind && --refs[e.handle.to_string()] == 0) refs.erase(e.handle.to_string());
    if (e.type == EventType::pasid_msr && e.pasid == pasid) loaded[*e.tid] = *e.pid;
    if (e.type == EventType::exit || e.type == EventType::exec) loaded.erase(*e.tid);
    if (e.type == EventType::exit && e.group_dead)
        std::erase_if(loaded, [&](const auto& t) { return t.second == *e.pid; });
}

std::vector<Gap> gaps(const Script& s, std::uint32_t pasid) {
    std::vector<Gap> g(s.size() + 1);
    std::map<std::string, int> refs;
    std::map<std::uint32_t, std::uint32_t> loaded;  // tid -> pid
    for (std::size_t k = 0; k <= s.size(); ++k) {
        g[k].bound = refs.size();
        g[k].msr = loaded.size();
        if (k < s.size()) track(s[k], pasid, refs, loaded);
    }
    for (std::size_t k = s.size(); k-- > 0;) g[k].used_later = g[k + 1].used_later || uses(s[k], pasid);
    return g;
}

std::size_t first_of(const Script& s, EventType t) {
    return static_cast<std::size_t>(std::find_if(s.begin(), s.end(), [t](const Event& e) { return e.type == t; }) -
                                    s.begin());
}
std::size_t last_of(const Script& s, EventType t) {
    for (std::size_t k = s.size(); k-- > 0;)
        if (s[k].type == t) return k;
    return s.size();
}
std::size_t drop_of(const Proc& p) {
    for (std::size_t k = 0; k < p.s.size(); ++k)
        if (p.s[k].type == EventType::mmdrop && p.s[k].mm == Ident::text(p.mm)) return k;
    return p.s.size();
}
Event take_free(Proc& p) {
    std::size_t k = first_of(p.s, EventType::pasid_free);
    Event f = p.s.at(k);
    p.s.erase(p.s.begin() + static_cast<std::ptrdiff_t>(k));
    return f;
}
bool insert_at(Proc& p, std::size_t k, const Event& e) {
    p.s.insert(p.s.begin() + static_cast<std::ptrdiff_t>(k), e);
    return true;
}
// Somewhere the mm holds the PASID: after the first bind, before the free.
std::size_t while_held(const Proc& p, Rng& r) {
    return pick(r, first_of(p.s, EventType::bind) + 1, std::min(drop_of(p), first_of(p.s, EventType::pasid_free)));
}

// task-refcount: the free comes on the event right after the one that
// brings the count to zero, and nothing raises it or names the PASID since.
bool free_at_zero(Proc& p) {
    Event f = take_free(p);
    auto g = gaps(p.s, p.pasid);
    for (std::size_t k = 0; k < p.s.size(); ++k) {
        if (g[k].count() == 0 || g[k + 1].count() != 0) continue;
        if (g[k + 1].used_later) return false;
        f.tid = p.s[k].tid;
        f.pid = p.s[k].pid;
        insert_at(p, k + 1, f);
        return true;
    }
    return false;
}

std::vector<Proc> make_procs(Rng& r, Model model) {
    std::set<std::uint32_t> used;
    std::vector<Proc> procs;
    for (std::size_t i = 0, n = pick(r, 1, 4); i < n; ++i) {
        std::uint32_t pasid = 0;
        do pasid = static_cast<std::uint32_t>(pick(r, 1, kForeignPasid - 1));
        while (!used.insert(pasid).second);
        Proc p = make_proc(i, pasid, r);
        while (model == Model::task_refcount && !free_at_zero(p)) p = make_proc(i, pasid, r);
        procs.push_back(std::move(p));
    }
    return procs;
}

// All processes interleaved, with strictly increasing ts.
Script interleave(const std::vector<Proc>& procs, Rng& r) {
    std::vector<Script> parts;
    for (const Proc& p : procs) parts.push_back(p.s);
    Script all = merge(parts, r);
    std::uint64_t ts = 1000;
    for (std::size_t i = 0; i < all.size(); ++i) {
        ts += pick(r, 1, 5000);
        all[i].ts = ts;
        all[i].pos.line = i + 1;
    }
    return all;
}

std::string dump(std::uint64_t seed, const Script& s) {
    std::ostringstream o;
    o << "seed " << seed << ", " << s.size() << " events:\n";
    for (const Event& e : s) {
        o << "  " << e.ts << ' ' << core::to_string(e.type);
        if (e.pid) o << " pid=" << *e.pid;
        if (e.tid) o << " tid=" << *e.tid;
        auto id = [&o](const char* k, const Ident& v) {
            if (v.present()) o << ' ' << k << '=' << v.to_string();
        };
        id("mm", e.mm), id("child_mm", e.child_mm), id("old_mm", e.old_mm), id("dev", e.dev), id("handle", e.handle);
        if (e.pasid) o << " pasid=" << *e.pasid;
        if (e.child_tid) o << " child=" << *e.child_pid << '/' << *e.child_tid;
        if (e.group_dead) o << " group_dead";
        if (e.type == EventType::lost) o << " count=" << e.count;
        o << '\n';
    }
    return o.str();
}

std::set<std::string> rules_of(const core::AnalysisResult& r) {
    std::set<std::string> out;
    for (const auto& f : r.findings) out.insert(std::string(core::rule_info(f.rule).name));
    return out;
}

// ------------------------------------------------------------ valid lifecycles

void expect_clean(Model model, std::uint64_t first_seed) {
    for (std::uint64_t seed = first_seed; seed < first_seed + 300; ++seed) {
        Rng r(seed);
        auto procs = make_procs(r, model);
        Script events = interleave(procs, r);
        SCOPED_TRACE(dump(seed, events));
        auto res = run(events, model);
        EXPECT_EQ(findings_of(res), Set{});
        EXPECT_EQ(res.lifetimes.size(), procs.size());
        for (const auto& l : res.lifetimes) EXPECT_EQ(core::to_string(l.state), "freed") << "PASID " << l.pasid;
        if (::testing::Test::HasFailure()) return;  // one reproducible case is enough
    }
}

TEST(PropertyValid, MmModelLifecyclesAreClean) { expect_clean(Model::mm, 1); }

TEST(PropertyValid, TaskRefcountFreeAtZeroIsClean) { expect_clean(Model::task_refcount, 10001); }

// ------------------------------------------------------------ bug injection

// Moves the free at the drop to a spot where `ok`, on a task of its own so
// it pairs with no drop (adjacency needs the same tid), before the drop and
// with nothing naming the PASID after it (that would be another bug).
template <class Ok>
bool move_free(Proc& p, Rng& r, Ok ok) {
    Event f = take_free(p);
    auto g = gaps(p.s, p.pasid);
    std::vector<std::size_t> spots;
    for (std::size_t k = first_of(p.s, EventType::bind) + 1; k <= drop_of(p); ++k)
        if (ok(g[k]) && !g[k].used_later) spots.push_back(k);
    if (spots.empty()) return false;
    f.tid = f.pid = kFreshTid;
    insert_at(p, spots[pick(r, 0, spots.size() - 1)], f);
    return true;
}

bool leak(Proc& p, Rng&) {
    take_free(p);
    return true;
}
bool free_bound(Proc& p, Rng& r) {
    return move_free(p, r, [](const Gap& g) { return g.bound > 0; });
}
bool free_task(Proc& p, Rng& r) {
    return move_free(p, r, [](const Gap& g) { return !g.bound && g.msr; });
}
bool free_mm_live(Proc& p, Rng& r) {
    return move_free(p, r, [](const Gap& g) { return g.count() == 0; });
}
bool double_free(Proc& p, Rng&) { return insert_at(p, p.s.size(), fresh(EventType::pasid_free).pasid(p.pasid)); }
// The pair forced to free-then-drop and a second free on the same thread:
// the later free is the one at the drop, so the first was early (2.3).
bool free_drop_free(Proc& p, Rng&) {
    if (p.s.back().type == EventType::pasid_free) std::swap(p.s.back(), p.s[p.s.size() - 2]);
    return insert_at(p, p.s.size(), task(EventType::pasid_free, p.dropper, p.dropper).pasid(p.pasid));
}
bool uaf_msr(Proc& p, Rng& r) {
    Ev m = fresh(EventType::pasid_msr).pasid(p.pasid);
    if (coin(r)) m.mm(p.mm.c_str());
    return insert_at(p, pick(r, first_of(p.s, EventType::pasid_free) + 1, p.s.size()), m);
}
bool uaf_iopf(Proc& p, Rng& r) {
    Event f = Ev(0, EventType::iopf).dev("0000:6a:00.0").pasid(p.pasid);
    return insert_at(p, pick(r, first_of(p.s, EventType::pasid_free) + 1, p.s.size()), f);
}
bool unknown_unbind(Proc& p, Rng& r) {
    Ev u = fresh(EventType::unbind);
    if (coin(r))
        u.handle("no-such-handle");
    else
        u.dev("0000:ff:1f.7").mm(p.mm.c_str());  // a pair that never bound
    return insert_at(p, pick(r, 0, p.s.size()), u);
}
bool mismatch(Proc& p, Rng& r) {
    return insert_at(p, while_held(p, r), fresh(EventType::pasid_msr).pasid(kForeignPasid).mm(p.mm.c_str()));
}
// The last unbind lost or moved after the drop: the binding is active when
// the mm is freed. The free at that drop is reported once, as
// mmdrop-while-bound, not also as early-free-bound (2.3).
bool drop_bound(Proc& p, Rng& r) {
    std::size_t k = last_of(p.s, EventType::unbind);
    Event u = p.s.at(k);
    p.s.erase(p.s.begin() + static_cast<std::ptrdiff_t>(k));
    if (coin(r)) p.s.push_back(u);
    return true;
}
// Same, with the free on another task: no longer at the drop, it is judged
// by the priority list, so both rules fire (4, Adjacency).
bool drop_bound_free_apart(Proc& p, Rng& r) {
    Event f = take_free(p);
    f.tid = f.pid = kFreshTid;
    p.s.push_back(f);
    return drop_bound(p, r);  // a moved unbind lands after the free
}
// A second mm binds the live PASID and unbinds before the free, so the
// only bug is the second owner (an active binding at the free would also
// be early-free-bound).
bool reuse(Proc& p, Rng& r) {
    std::string other = p.mm + "-other";
    std::size_t b = while_held(p, r), u = pick(r, b, std::min(drop_of(p), first_of(p.s, EventType::pasid_free)));
    insert_at(p, u, fresh(EventType::unbind).handle("reuse-h"));
    Ev bind2 = fresh(EventType::bind).mm(other.c_str()).dev("0000:6b:00.0").handle("reuse-h").pasid(p.pasid).ret(0);
    return insert_at(p, b, bind2);
}
bool lose(Proc& p, Rng& r) {
    return insert_at(p, pick(r, 0, p.s.size()), Ev(0, EventType::lost).count(pick(r, 1, 64)));
}

struct Injection {
    const char* name;
    bool (*inject)(Proc&, Rng&);
    std::set<std::string> expected;
};

const Injection kInjections[] = {
    {"DropTheFree", leak, {"pasid-leak"}},
    {"FreeWhileBound", free_bound, {"early-free-bound"}},
    {"FreeWhileMsrThreadAlive", free_task, {"early-free-task"}},
    {"FreeBeforeDropNothingActive", free_mm_live, {"early-free-mm-live"}},
    {"DuplicateFreeLater", double_free, {"double-free"}},
    {"FreeDropFreeOnOneThread", free_drop_free, {"early-free-mm-live", "double-free"}},
    {"MsrAfterFree", uaf_msr, {"use-after-free-msr"}},
    {"IopfAfterFree", uaf_iopf, {"use-after-free-iopf"}},
    {"UnbindUnknown", unknown_unbind, {"unbalanced-unbind"}},
    {"MsrOfOtherPasid", mismatch, {"msr-pasid-mismatch"}},
    {"MmdropWhileBound", drop_bound, {"mmdrop-while-bound"}},
    {"MmdropWhileBoundFreeApart", drop_bound_free_apart, {"mmdrop-while-bound", "early-free-bound"}},
    {"SecondMmBindsLivePasid", reuse, {"pasid-reuse-live"}},
    {"LostEvents", lose, {"events-lost"}},
};

void PrintTo(const Injection& i, std::ostream* os) { *os << i.name; }

class BugInjection : public ::testing::TestWithParam<Injection> {};

TEST_P(BugInjection, FindsExactlyTheInjectedRule) {
    const Injection& inj = GetParam();
    int done = 0;
    // A seed whose lifecycle has no place for the bug is skipped.
    for (std::uint64_t seed = 20001; done < 50 && seed < 22001; ++seed) {
        Rng r(seed);
        auto procs = make_procs(r, Model::mm);
        if (!inj.inject(procs.front(), r)) continue;
        ++done;
        Script events = interleave(procs, r);
        SCOPED_TRACE(dump(seed, events));
        auto res = run(events);
        EXPECT_EQ(rules_of(res), inj.expected) << "findings: " << ::testing::PrintToString(findings_of(res));
        if (HasFailure()) return;
    }
    EXPECT_EQ(done, 50) << "too few lifecycles had a place for " << inj.name;
}

INSTANTIATE_TEST_SUITE_P(Rules, BugInjection, ::testing::ValuesIn(kInjections),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace pasidtrace::test
