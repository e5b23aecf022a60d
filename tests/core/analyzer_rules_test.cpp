// SPDX-License-Identifier: GPL-2.0-only
// Every rule of contract 2.3: a positive case and a near miss that must not
// fire, under the model(s) where the rule applies.
#include <gtest/gtest.h>

#include "event_builder.hpp"

namespace pasidtrace::test {
namespace {

using core::Model;

TEST(PasidLeak, MmModelFiresWhenOwnerDroppedAndNeverFreed) {
    auto r = run({alloc(100, 3).mm("A"), mmdrop(200, "A").tid(1)});
    EXPECT_EQ(findings_of(r), (Set{"pasid-leak 3 mm#1"}));
    ASSERT_EQ(r.findings.size(), 1u);
    EXPECT_EQ(r.findings[0].ts, 200u) << "the leak is dated at the mmdrop";
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 leaked"}));
}

TEST(PasidLeak, MmModelNearMissFreeLongAfterDrop) {
    auto r = run({alloc(100, 3).mm("A"), mmdrop(200, "A").tid(1), mmput(250, "B"), free_(300, 3).tid(2)});
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 freed"}));
}

TEST(PasidLeak, MmModelNearMissOwnerAlive) {
    auto r = run({alloc(100, 3).mm("A")});
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 open"}));
}

TEST(PasidLeak, TaskRefcountFiresAtTheZeroPoint) {
    auto r = run({bind(100, "A", 3, "h"), unbind(200, "h")}, Model::task_refcount);
    EXPECT_EQ(findings_of(r), (Set{"pasid-leak 3 mm#1"}));
    EXPECT_EQ(r.findings.at(0).ts, 200u);
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 leaked"}));
}

TEST(PasidLeak, TaskRefcountFiresWhenCountRisesBeforeTheFree) {
    auto r = run({bind(100, "A", 3, "h"), unbind(200, "h"), bind(300, "A", 3, "h2"), unbind(400, "h2"),
                  free_(500, 3)},
                 Model::task_refcount);
    EXPECT_EQ(findings_of(r), (Set{"pasid-leak 3 mm#1"}));
    EXPECT_EQ(r.findings.at(0).ts, 200u);
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 freed"})) << "freed later, so not leaked";
}

TEST(PasidLeak, TaskRefcountNearMissFreeAtZero) {
    auto r = run({bind(100, "A", 3, "h"), unbind(200, "h"), free_(201, 3)}, Model::task_refcount);
    EXPECT_TRUE(r.findings.empty());
}

TEST(PasidLeak, TaskRefcountCountNeverPositiveNeverReachedZero) {
    auto r = run({alloc(100, 3).mm("A"), mmdrop(200, "A").tid(1)}, Model::task_refcount);
    EXPECT_TRUE(r.findings.empty()) << "mmdrop plays no part in task-refcount";
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 open"}));
}

TEST(PasidLeak, TaskRefcountCountsMsrThreads) {
    auto r = run({bind(100, "A", 3, "h"), msr(150, 11, 3), unbind(200, "h"), exit_(300, 11)},
                 Model::task_refcount);
    EXPECT_EQ(findings_of(r), (Set{"pasid-leak 3 mm#1"}));
    EXPECT_EQ(r.findings.at(0).ts, 300u) << "zero only when the MSR thread exits";
}

TEST(BindingLeak, FiresAfterMmput) {
    auto r = run({bind(100, "A", 3, "h").tid(1), mmput(200, "A")});
    EXPECT_EQ(findings_of(r), (Set{"binding-leak 3 mm#1"}));
    EXPECT_EQ(r.findings.at(0).ts, 200u);
}

TEST(BindingLeak, FiresWhenEveryKnownThreadExited) {
    auto r = run({bind(100, "A", 3, "h").tid(1), msr(150, 2, 3).mm("A"), exit_(200, 2), exit_(250, 3).mm("A")});
    EXPECT_EQ(findings_of(r), (Set{"binding-leak 3 mm#1"}));
    EXPECT_EQ(r.findings.at(0).ts, 250u) << "dated at the last thread exit";
}

TEST(BindingLeak, NearMissOnlyTheBinderExited) {
    auto r = run({bind(100, "A", 3, "h").tid(1), exit_(200, 1).mm("A")});
    EXPECT_TRUE(r.findings.empty()) << "the binding thread does not count";
}

TEST(BindingLeak, NearMissOneThreadStillAlive) {
    auto r = run({bind(100, "A", 3, "h").tid(1), msr(150, 2, 3).mm("A"), msr(160, 4, 3).mm("A"), exit_(200, 2)});
    EXPECT_TRUE(r.findings.empty());
}

TEST(BindingLeak, NearMissUnbound) {
    auto r = run({bind(100, "A", 3, "h").tid(1), mmput(200, "A"), unbind(300, "h")});
    EXPECT_TRUE(r.findings.empty());
}

TEST(EarlyFreeBound, FiresInBothModels) {
    for (Model m : {Model::mm, Model::task_refcount}) {
        auto r = run({bind(100, "A", 3, "h"), free_(200, 3).tid(1)}, m);
        EXPECT_EQ(findings_of(r), (Set{"early-free-bound 3 mm#1"}));
        EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 early-freed"}));
    }
}

TEST(EarlyFreeBound, NearMissUnboundAndFreedAtDrop) {
    auto r = run({bind(100, "A", 3, "h"), unbind(150, "h"), mmdrop(200, "A").tid(1), free_(201, 3).tid(1)});
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 freed"}));
}

TEST(EarlyFreeTask, FiresWhileMsrThreadAlive) {
    for (Model m : {Model::mm, Model::task_refcount}) {
        auto r = run({bind(100, "A", 3, "h"), msr(150, 11, 3), unbind(200, "h"), free_(250, 3)}, m);
        EXPECT_EQ(findings_of(r), (Set{"early-free-task 3 mm#1"}));
    }
}

TEST(EarlyFreeTask, NearMissThreadExitedFirst) {
    auto r = run({bind(100, "A", 3, "h"), msr(150, 11, 3), unbind(200, "h"), exit_(220, 11), free_(250, 3)},
                 Model::task_refcount);
    EXPECT_TRUE(r.findings.empty());
}

TEST(EarlyFreeTask, ExecEndsTheMsrReference) {
    auto r = run({bind(100, "A", 3, "h"), msr(150, 11, 3).mm("A"), Ev(160, EventType::exec).tid(11).mm("B"),
                  unbind(200, "h"), free_(250, 3)},
                 Model::task_refcount);
    EXPECT_TRUE(r.findings.empty());
}

TEST(EarlyFreeTask, GroupDeadEndsEveryThreadOfThePid) {
    auto r = run({bind(100, "A", 3, "h"), msr(150, 11, 3).pid(10), msr(151, 12, 3).pid(10), unbind(200, "h"),
                  exit_(220, 10).pid(10).group_dead(), free_(250, 3)},
                 Model::task_refcount);
    EXPECT_TRUE(r.findings.empty());
}

TEST(EarlyFreeMmLive, FiresOnlyInTheMmModel) {
    std::vector<Event> t{alloc(100, 3).mm("A"), free_(200, 3).tid(1)};
    EXPECT_EQ(findings_of(run(t, Model::mm)), (Set{"early-free-mm-live 3 mm#1"}));
    EXPECT_TRUE(run(t, Model::task_refcount).findings.empty());
}

TEST(EarlyFreeMmLive, NearMissFreeAdjacentBeforeDrop) {
    auto r = run({alloc(100, 3).mm("A"), free_(200, 3).tid(1), mmdrop(201, "A").tid(1)});
    EXPECT_TRUE(r.findings.empty());
}

TEST(MmdropWhileBound, FiresOncePerDrop) {
    auto r = run({bind(100, "A", 3, "h"), Ev(110, EventType::bind).mm("A").dev("d1").pasid(3).handle("h2"),
                  mmdrop(200, "A").tid(1), free_(201, 3).tid(1)});
    EXPECT_EQ(findings_of(r), (Set{"mmdrop-while-bound 3 mm#1"}));
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 freed"})) << "the free at the drop is reported once, as the drop";
}

TEST(MmdropWhileBound, NearMissUnboundFirst) {
    auto r = run({bind(100, "A", 3, "h"), unbind(150, "h"), mmdrop(200, "A").tid(1), free_(201, 3).tid(1)});
    EXPECT_TRUE(r.findings.empty());
}

TEST(PasidReuseLive, SecondMmBindsALivePasid) {
    auto r = run({bind(100, "A", 3, "h"), bind(200, "B", 3, "h2")});
    EXPECT_EQ(findings_of(r), (Set{"pasid-reuse-live 3 mm#2"}));
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 open"})) << "ownership does not change";
}

TEST(PasidReuseLive, AllocatedAgainWhileLive) {
    auto r = run({alloc(100, 3).mm("A"), alloc(200, 3).mm("B")});
    EXPECT_EQ(findings_of(r), (Set{"pasid-reuse-live 3 mm#2"}));
}

TEST(PasidReuseLive, NearMissFreedBetween) {
    auto r = run({alloc(100, 3).mm("A"), free_(150, 3).tid(1), mmdrop(151, "A").tid(1), bind(200, "B", 3, "h2")});
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 freed", "3 mm#2 open"}));
}

TEST(UseAfterFreeMsr, FiresAfterFree) {
    auto r = run({alloc(100, 3).mm("A"), free_(150, 3).tid(1), mmdrop(151, "A").tid(1), msr(200, 7, 3)});
    EXPECT_EQ(findings_of(r), (Set{"use-after-free-msr 3 mm#1"}));
}

TEST(UseAfterFreeMsr, NearMissNeverSeenPasidTies) {
    auto r = run({msr(200, 7, 3).mm("A")});
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 open"}));
}

TEST(UseAfterFreeIopf, FiresAfterFree) {
    auto r = run({alloc(100, 3).mm("A"), free_(150, 3).tid(1), mmdrop(151, "A").tid(1), iopf(200, 3)});
    EXPECT_EQ(findings_of(r), (Set{"use-after-free-iopf 3 mm#1"}));
}

TEST(UseAfterFreeIopf, NearMissNeverSeenIsLiveWithNoMm) {
    auto r = run({iopf(200, 9)});
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(lifetimes_of(r), (Set{"9 - open"}));
}

TEST(DoubleFree, SecondFree) {
    auto r = run({alloc(100, 3), free_(150, 3), free_(200, 3)});
    EXPECT_EQ(findings_of(r), (Set{"double-free 3 -"}));
}

TEST(DoubleFree, NearMissReallocatedBetween) {
    auto r = run({alloc(100, 3), free_(150, 3), alloc(160, 3), free_(200, 3)});
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(lifetimes_of(r), (Set{"3 - freed", "3 - freed"}));
}

TEST(UnbalancedUnbind, NoActiveBinding) {
    auto r = run({unbind(100, "h")});
    EXPECT_EQ(findings_of(r), (Set{"unbalanced-unbind - -"}));
}

TEST(UnbalancedUnbind, SharedHandleNeedsOneUnbindPerBind) {
    auto r = run({bind(100, "A", 3, "h"), bind(110, "A", 3, "h"), unbind(200, "h"), unbind(210, "h")});
    EXPECT_TRUE(r.findings.empty());
    auto r2 = run({bind(100, "A", 3, "h"), bind(110, "A", 3, "h"), unbind(200, "h"), unbind(210, "h"),
                   unbind(220, "h")});
    EXPECT_EQ(findings_of(r2), (Set{"unbalanced-unbind - -"}));
}

TEST(UnbalancedUnbind, ByDeviceAndMmMatchesEvenAfterDrop) {
    auto r = run({bind(100, "A", 3, "h").tid(5), mmdrop(200, "A").tid(5),
                  Ev(300, EventType::unbind).mm("A").dev("0000:6a:01.0").tid(5)});
    EXPECT_EQ(findings_of(r), (Set{"mmdrop-while-bound 3 mm#1", "pasid-leak 3 mm#1"}));
}

TEST(MsrPasidMismatch, MmHoldsAnother) {
    auto r = run({alloc(100, 3).mm("A"), msr(200, 7, 4).mm("A")});
    EXPECT_EQ(findings_of(r), (Set{"msr-pasid-mismatch 4 mm#1"}));
    EXPECT_EQ(lifetimes_of(r), (Set{"3 mm#1 open", "4 - open"}));
}

TEST(MsrPasidMismatch, DeviceOwnedPasid) {
    auto r = run({alloc(100, 7), msr(200, 5, 7).mm("K")});
    EXPECT_EQ(findings_of(r), (Set{"msr-pasid-mismatch 7 mm#1"}));
}

TEST(MsrPasidMismatch, NearMissItsOwnPasid) {
    auto r = run({alloc(100, 3).mm("A"), msr(200, 7, 3).mm("A"), msr(210, 8, 3)});
    EXPECT_TRUE(r.findings.empty());
}

TEST(EventsLost, OnePerTraceAndLaterFindingsUncertain) {
    auto r = run({alloc(100, 3).mm("A"), lost(150, 2), lost(160, 5), free_(200, 3).tid(1)});
    ASSERT_EQ(r.findings.size(), 2u);
    EXPECT_EQ(r.findings[0].rule, core::RuleId::events_lost);
    EXPECT_FALSE(r.findings[0].uncertain);
    EXPECT_EQ(r.findings[1].rule, core::RuleId::early_free_mm_live);
    EXPECT_TRUE(r.findings[1].uncertain);
    EXPECT_EQ(r.input.lost, 7u);
}

TEST(EventsLost, CountZeroIsNoLoss) {
    auto r = run({lost(150, 0), alloc(160, 3).mm("A"), free_(200, 3).tid(1)});
    EXPECT_EQ(findings_of(r), (Set{"early-free-mm-live 3 mm#1"}));
    EXPECT_FALSE(r.findings[0].uncertain);
}

TEST(EventsLost, FindingBeforeTheLossStaysCertain) {
    auto r = run({alloc(100, 3).mm("A"), free_(200, 3), lost(300, 1)});
    ASSERT_EQ(r.findings.size(), 2u);
    EXPECT_FALSE(r.findings[0].uncertain);
}

TEST(FailedBind, CountedTiesNothing) {
    auto r = run({Ev(100, EventType::bind).mm("A").dev("d").ret(-95), unbind(200, "h0")});
    EXPECT_EQ(r.input.failed_binds, 1u);
    EXPECT_TRUE(r.lifetimes.empty());
    EXPECT_EQ(findings_of(r), (Set{"unbalanced-unbind - -"}));
}

}  // namespace
}  // namespace pasidtrace::test
