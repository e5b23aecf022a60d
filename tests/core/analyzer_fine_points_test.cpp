// SPDX-License-Identifier: GPL-2.0-only
// Contract 2.3 precedence and section 4's fine points: adjacency of the free
// and the mmdrop in both probe orders, per-period liveness, identities,
// unchecked rules, model resolution.
#include <gtest/gtest.h>

#include "core/model.hpp"
#include "event_builder.hpp"

namespace pasidtrace::test {
namespace {

using core::MmdropProbe;
using core::Model;

RunOptions probe(MmdropProbe p) {
    RunOptions o;
    o.probe = p;
    return o;
}

TEST(Precedence, BoundBeatsTaskBeatsMmLive) {
    auto r = run({bind(100, "A", 3, "h"), msr(150, 11, 3), free_(200, 3)});
    EXPECT_EQ(findings_of(r), (Set{"early-free-bound 3 mm#1"})) << "one early-free per free";
    auto r2 = run({bind(100, "A", 3, "h"), msr(150, 11, 3), unbind(160, "h"), free_(200, 3)});
    EXPECT_EQ(findings_of(r2), (Set{"early-free-task 3 mm#1"}));
}

TEST(Precedence, MsrUseAfterFreeBeatsReuse) {
    auto r = run({alloc(100, 3).mm("A"), free_(150, 3), msr(200, 7, 3).mm("B")});
    EXPECT_EQ(findings_of(r), (Set{"early-free-mm-live 3 mm#1", "use-after-free-msr 3 mm#2"}));
}

TEST(Precedence, MsrReuseBeatsMismatch) {
    auto r = run({alloc(100, 3).mm("A"), alloc(110, 4).mm("B"), msr(200, 7, 3).mm("B")});
    EXPECT_EQ(findings_of(r), (Set{"pasid-reuse-live 3 mm#2"}));
}

TEST(Precedence, UncheckedRuleIsDroppedAfterPriorityIsDecided) {
    RunOptions o;
    o.observed = core::ObservedTypes::none();
    for (auto t : {EventType::pasid_free, EventType::pasid_msr, EventType::mmdrop}) o.observed.add(t);
    // bind/unbind unobserved: early-free-bound is unchecked, and its free
    // does not fall through to early-free-task.
    auto r = run({bind(100, "A", 3, "h"), msr(150, 11, 3), free_(200, 3)}, o);
    EXPECT_TRUE(r.findings.empty());
}

TEST(Adjacency, FreeJustBeforeDropPairsUnlessProbeAtEntry) {
    std::vector<Event> t{alloc(100, 3).mm("A"), free_(200, 3).tid(9), iopf(201, 4).tid(8), mmdrop(202, "A").tid(9)};
    EXPECT_TRUE(run(t, probe(MmdropProbe::unknown)).findings.empty());
    EXPECT_TRUE(run(t, probe(MmdropProbe::exit)).findings.empty());
    EXPECT_EQ(findings_of(run(t, probe(MmdropProbe::entry))), (Set{"early-free-mm-live 3 mm#1"}));
}

TEST(Adjacency, FreeJustAfterDropPairsUnlessProbeAtExit) {
    std::vector<Event> t{bind(100, "A", 3, "h"), mmdrop(200, "A").tid(9), free_(201, 3).tid(9)};
    EXPECT_EQ(findings_of(run(t, probe(MmdropProbe::unknown))), (Set{"mmdrop-while-bound 3 mm#1"}));
    EXPECT_EQ(findings_of(run(t, probe(MmdropProbe::entry))), (Set{"mmdrop-while-bound 3 mm#1"}));
    EXPECT_EQ(findings_of(run(t, probe(MmdropProbe::exit))),
              (Set{"mmdrop-while-bound 3 mm#1", "early-free-bound 3 mm#1"}));
}

TEST(Adjacency, AnotherEventOfTheSameThreadBreaksIt) {
    auto r = run({alloc(100, 3).mm("A"), free_(200, 3).tid(9), Ev(201, EventType::exit).tid(9),
                  mmdrop(202, "A").tid(9)});
    EXPECT_EQ(findings_of(r), (Set{"early-free-mm-live 3 mm#1"}));
}

TEST(Adjacency, LostEventsDoNotBreakIt) {
    auto r = run({alloc(100, 3).mm("A"), free_(200, 3).tid(9), lost(201, 1).tid(9), mmdrop(202, "A").tid(9)});
    EXPECT_EQ(findings_of(r), (Set{"events-lost - -"}));
}

TEST(Adjacency, NeedsTidOnBoth) {
    auto r = run({alloc(100, 3).mm("A"), free_(200, 3), mmdrop(201, "A").tid(9)});
    EXPECT_EQ(findings_of(r), (Set{"early-free-mm-live 3 mm#1"}));
}

TEST(Adjacency, FreeDropFreeOnOneThread) {
    auto r = run({alloc(100, 2).mm("A").tid(4), free_(200, 2).tid(4), mmdrop(300, "A").tid(4), free_(310, 2).tid(4)});
    EXPECT_EQ(findings_of(r), (Set{"early-free-mm-live 2 mm#1", "double-free 2 mm#1"}));
    EXPECT_EQ(lifetimes_of(r), (Set{"2 mm#1 early-freed"}));
}

TEST(Adjacency, DropOfAnotherMmDoesNotPair) {
    auto r = run({alloc(100, 3).mm("A"), free_(200, 3).tid(9), mmdrop(201, "B").tid(9)});
    EXPECT_EQ(findings_of(r), (Set{"early-free-mm-live 3 mm#1"}));
}

TEST(Liveness, PerPeriodLifetimes) {
    auto r = run({alloc(100, 3).mm("A"), free_(200, 3).tid(1), bind(300, "B", 3, "h").tid(2), unbind(400, "h"),
                  mmdrop(500, "B").tid(2)});
    EXPECT_EQ(findings_of(r), (Set{"early-free-mm-live 3 mm#1", "pasid-leak 3 mm#2"}));
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 early-freed", "3 mm#2 leaked"}));
    EXPECT_EQ(r.distinct_pasids, 1u);
    EXPECT_EQ(r.mms_with_pasid, 2u);
}

TEST(Liveness, FreeOfNeverSeenPasidIsZeroLength) {
    auto r = run({free_(100, 11), free_(200, 11)});
    EXPECT_EQ(findings_of(r), (Set{"double-free 11 -"}));
    EXPECT_EQ(lifetimes_of(r), (Set{"11 - freed"}));
}

TEST(Liveness, BindWithoutPasidJoinsTheNextTie) {
    auto r = run({Ev(100, EventType::bind).mm("A").dev("d").handle("h").ret(0), alloc(200, 5).mm("A"),
                  free_(300, 5)});
    EXPECT_EQ(findings_of(r), (Set{"early-free-bound 5 mm#1"}));
    ASSERT_EQ(r.lifetimes.size(), 1u);
    EXPECT_EQ(r.lifetimes[0].bindings.size(), 1u);
}

TEST(Identity, MmValueReusedAfterDropIsANewMm) {
    auto r = run({alloc(100, 3).mm("A"), mmdrop(200, "A").tid(1), free_(201, 3).tid(1), alloc(300, 4).mm("A")});
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 freed", "4 mm#2 open"}));
}

TEST(Identity, StringAndNumberNeverEqual) {
    Event a = alloc(100, 3);
    a.mm = Ident::text("16");
    Event b = alloc(200, 4);
    b.mm = Ident::number(16);
    auto r = run({a, b, msr(300, 1, 4).mm("16")});
    EXPECT_EQ(findings_of(r), (Set{"pasid-reuse-live 4 mm#1"}));
}

TEST(Threads, MsrWithoutMmUsesTheThreadsLastKnownMm) {
    auto r = run({alloc(100, 3).mm("A"), Ev(110, EventType::fork).tid(1).pid(1).mm("A").child(2, 2).child_mm("B"),
                  msr(200, 2, 3)});
    EXPECT_EQ(findings_of(r), (Set{})) << "the PASID's holder is the thread's mm when none is named";
    auto r2 = run({alloc(100, 3).mm("A"), alloc(105, 4).mm("B"),
                   Ev(110, EventType::fork).tid(1).pid(1).mm("A").child(2, 2).child_mm("B"), msr(200, 2, 5)});
    EXPECT_EQ(findings_of(r2), (Set{"msr-pasid-mismatch 5 mm#2"}));
}

TEST(Threads, SecondLoadAddsNothing) {
    auto r = run({alloc(100, 3).mm("A"), msr(110, 2, 3), msr(120, 2, 3)});
    ASSERT_EQ(r.lifetimes.size(), 1u);
    EXPECT_EQ(r.lifetimes[0].threads.size(), 1u);
}

TEST(Unchecked, ListsRulesAndWhatTheyMiss) {
    RunOptions o;
    o.observed = core::ObservedTypes::none();
    for (auto t : {EventType::bind, EventType::unbind, EventType::pasid_free, EventType::pasid_msr, EventType::exit})
        o.observed.add(t);
    auto r = run({alloc(100, 3).mm("A"), mmdrop(200, "A")}, o);
    EXPECT_TRUE(r.findings.empty()) << "pasid-leak is not checked without mmdrop observed";
    std::vector<std::string> names;
    for (const auto& u : r.unchecked) names.emplace_back(core::rule_info(u.rule).name);
    EXPECT_EQ(names, (std::vector<std::string>{"binding-leak", "double-free", "early-free-mm-live",
                                               "mmdrop-while-bound", "pasid-leak", "use-after-free-iopf"}));
    for (const auto& u : r.unchecked)
        if (u.rule == core::RuleId::binding_leak) {
            EXPECT_EQ(u.missing, (std::vector<EventType>{EventType::mmdrop}))
                << "exit was observed, so mmput is not needed";
        }
}

TEST(Unchecked, UncheckedLeakLeavesTheLifetimeOpen) {
    // Section 4: `leaked` only when pasid-leak fired; without a free hook a
    // missing free proves nothing.
    RunOptions o;
    o.observed = core::ObservedTypes::none();
    for (auto t : {EventType::pasid_msr, EventType::mmdrop}) o.observed.add(t);
    auto r = run({msr(100, 11, 3).mm("A"), mmdrop(200, "A")}, o);
    EXPECT_TRUE(r.findings.empty());
    ASSERT_EQ(r.lifetimes.size(), 1u);
    EXPECT_EQ(core::to_string(r.lifetimes[0].state), "open");
    auto checked = run({msr(100, 11, 3).mm("A"), mmdrop(200, "A")});
    ASSERT_EQ(checked.lifetimes.size(), 1u);
    EXPECT_EQ(core::to_string(checked.lifetimes[0].state), "leaked");
}

TEST(Unchecked, EitherTypeNamedWhenNeitherObserved) {
    core::ObservedTypes o = core::ObservedTypes::none();
    for (auto t : {EventType::bind, EventType::unbind, EventType::mmdrop}) o.add(t);
    EXPECT_EQ(core::missing_types(core::RuleId::binding_leak, Model::mm, o),
              (std::vector<EventType>{EventType::mmput, EventType::exit}));
    o.add(EventType::pasid_free);
    EXPECT_TRUE(core::missing_types(core::RuleId::pasid_leak, Model::task_refcount, o).empty())
        << "exit is needed only when pasid_msr is observed";
    o.add(EventType::pasid_msr);
    EXPECT_EQ(core::missing_types(core::RuleId::pasid_leak, Model::task_refcount, o),
              (std::vector<EventType>{EventType::exit}));
}

TEST(Unchecked, OtherModelsRulesNeverListed) {
    RunOptions o;
    o.model = Model::task_refcount;
    o.observed = core::ObservedTypes::none();
    auto r = run({}, o);
    for (const auto& u : r.unchecked) {
        EXPECT_NE(u.rule, core::RuleId::early_free_mm_live);
        EXPECT_NE(u.rule, core::RuleId::events_lost);
    }
}

TEST(Model, AutoResolvesByKernelRelease) {
    using core::ModelChoice;
    using core::resolve_model;
    EXPECT_EQ(resolve_model(ModelChoice::automatic, "5.15.0-91-generic"), Model::task_refcount);
    EXPECT_EQ(resolve_model(ModelChoice::automatic, "5.17.15"), Model::task_refcount);
    EXPECT_EQ(resolve_model(ModelChoice::automatic, "4.19.0"), Model::task_refcount);
    EXPECT_EQ(resolve_model(ModelChoice::automatic, "5.18.0-rc1"), Model::mm);
    EXPECT_EQ(resolve_model(ModelChoice::automatic, "6.8"), Model::mm);
    EXPECT_EQ(resolve_model(ModelChoice::automatic, "6.1.0-13-amd64"), Model::mm);
    EXPECT_EQ(resolve_model(ModelChoice::automatic, std::nullopt), Model::mm);
    EXPECT_EQ(resolve_model(ModelChoice::automatic, "linux"), Model::mm);
    EXPECT_EQ(resolve_model(ModelChoice::task_refcount, "6.8"), Model::task_refcount);
    EXPECT_EQ(resolve_model(ModelChoice::mm, "5.10"), Model::mm);
}

TEST(Sorting, FindingsByTsThenOrderFound) {
    // The early free is decided after the later unbalanced unbind was found,
    // yet sorts first by ts.
    auto r = run({alloc(100, 3).mm("A"), free_(200, 3).tid(9), unbind(250, "x"), Ev(300, EventType::exit).tid(9)});
    ASSERT_EQ(r.findings.size(), 2u);
    EXPECT_EQ(r.findings[0].rule, core::RuleId::early_free_mm_live);
    EXPECT_EQ(r.findings[1].rule, core::RuleId::unbalanced_unbind);
}

TEST(LiveSink, EachFindingReportedOnce) {
    core::Analyzer a(core::AnalyzerOptions{});
    int seen = 0;
    a.on_finding([&](const core::Finding&) { ++seen; });
    for (const Event& e : std::vector<Event>{alloc(100, 3).mm("A"), free_(200, 3), free_(300, 3)}) a.apply(e);
    auto r = a.finish();
    EXPECT_EQ(seen, 2);
    EXPECT_EQ(r.findings.size(), 2u);
}

}  // namespace
}  // namespace pasidtrace::test
