// SPDX-License-Identifier: GPL-2.0-only
// The lifetime state machine. Each handler applies one event type; the rules
// fire through Findings (core/findings.hpp), which owns their identifiers,
// messages and the unchecked/uncertain bookkeeping. Section numbers refer to
// the event contract.
#include "core/analyzer.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "core/analyzer_state.hpp"
#include "core/findings.hpp"

namespace pasidtrace::core {

using namespace detail;

class Analyzer::State {
public:
    explicit State(AnalyzerOptions o) : opt_(std::move(o)), findings_(opt_.model, opt_.observed) {
        result_.model = opt_.model;
    }

    void set_sink(std::function<void(const Finding&)> sink) { findings_.set_sink(std::move(sink)); }
    InputCounters& input() { return result_.input; }
    void apply(const Event& e);
    AnalysisResult finish();

private:
    // What the freeing thread's previous event left undecided (2.3, adjacency).
    struct Adjacency {
        bool free_pairs_with_drop = false;
        std::optional<PendingFree> drop_follows_free;
    };

    struct EventMms {
        std::optional<MmId> mm, child_mm, old_mm;
    };

    EventMms resolve_mms(const Event& e);
    std::optional<MmId> resolve_mm(const Ident& value);
    MmObject* mm(std::optional<MmId> id);
    MmRef mm_ref(MmId id) { return mm(id)->ref; }
    // The first PASID the mm holds now, for messages.
    std::optional<std::uint32_t> first_held(MmId id) {
        const MmObject* m = mm(id);
        if (!m || m->held.empty()) return std::nullopt;
        return result_.lifetimes[m->held.front()].pasid;
    }

    Adjacency settle_thread(const Event& e, const EventMms& ids);
    void emit_early(PendingFree& f);

    void on_lost(const Event& e);
    void on_alloc(const Event& e, const EventMms& ids);
    std::optional<PendingFree> on_free(const Event& e, bool pairs_with_drop);
    void on_bind(const Event& e, const EventMms& ids);
    void on_unbind(const Event& e, const EventMms& ids);
    void on_msr(const Event& e, const EventMms& ids);
    void on_iopf(const Event& e);
    void on_fork(const Event& e, const EventMms& ids);
    void on_exec(const Event& e, const EventMms& ids);
    void on_exit(const Event& e, const EventMms& ids);
    void on_mmput(const Event& e, const EventMms& ids);
    void on_mmdrop(const Event& e, const EventMms& ids);

    std::optional<LifeId> live_period(std::uint32_t pasid) const;
    std::optional<LifeId> last_period(std::uint32_t pasid) const;
    LifeId start_period(std::uint32_t pasid, const Event& e, bool alloc_seen);
    void tie(LifeId life, MmId owner, const Event& e);
    void end_period(LifeId life, const Event& e);
    std::optional<Finding> early_free_candidate(LifeId life, const Event& e);
    std::optional<LifeId> bind_period(std::uint32_t pasid, MmId m, const Event& e);

    void attach_binding(BindingId id, LifeId life, const Event& e);
    void end_binding(BindingId id, const Event& e);
    std::optional<BindingId> find_unbind_target(const Event& e) const;
    std::optional<BindingId> first_binding_on(MmId m) const;

    ThreadState& thread(std::uint32_t tid, const Event& e);
    void know_thread(MmId m, std::uint32_t tid, ThreadState& th, const Event& e);
    void record_load(std::uint32_t tid, ThreadState& th, LifeId life, const Event& e);
    void end_thread(std::uint32_t tid, const Event& e);
    void set_pid(std::uint32_t tid, ThreadState& th, std::optional<std::uint32_t> pid);

    std::uint32_t count(LifeId life) const;
    template <class Change>
    void change_count(LifeId life, const Event& e, Change&& change);

    void end_of_trace_leaks();
    void end_of_trace_binding_leaks();
    void final_states();

    Lifetime& lt(LifeId id) { return result_.lifetimes[id]; }

    AnalyzerOptions opt_;
    AnalysisResult result_;
    Findings findings_;

    std::unordered_map<Ident, MmId, IdentHash> mm_by_value_;
    std::unordered_map<MmId, MmObject> mms_;
    MmId next_mm_ = 1;

    std::vector<LifeState> lives_;  // parallel to result_.lifetimes
    std::unordered_map<std::uint32_t, LifeId> period_of_;  // PASID -> its newest period
    std::unordered_set<std::uint32_t> pasid_values_;

    std::map<BindingId, Binding> bindings_;  // active only, in bind order
    std::unordered_map<Ident, BindingId, IdentHash> binding_by_handle_;
    BindingId next_binding_ = 1;

    std::unordered_map<std::uint32_t, ThreadState> threads_;  // by tid, alive only
    std::unordered_map<std::uint32_t, std::unordered_set<std::uint32_t>> tids_of_pid_;
    std::unordered_map<std::uint32_t, std::vector<MmId>> mms_of_tid_;  // mms a thread is known on

    std::map<std::uint32_t, PendingFree> pending_free_;  // by tid
    std::map<std::uint32_t, PendingDrop> pending_drop_;  // by tid
};

// ---------------------------------------------------------------- dispatch

void Analyzer::State::apply(const Event& e) {
    ++result_.input.events;
    if (e.type == EventType::lost) return on_lost(e);
    findings_.begin_event();
    EventMms ids = resolve_mms(e);
    Adjacency adj = settle_thread(e, ids);
    std::optional<PendingFree> pending;
    switch (e.type) {
    case EventType::pasid_alloc: on_alloc(e, ids); break;
    case EventType::pasid_free: pending = on_free(e, adj.free_pairs_with_drop); break;
    case EventType::bind: on_bind(e, ids); break;
    case EventType::unbind: on_unbind(e, ids); break;
    case EventType::pasid_msr: on_msr(e, ids); break;
    case EventType::iopf: on_iopf(e); break;
    case EventType::fork: on_fork(e, ids); break;
    case EventType::exec: on_exec(e, ids); break;
    case EventType::exit: on_exit(e, ids); break;
    case EventType::mmput: on_mmput(e, ids); break;
    case EventType::mmdrop: on_mmdrop(e, ids); break;
    case EventType::lost: break;
    }
    if (!e.tid) return;
    if (pending) pending_free_[*e.tid] = std::move(*pending);
    // A drop waits for its thread's next event when a free may follow it
    // (probe at entry or unknown) or an earlier free waits to be paired.
    if (e.type == EventType::mmdrop && ids.mm &&
        (adj.drop_follows_free || opt_.mmdrop_probe != MmdropProbe::exit))
        pending_drop_[*e.tid] = PendingDrop{*ids.mm, std::move(adj.drop_follows_free)};
}

// Section 4, Report: every mm named is numbered in stream order, within an
// event in table field order; a value named after its mmdrop is a new mm.
Analyzer::State::EventMms Analyzer::State::resolve_mms(const Event& e) {
    EventMms ids;
    ids.mm = resolve_mm(e.mm);
    ids.child_mm = resolve_mm(e.child_mm);
    ids.old_mm = resolve_mm(e.old_mm);
    return ids;
}

std::optional<MmId> Analyzer::State::resolve_mm(const Ident& value) {
    if (!value.present()) return std::nullopt;
    auto it = mm_by_value_.find(value);
    if (it != mm_by_value_.end()) return it->second;
    MmId id = next_mm_++;
    MmObject obj;
    obj.ref = MmRef{id, value};
    mms_.emplace(id, std::move(obj));
    mm_by_value_.emplace(value, id);
    return id;
}

MmObject* Analyzer::State::mm(std::optional<MmId> id) {
    if (!id) return nullptr;
    auto it = mms_.find(*id);
    return it == mms_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------- adjacency

// mm_pasid_drop runs inside __mmdrop, so the free at the drop is the
// freeing thread's event just before or just after its mmdrop (2.3, 4).
Analyzer::State::Adjacency Analyzer::State::settle_thread(const Event& e, const EventMms& ids) {
    Adjacency adj;
    if (!e.tid) return adj;
    const std::uint32_t tid = *e.tid;
    const bool is_free = e.type == EventType::pasid_free && e.pasid;
    if (auto it = pending_drop_.find(tid); it != pending_drop_.end()) {
        PendingDrop drop = std::move(it->second);
        pending_drop_.erase(it);
        if (drop.before) {
            // free, drop, free of the same value: the second is the one inside
            // __mmdrop, so the first was early. Otherwise the first pairs.
            if (is_free && *e.pasid == drop.before->pasid) emit_early(*drop.before);
        } else if (is_free && opt_.mmdrop_probe != MmdropProbe::exit) {
            auto life = live_period(*e.pasid);
            adj.free_pairs_with_drop = life && lives_[*life].owner == drop.mm;
        }
        return adj;
    }
    if (auto it = pending_free_.find(tid); it != pending_free_.end()) {
        PendingFree free = std::move(it->second);
        pending_free_.erase(it);
        if (e.type == EventType::mmdrop && ids.mm == free.owner && opt_.mmdrop_probe != MmdropProbe::entry)
            adj.drop_follows_free = std::move(free);
        else
            emit_early(free);
    }
    return adj;
}

void Analyzer::State::emit_early(PendingFree& f) {
    if (!f.candidate) return;
    lives_[f.life].early = true;
    findings_.emit(std::move(*f.candidate));
    f.candidate.reset();
}

// ---------------------------------------------------------------- periods

std::optional<LifeId> Analyzer::State::last_period(std::uint32_t pasid) const {
    auto it = period_of_.find(pasid);
    if (it == period_of_.end()) return std::nullopt;
    return it->second;
}

std::optional<LifeId> Analyzer::State::live_period(std::uint32_t pasid) const {
    auto life = last_period(pasid);
    if (life && lives_[*life].live) return life;
    return std::nullopt;
}

LifeId Analyzer::State::start_period(std::uint32_t pasid, const Event& e, bool alloc_seen) {
    LifeId id = static_cast<LifeId>(result_.lifetimes.size());
    Lifetime l;
    l.pasid = pasid;
    l.alloc_ts = e.ts;
    l.alloc_seen = alloc_seen;
    result_.lifetimes.push_back(std::move(l));
    LifeState s;
    s.start_ev = evidence_of(e);
    lives_.push_back(std::move(s));
    period_of_[pasid] = id;
    pasid_values_.insert(pasid);
    return id;
}

void Analyzer::State::tie(LifeId life, MmId owner, const Event& e) {
    MmObject* m = mm(owner);
    LifeState& s = lives_[life];
    s.owner = owner;
    s.tie_ev = evidence_of(e);
    Lifetime& l = lt(life);
    l.mm = m->ref;
    l.mmput_ts = m->mmput_ts;
    if (e.pid) l.owner_pid = e.pid;
    l.owner_comm = e.comm;
    if (m->owned.empty()) ++result_.mms_with_pasid;
    m->held.push_back(life);
    m->owned.push_back(life);
    // A bind without a PASID belongs to the next PASID tied to its mm (4).
    std::vector<BindingId> waiting = std::move(m->bindings_waiting);
    m->bindings_waiting.clear();
    for (BindingId b : waiting) attach_binding(b, life, e);
}

void Analyzer::State::end_period(LifeId life, const Event& e) {
    LifeState& s = lives_[life];
    s.live = false;
    s.awaiting_free = false;
    s.free_ev = evidence_of(e);
    lt(life).free_ts = e.ts;
    if (MmObject* m = mm(s.owner)) std::erase(m->held, life);
}

// ---------------------------------------------------------------- counts

// task-refcount (2.2): active bindings plus threads that loaded the PASID
// and have not exited. Device-owned PASIDs have no count (4, Leaks).
std::uint32_t Analyzer::State::count(LifeId life) const {
    const LifeState& s = lives_[life];
    return static_cast<std::uint32_t>(s.active_bindings.size()) + s.msr_alive;
}

template <class Change>
void Analyzer::State::change_count(LifeId life, const Event& e, Change&& change) {
    const std::uint32_t before = count(life);
    change(lives_[life]);
    LifeState& s = lives_[life];
    const std::uint32_t now = count(life);
    if (opt_.model != Model::task_refcount || !s.live || !s.owner) return;
    if (now > before) {
        // Rising again before the free: the free that was due at zero never came.
        if (s.awaiting_free) {
            s.leak_fired = true;
            findings_.refcount_leak(lt(life), s.zero_ev, evidence_of(e), findings_.uncertain_now());
        }
        s.awaiting_free = false;
        s.count_was_positive = true;
    } else if (now == 0 && before > 0) {
        s.awaiting_free = true;
        s.zero_ev = evidence_of(e);
    }
}

// ---------------------------------------------------------------- handlers

void Analyzer::State::on_lost(const Event& e) {
    result_.input.lost += e.count;
    findings_.lost(e);
}

void Analyzer::State::on_alloc(const Event& e, const EventMms& ids) {
    const std::uint32_t pasid = *e.pasid;
    if (auto live = live_period(pasid)) {
        // Allocated again while live: the old lifetime goes on unchanged (4).
        std::optional<MmRef> second = ids.mm ? std::optional(mm_ref(*ids.mm)) : std::nullopt;
        findings_.reuse_live(lt(*live), lives_[*live].start_ev, second, e, "allocated again");
        return;
    }
    LifeId life = start_period(pasid, e, true);
    if (ids.mm) tie(life, *ids.mm, e);
}

std::optional<PendingFree> Analyzer::State::on_free(const Event& e, bool pairs_with_drop) {
    const std::uint32_t pasid = *e.pasid;
    auto last = last_period(pasid);
    if (!last) {
        // A recording can start after the allocation: a zero-length lifetime.
        LifeId life = start_period(pasid, e, false);
        end_period(life, e);
        return std::nullopt;
    }
    LifeState& s = lives_[*last];
    if (!s.live) {
        findings_.double_free(lt(*last), s.free_ev, e);
        return std::nullopt;
    }
    std::optional<Finding> candidate;
    if (s.owner && !pairs_with_drop) candidate = early_free_candidate(*last, e);
    end_period(*last, e);
    if (!candidate) return std::nullopt;
    PendingFree pf{*last, pasid, *s.owner, std::move(candidate)};
    // Only a free that may still pair with its owner's drop waits.
    if (e.tid && !s.owner_dropped && opt_.mmdrop_probe != MmdropProbe::entry) return pf;
    emit_early(pf);
    return std::nullopt;
}

// One early-free finding per free, by priority (2.3).
std::optional<Finding> Analyzer::State::early_free_candidate(LifeId life, const Event& e) {
    const LifeState& s = lives_[life];
    if (!s.active_bindings.empty()) {
        const Binding& b = bindings_.at(s.active_bindings.front());
        return findings_.early_free_bound(lt(life), b.dev, b.bind_ev, e);
    }
    if (s.msr_alive > 0) return findings_.early_free_task(lt(life), s.first_msr_ev, e);
    if (opt_.model == Model::mm && !s.owner_dropped)
        return findings_.early_free_mm_live(lt(life), s.tie_ev, e);
    return std::nullopt;
}

void Analyzer::State::on_bind(const Event& e, const EventMms& ids) {
    if (e.ret < 0) {
        // A failed bind ties nothing and fires nothing (2.3).
        ++result_.input.failed_binds;
        return;
    }
    const MmId m = *ids.mm;
    std::optional<LifeId> life;
    if (e.pasid) {
        life = bind_period(*e.pasid, m, e);
    } else if (!mm(m)->held.empty()) {
        life = mm(m)->held.back();
    }
    if (e.handle.present()) {
        if (auto it = binding_by_handle_.find(e.handle); it != binding_by_handle_.end()) {
            // 6.8+ hands the same handle back for the same device and mm: one
            // binding, one more reference (4, Bindings).
            ++bindings_.at(it->second).refs;
            return;
        }
    }
    BindingId id = next_binding_++;
    Binding b;
    b.handle = e.handle;
    b.dev = e.dev;
    b.mm = m;
    b.mm_ref = mm_ref(m);
    b.bind_tid = e.tid;
    b.bind_ev = evidence_of(e);
    bindings_.emplace(id, std::move(b));
    if (e.handle.present()) binding_by_handle_[e.handle] = id;
    ++mm(m)->active_bindings;
    if (life)
        attach_binding(id, *life, e);
    else
        mm(m)->bindings_waiting.push_back(id);
}

// The PASID a successful bind names: a live one is checked for a second
// owner, one that is not live starts a new period tied to the mm (4).
std::optional<LifeId> Analyzer::State::bind_period(std::uint32_t pasid, MmId m, const Event& e) {
    if (auto live = live_period(pasid)) {
        LifeState& s = lives_[*live];
        if (!s.owner)
            tie(*live, m, e);
        else if (*s.owner != m)
            findings_.reuse_live(lt(*live), s.tie_ev, mm_ref(m), e, "bound by a second mm");
        return live;
    }
    LifeId life = start_period(pasid, e, false);
    tie(life, m, e);
    return life;
}

// `e` is the event that gives the binding its PASID: the bind itself, or
// the later tie of a bind made without one.
void Analyzer::State::attach_binding(BindingId id, LifeId life, const Event& e) {
    Binding& b = bindings_.at(id);
    b.life = life;
    b.record = lt(life).bindings.size();
    lt(life).bindings.push_back(BindingRecord{b.dev, b.handle, b.bind_ev.ts, std::nullopt});
    change_count(life, e, [&](LifeState& s) { s.active_bindings.push_back(id); });
}

void Analyzer::State::on_unbind(const Event& e, const EventMms& ids) {
    auto target = find_unbind_target(e);
    if (!target) {
        std::optional<MmRef> named = ids.mm ? std::optional(mm_ref(*ids.mm)) : std::nullopt;
        findings_.unbalanced_unbind(e, named);
        return;
    }
    Binding& b = bindings_.at(*target);
    if (--b.refs > 0) return;
    end_binding(*target, e);
}

// With a handle, by handle only; otherwise the earliest active binding of
// that device and mm value, even if that mm was dropped since (4, Bindings).
std::optional<BindingId> Analyzer::State::find_unbind_target(const Event& e) const {
    if (e.handle.present()) {
        auto it = binding_by_handle_.find(e.handle);
        if (it == binding_by_handle_.end()) return std::nullopt;
        return it->second;
    }
    if (!e.dev.present() || !e.mm.present()) return std::nullopt;
    for (const auto& [id, b] : bindings_)
        if (b.dev == e.dev && b.mm_ref.raw == e.mm) return id;
    return std::nullopt;
}

void Analyzer::State::end_binding(BindingId id, const Event& e) {
    Binding b = std::move(bindings_.at(id));
    bindings_.erase(id);
    if (b.handle.present()) binding_by_handle_.erase(b.handle);
    if (b.life) {
        lt(*b.life).bindings[b.record].unbind_ts = e.ts;
        change_count(*b.life, e, [&](LifeState& s) { std::erase(s.active_bindings, id); });
    }
    MmObject* m = mm(b.mm);
    if (!m) return;
    std::erase(m->bindings_waiting, id);
    --m->active_bindings;
    if (m->dropped && m->active_bindings == 0) mms_.erase(b.mm);
}

std::optional<BindingId> Analyzer::State::first_binding_on(MmId m) const {
    for (const auto& [id, b] : bindings_)
        if (b.mm == m) return id;
    return std::nullopt;
}

void Analyzer::State::on_msr(const Event& e, const EventMms& ids) {
    const std::uint32_t tid = *e.tid;
    const std::uint32_t pasid = *e.pasid;
    ThreadState& th = thread(tid, e);
    auto last = last_period(pasid);
    if (last && !lives_[*last].live) {
        // The thread's mm: the event's, else the PASID's last holder, else
        // the mm the thread was last known to use.
        std::optional<MmRef> named = ids.mm ? std::optional(mm_ref(*ids.mm)) : lt(*last).mm;
        if (!named)
            if (MmObject* tm = mm(th.mm)) named = tm->ref;
        findings_.use_after_free_msr(lt(*last), lives_[*last].free_ev, named, e);
        if (ids.mm) know_thread(*ids.mm, tid, th, e);
        return;
    }
    // Without mm, the thread's mm is the one holding the PASID, else the one
    // it was last known to use, else unknown (4, Ties by pasid_msr).
    std::optional<MmId> m = ids.mm;
    if (!m && last && lives_[*last].owner) m = lives_[*last].owner;
    if (!m && mm(th.mm) && !mm(th.mm)->dropped) m = th.mm;

    LifeId life;
    if (last) {
        life = *last;
        const auto& owner = lives_[life].owner;
        if (m && owner && *owner != *m)
            findings_.reuse_live(lt(life), lives_[life].tie_ev, mm_ref(*m), e, "loaded by a thread of a second mm");
        else if (m && !owner)
            findings_.msr_mismatch(pasid, mm_ref(*m), first_held(*m), e, /*device_owned=*/true);
    } else {
        life = start_period(pasid, e, false);
        if (m && mm(m)->held.empty())
            tie(life, *m, e);
        else if (m)
            findings_.msr_mismatch(pasid, mm_ref(*m), first_held(*m), e, /*device_owned=*/false);
    }
    record_load(tid, th, life, e);
    if (m) know_thread(*m, tid, th, e);
}

void Analyzer::State::on_iopf(const Event& e) {
    const std::uint32_t pasid = *e.pasid;
    auto last = last_period(pasid);
    if (!last) {
        start_period(pasid, e, false);  // live with no mm (4)
        return;
    }
    if (!lives_[*last].live) findings_.use_after_free_iopf(lt(*last), lives_[*last].free_ev, e);
}

void Analyzer::State::on_fork(const Event& e, const EventMms& ids) {
    ThreadState& parent = thread(*e.tid, e);
    if (ids.mm) parent.mm = ids.mm;
    const std::uint32_t child_tid = *e.child_tid;
    // A tid is handed out again only after its thread exited: a record still
    // under that tid is a thread whose exit was not seen.
    end_thread(child_tid, e);
    ThreadState child;
    child.comm = e.comm;
    ThreadState& c = threads_[child_tid] = std::move(child);
    set_pid(child_tid, c, e.child_pid);
    if (ids.child_mm) know_thread(*ids.child_mm, child_tid, c, e);
}

// exec ends the thread's MSR reference and its use of the old mm, like an
// exit; the tid goes on as a new thread on the new mm (4, Threads).
void Analyzer::State::on_exec(const Event& e, const EventMms& ids) {
    if (!e.tid) return;  // accepted, records no thread
    const std::uint32_t tid = *e.tid;
    ThreadState& before = thread(tid, e);
    std::optional<std::uint32_t> pid = before.pid;
    std::string comm = e.comm.empty() ? before.comm : e.comm;
    end_thread(tid, e);
    ThreadState fresh;
    fresh.comm = std::move(comm);
    ThreadState& th = threads_[tid] = std::move(fresh);
    set_pid(tid, th, e.pid ? e.pid : pid);
    if (ids.mm) know_thread(*ids.mm, tid, th, e);
}

void Analyzer::State::on_exit(const Event& e, const EventMms& ids) {
    const std::uint32_t tid = *e.tid;
    ThreadState& th = thread(tid, e);
    if (ids.mm) know_thread(*ids.mm, tid, th, e);
    std::optional<std::uint32_t> pid = e.pid ? e.pid : th.pid;
    end_thread(tid, e);
    if (!e.group_dead || !pid) return;
    // The last thread of the group: every other known thread of it is gone.
    auto it = tids_of_pid_.find(*pid);
    if (it == tids_of_pid_.end()) return;
    std::vector<std::uint32_t> others(it->second.begin(), it->second.end());
    std::sort(others.begin(), others.end());
    for (std::uint32_t other : others) end_thread(other, e);
}

void Analyzer::State::on_mmput(const Event& e, const EventMms& ids) {
    MmObject* m = mm(ids.mm);
    m->mmput_ts = e.ts;
    m->mmput_ev = evidence_of(e);
    for (LifeId life : m->owned) lt(life).mmput_ts = e.ts;
}

void Analyzer::State::on_mmdrop(const Event& e, const EventMms& ids) {
    const MmId id = *ids.mm;
    MmObject* m = mm(id);
    for (LifeId life : m->owned) lt(life).mmdrop_ts = e.ts;
    for (LifeId life : m->held) {
        lives_[life].owner_dropped = true;
        lives_[life].drop_ev = evidence_of(e);
    }
    if (auto b = first_binding_on(id)) {
        const Binding& bound = bindings_.at(*b);
        std::optional<std::uint32_t> pasid;
        if (bound.life) pasid = lt(*bound.life).pasid;
        findings_.mmdrop_while_bound(pasid, m->ref, bound.dev, bound.bind_ev, e);
    }
    // The mm_struct is freed: its address may name a new mm from now on.
    m->dropped = true;
    mm_by_value_.erase(m->ref.raw);
    if (m->active_bindings == 0) mms_.erase(id);
}

// ---------------------------------------------------------------- threads

ThreadState& Analyzer::State::thread(std::uint32_t tid, const Event& e) {
    ThreadState& th = threads_[tid];
    if (!e.comm.empty()) th.comm = e.comm;
    if (e.pid) set_pid(tid, th, e.pid);
    return th;
}

void Analyzer::State::set_pid(std::uint32_t tid, ThreadState& th, std::optional<std::uint32_t> pid) {
    if (!pid || th.pid == pid) return;
    if (th.pid) tids_of_pid_[*th.pid].erase(tid);
    th.pid = pid;
    tids_of_pid_[*pid].insert(tid);
}

void Analyzer::State::know_thread(MmId m, std::uint32_t tid, ThreadState& th, const Event& e) {
    th.mm = m;
    MmObject* obj = mm(m);
    if (!obj) return;
    (void)e;
    obj->threads[tid] = KnownThread{};
    auto& known_on = mms_of_tid_[tid];
    if (std::find(known_on.begin(), known_on.end(), m) == known_on.end()) known_on.push_back(m);
}

void Analyzer::State::record_load(std::uint32_t tid, ThreadState& th, LifeId life, const Event& e) {
    for (const MsrLoad& load : th.loads)
        if (load.life == life) return;  // a second load of the same PASID adds nothing
    Lifetime& l = lt(life);
    th.loads.push_back(MsrLoad{life, l.threads.size()});
    l.threads.push_back(ThreadRecord{th.pid, tid, th.comm, e.ts, std::nullopt});
    change_count(life, e, [&](LifeState& s) {
        if (s.msr_alive++ == 0) s.first_msr_ev = evidence_of(e);
    });
}

// Ends a thread (exit, exec, or its group's exit): its MSR references drop
// and it stops using every mm it was known on.
void Analyzer::State::end_thread(std::uint32_t tid, const Event& e) {
    auto it = threads_.find(tid);
    if (it == threads_.end()) return;
    for (const MsrLoad& load : it->second.loads) {
        lt(load.life).threads[load.record].exit_ts = e.ts;
        change_count(load.life, e, [](LifeState& s) { --s.msr_alive; });
    }
    if (auto known = mms_of_tid_.find(tid); known != mms_of_tid_.end()) {
        for (MmId m : known->second)
            if (MmObject* obj = mm(m))
                if (auto t = obj->threads.find(tid); t != obj->threads.end())
                    t->second = KnownThread{true, e.ts, evidence_of(e)};
        mms_of_tid_.erase(known);
    }
    if (it->second.pid) {
        auto& tids = tids_of_pid_[*it->second.pid];
        tids.erase(tid);
        if (tids.empty()) tids_of_pid_.erase(*it->second.pid);
    }
    threads_.erase(it);
}

// ---------------------------------------------------------------- the end

AnalysisResult Analyzer::State::finish() {
    // Undecided adjacency at the end: a waiting free had no drop after it.
    for (auto& [tid, free] : pending_free_) emit_early(free);
    pending_free_.clear();
    pending_drop_.clear();
    end_of_trace_leaks();
    end_of_trace_binding_leaks();
    final_states();
    result_.findings = findings_.take_sorted();
    result_.unchecked = findings_.unchecked();
    result_.distinct_pasids = pasid_values_.size();
    return std::move(result_);
}

void Analyzer::State::end_of_trace_leaks() {
    for (LifeId life = 0; life < lives_.size(); ++life) {
        LifeState& s = lives_[life];
        if (!s.live || !s.owner) continue;
        if (opt_.model == Model::mm && s.owner_dropped) {
            s.leak_fired = true;
            findings_.mm_leak(lt(life), s.tie_ev, s.drop_ev);
        } else if (opt_.model == Model::task_refcount && s.awaiting_free) {
            s.leak_fired = true;
            findings_.refcount_leak(lt(life), s.zero_ev, std::nullopt, findings_.any_loss());
        }
    }
}

// A binding still active on an mm that was not dropped, whose address space
// is gone or whose every known thread (but the binder) has exited (2.3, 4).
void Analyzer::State::end_of_trace_binding_leaks() {
    for (const auto& [id, b] : bindings_) {
        const MmObject* m = mm(b.mm);
        if (!m || m->dropped) continue;
        std::optional<std::uint32_t> pasid;
        if (b.life) pasid = lt(*b.life).pasid;
        if (m->mmput_ts) {
            findings_.binding_leak(pasid, m->ref, b.dev, b.bind_ev, m->mmput_ev, "its address space is gone (mmput)");
            continue;
        }
        std::optional<EvidenceRef> last_exit;
        bool all_exited = true;
        for (const auto& [tid, known] : m->threads) {
            if (b.bind_tid && tid == *b.bind_tid) continue;
            if (!known.exited) {
                all_exited = false;
                break;
            }
            if (!last_exit || known.exit_ts > last_exit->ts) last_exit = known.exit_ev;
        }
        if (all_exited && last_exit)
            findings_.binding_leak(pasid, m->ref, b.dev, b.bind_ev, *last_exit, "every thread known to use it has exited");
    }
}

void Analyzer::State::final_states() {
    for (LifeId life = 0; life < lives_.size(); ++life) {
        const LifeState& s = lives_[life];
        Lifetime& l = lt(life);
        if (s.early)
            l.state = LifetimeState::early_freed;
        // `leaked` when pasid-leak fired (section 4): not when the rule is
        // unchecked (no free hook), where a missing free proves nothing.
        else if (s.live && s.leak_fired && findings_.checkable(RuleId::pasid_leak))
            l.state = LifetimeState::leaked;
        else if (!s.live)
            l.state = LifetimeState::freed;
        else
            l.state = LifetimeState::open;
    }
}

// ---------------------------------------------------------------- public

Analyzer::Analyzer(AnalyzerOptions options) : state_(std::make_unique<State>(std::move(options))) {}
Analyzer::~Analyzer() = default;
void Analyzer::on_finding(std::function<void(const Finding&)> sink) { state_->set_sink(std::move(sink)); }
void Analyzer::apply(const Event& e) { state_->apply(e); }
void Analyzer::count_skipped(std::uint64_t n) { state_->input().skipped += n; }
void Analyzer::count_late(std::uint64_t n) { state_->input().late += n; }
AnalysisResult Analyzer::finish() { return state_->finish(); }

}  // namespace pasidtrace::core
