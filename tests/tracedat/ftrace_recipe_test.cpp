// SPDX-License-Identifier: GPL-2.0-only
// The ftrace recipe for each kernel era, from written descriptions of what
// BTF and kallsyms say on such kernels (kernel-pasid-lifecycle.md sections 2
// and 3). The offsets are made-up numbers in BTF's shape: what is tested is
// which members each era's fetch arguments follow, and which function each
// logical hook lands on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "../cli/cli_runner.hpp"
#include "app/ftrace_apply.hpp"
#include "app/ftrace_kernel.hpp"
#include "app/ftrace_recipe.hpp"
#include "core/rules.hpp"

#if PASIDTRACE_HAVE_LIBBPF
#include <bpf/btf.h>
#endif

namespace pasidtrace::app {
namespace {

using core::EventType;
using ::testing::HasSubstr;

constexpr std::uint32_t kDevName = 0;      // device.kobj.name: kobj and name come first
constexpr std::uint32_t kBinprmMm = 256;   // linux_binprm.mm
constexpr std::uint32_t kMmPasid = 960;    // mm_struct.pasid (5.10-6.7)
constexpr std::uint32_t kMmIommuMm = 968;  // mm_struct.iommu_mm (6.8+)
constexpr std::uint32_t kSvaDomain = 8;    // iommu_sva.domain (6.2-6.10)
constexpr std::uint32_t kDomainMm = 64;    // iommu_domain.mm (6.2+)

const std::set<std::string> kTracepoints = {
    "sched:sched_process_fork", "task:task_newtask",    "task:task_rename", "sched:sched_process_exec",
    "sched:sched_process_exit", "kmem:kmem_cache_free", "msr:write_msr",    "intel_iommu:prq_report"};

KernelDescription kernel(std::string release, std::set<std::string> functions, StructLayout layout) {
    KernelDescription k;
    k.release = std::move(release);
    k.kprobe_events = true;
    k.btf = true;
    k.functions = std::move(functions);
    k.functions.insert({"__mmdrop", "setup_new_exec"});
    k.tracepoints = kTracepoints;
    k.tracepoint_fields = {"kmem:kmem_cache_free.name"};
    layout.device_name = kDevName;
    layout.binprm_mm = kBinprmMm;
    k.layout = layout;
    return k;
}

std::map<std::string, std::string> probes_of(const Recipe& r) {
    std::map<std::string, std::string> out;
    for (const auto& p : r.probes) out[p.event] = p.definition;
    return out;
}

std::set<EventType> missing_of(const Recipe& r) {
    std::set<EventType> out;
    for (const auto& m : r.missing) out.insert(m.type);
    return out;
}

const std::set<std::string> kSva = {"iommu_sva_bind_device", "iommu_sva_unbind_device"};

std::set<std::string> with(std::set<std::string> a, std::initializer_list<const char*> more) {
    for (const char* m : more) a.insert(m);
    return a;
}

TEST(FtraceRecipe, Era1Kernel5_10) {
    StructLayout l;
    l.mm_pasid = kMmPasid;
    const Recipe r = make_recipe(kernel("5.10.0", with(kSva, {"ioasid_alloc", "ioasid_free"}), l));
    auto p = probes_of(r);
    EXPECT_EQ(p["bind"], "p:pasidtrace/bind iommu_sva_bind_device dev=+0(+0($arg1)):string mm=$arg2:x64");
    // Before 6.2 the handle is embedded in a vendor struct: no way from it to the PASID.
    EXPECT_EQ(p["bind_ret"], "r:pasidtrace/bind_ret iommu_sva_bind_device handle=$retval:x64");
    EXPECT_EQ(p["unbind"], "p:pasidtrace/unbind iommu_sva_unbind_device handle=$arg1:x64");
    EXPECT_EQ(p["pasid_alloc"], "r:pasidtrace/pasid_alloc ioasid_alloc pasid=$retval:u32");
    EXPECT_EQ(p["pasid_free"], "p:pasidtrace/pasid_free ioasid_free pasid=$arg1:u32");
    EXPECT_EQ(p["mmdrop"], "p:pasidtrace/mmdrop __mmdrop mm=$arg1:x64");
    EXPECT_EQ(p["exec_mm"], "p:pasidtrace/exec_mm setup_new_exec mm=+256($arg1):x64");
    EXPECT_EQ(missing_of(r), std::set<EventType>{EventType::mmput}) << "__mmput inlined into mmput";
    EXPECT_TRUE(r.observed.has(EventType::iopf)) << "intel_iommu:prq_report";
    EXPECT_FALSE(r.observed.has(EventType::mmput));
}

TEST(FtraceRecipe, Era2Kernel5_15FreesThroughIoasidPut) {
    StructLayout l;
    l.mm_pasid = kMmPasid;
    const Recipe r =
        make_recipe(kernel("5.15.0", with(kSva, {"ioasid_alloc", "ioasid_put", "ioasid_free", "__mmput"}), l));
    auto p = probes_of(r);
    EXPECT_EQ(p["pasid_put"], "p:pasidtrace/pasid_put ioasid_put pasid=$arg1:u32");
    EXPECT_EQ(p["pasid_put_ret"], "r:pasidtrace/pasid_put_ret ioasid_put freed=$retval:u8");
    EXPECT_EQ(p.count("pasid_free"), 0u);
    EXPECT_EQ(p["mmput"], "p:pasidtrace/mmput __mmput mm=$arg1:x64");
    EXPECT_TRUE(missing_of(r).empty());
}

TEST(FtraceRecipe, Era3Kernel6_2FollowsTheHandlesDomainToTheMm) {
    StructLayout l;
    l.mm_pasid = kMmPasid;
    l.sva_domain = kSvaDomain;
    l.domain_mm = kDomainMm;
    const Recipe r = make_recipe(kernel("6.2.0", with(kSva, {"ioasid_alloc", "ioasid_free", "__mmput"}), l));
    auto p = probes_of(r);
    EXPECT_EQ(p["bind_ret"],
              "r:pasidtrace/bind_ret iommu_sva_bind_device handle=$retval:x64 pasid=+960(+64(+8($retval))):u32");
    EXPECT_EQ(p["unbind"],
              "p:pasidtrace/unbind iommu_sva_unbind_device handle=$arg1:x64 mm=+64(+8($arg1)):x64 "
              "pasid=+960(+64(+8($arg1))):u32");
    EXPECT_EQ(p["pasid_free"], "p:pasidtrace/pasid_free ioasid_free pasid=$arg1:u32");
}

TEST(FtraceRecipe, Era4Kernel6_5HasNoAllocatorToProbe) {
    StructLayout l;
    l.mm_pasid = kMmPasid;
    l.sva_domain = kSvaDomain;
    l.domain_mm = kDomainMm;
    const Recipe r = make_recipe(kernel("6.5.0", with(kSva, {"mm_pasid_drop", "__mmput"}), l));
    auto p = probes_of(r);
    EXPECT_EQ(p["pasid_free"], "p:pasidtrace/pasid_free mm_pasid_drop mm=$arg1:x64 pasid=+960($arg1):u32");
    EXPECT_EQ(missing_of(r), std::set<EventType>{EventType::pasid_alloc});
    EXPECT_THAT(r.missing.front().reason, HasSubstr("IDA"));
}

TEST(FtraceRecipe, Era4Kernel6_6UsesTheGlobalPasidAllocator) {
    StructLayout l;
    l.mm_pasid = kMmPasid;
    l.sva_domain = kSvaDomain;
    l.domain_mm = kDomainMm;
    const Recipe r = make_recipe(kernel(
        "6.6.0", with(kSva, {"iommu_alloc_global_pasid", "iommu_free_global_pasid", "mm_pasid_drop", "__mmput"}), l));
    auto p = probes_of(r);
    EXPECT_EQ(p["pasid_alloc"], "r:pasidtrace/pasid_alloc iommu_alloc_global_pasid pasid=$retval:u32");
    EXPECT_EQ(p["pasid_free"], "p:pasidtrace/pasid_free iommu_free_global_pasid pasid=$arg1:u32");
    EXPECT_TRUE(missing_of(r).empty());
}

TEST(FtraceRecipe, Era5Kernel6_8ReadsThePasidThroughIommuMm) {
    StructLayout l;
    l.mm_iommu_mm = kMmIommuMm;
    l.iommu_mm_data_pasid = 0;
    l.sva_domain = kSvaDomain;
    l.domain_mm = kDomainMm;
    const Recipe r = make_recipe(kernel(
        "6.8.0", with(kSva, {"iommu_alloc_global_pasid", "iommu_free_global_pasid", "mm_pasid_drop", "__mmput"}), l));
    EXPECT_EQ(probes_of(r)["bind_ret"],
              "r:pasidtrace/bind_ret iommu_sva_bind_device handle=$retval:x64 "
              "pasid=+0(+968(+64(+8($retval)))):u32");
}

TEST(FtraceRecipe, Kernel6_11ReachesTheDomainThroughTheAttachHandle) {
    StructLayout l;
    l.mm_iommu_mm = kMmIommuMm;
    l.iommu_mm_data_pasid = 0;
    l.sva_handle = 0;             // struct iommu_sva { struct iommu_attach_handle handle; ... }
    l.attach_handle_domain = 16;  // made up: handle->handle.domain
    l.domain_mm = kDomainMm;
    const Recipe r = make_recipe(
        kernel("6.12.0", with(kSva, {"iommu_alloc_global_pasid", "iommu_free_global_pasid", "__mmput"}), l));
    auto p = probes_of(r);
    EXPECT_EQ(p["unbind"],
              "p:pasidtrace/unbind iommu_sva_unbind_device handle=$arg1:x64 mm=+64(+16($arg1)):x64 "
              "pasid=+0(+968(+64(+16($arg1)))):u32");
    // Every contract type is recorded: no rule of model mm is left unchecked.
    EXPECT_TRUE(core::unchecked_rules(core::Model::mm, r.observed).empty());
    EXPECT_TRUE(missing_of(r).empty());
}

TEST(FtraceRecipe, WithoutBtfOffsetsAreLeftOutAndSaidSo) {
    KernelDescription k = kernel("6.5.0", with(kSva, {"mm_pasid_drop", "__mmput"}), {});
    k.btf = false;
    k.layout = StructLayout{};
    const Recipe r = make_recipe(k);
    auto p = probes_of(r);
    EXPECT_EQ(p["bind_ret"], "r:pasidtrace/bind_ret iommu_sva_bind_device handle=$retval:x64");
    EXPECT_EQ(p.count("exec_mm"), 0u);
    EXPECT_TRUE(missing_of(r).count(EventType::pasid_free)) << "mm_pasid_drop needs mm->pasid's offset";
    EXPECT_THAT(r.notes.front(), HasSubstr("no BTF"));
}

TEST(FtraceRecipe, WithoutSvaNothingBinds) {
    const Recipe r =
        make_recipe(kernel("6.18.0", {"iommu_alloc_global_pasid", "iommu_free_global_pasid", "__mmput"}, {}));
    EXPECT_TRUE(missing_of(r).count(EventType::bind));
    EXPECT_TRUE(missing_of(r).count(EventType::unbind));
    EXPECT_FALSE(missing_of(r).count(EventType::pasid_free));
}

// The kernel here: no kprobe events at all.
TEST(FtraceRecipe, WithoutKprobesTheRecipeIsTracepointsOnly) {
    KernelDescription k = kernel("6.18.44", {}, {});
    k.kprobe_events = false;
    k.tracepoints.erase("intel_iommu:prq_report");  // no CONFIG_INTEL_IOMMU here either
    const Recipe r = make_recipe(k);
    EXPECT_TRUE(r.probes.empty());
    EXPECT_EQ(missing_of(r), (std::set<EventType>{EventType::bind, EventType::unbind, EventType::pasid_alloc,
                                                  EventType::pasid_free, EventType::mmput, EventType::iopf}));
    std::vector<std::string> events;
    for (const auto& tp : r.tracepoints) events.push_back(tp.event + (tp.filter.empty() ? "" : " " + tp.filter));
    EXPECT_THAT(events, ::testing::Contains("kmem:kmem_cache_free name==\"mm_struct\""));
    EXPECT_THAT(events, ::testing::Contains("msr:write_msr msr==0xd93"));
    const auto args = r.record_arguments();
    EXPECT_THAT(args, ::testing::Not(::testing::Contains("pasidtrace")));
    const std::string cmd = shell_join(args);
    EXPECT_THAT(cmd, HasSubstr("-e kmem:kmem_cache_free -f 'name==\"mm_struct\"'"));
    EXPECT_THAT(cmd, HasSubstr("-e msr:write_msr -f msr==0xd93"));
    EXPECT_THAT(cmd, HasSubstr("-C mono"));
    const std::string text = render_recipe(r, k);
    EXPECT_THAT(text, HasSubstr("no kprobe events"));
    EXPECT_THAT(text, HasSubstr("tracepoint-only recipe"));
    EXPECT_THAT(text, HasSubstr("pasid-leak"));  // named as unchecked
}

TEST(FtraceRecipe, TheFullRecipeEchoesItsProbesAndRecordsTheGroup) {
    StructLayout l;
    l.mm_iommu_mm = kMmIommuMm;
    l.iommu_mm_data_pasid = 0;
    l.sva_domain = kSvaDomain;
    l.domain_mm = kDomainMm;
    const KernelDescription k =
        kernel("6.8.0", with(kSva, {"iommu_alloc_global_pasid", "iommu_free_global_pasid", "__mmput"}), l);
    const Recipe r = make_recipe(k);
    const std::string text = render_recipe(r, k);
    EXPECT_THAT(text,
                HasSubstr("echo 'p:pasidtrace/mmdrop __mmdrop mm=$arg1:x64' >> /sys/kernel/tracing/kprobe_events"));
    EXPECT_THAT(shell_join(r.record_arguments()), HasSubstr("-e pasidtrace -o trace.dat"));
    // __mmdrop is probed at entry: no need for the slab-free fallback.
    for (const auto& tp : r.tracepoints) EXPECT_NE(tp.event, "kmem:kmem_cache_free");
}

TEST(FtraceRecipe, OldSlabEventWithoutNameAndNoMmdropProbeMissesMmdrop) {
    KernelDescription k = kernel("5.10.0", {}, {});
    k.kprobe_events = false;
    k.tracepoint_fields.clear();
    EXPECT_TRUE(missing_of(make_recipe(k)).count(EventType::mmdrop));
}

TEST(FtraceRecipe, ShellJoinQuotesWhatTheShellWouldSplit) {
    EXPECT_EQ(shell_join({"a", "b c", "it's", "x==1"}), "a 'b c' 'it'\\''s' x==1");
}

#if PASIDTRACE_HAVE_LIBBPF
// A BTF in vmlinux's shape: mm_struct's members inside an anonymous
// struct, iommu_sva embedding an attach handle (6.11+).
TEST(FtraceRecipeBtf, LayoutFollowsAnonymousMembersAndEmbeddedStructs) {
    btf* b = btf__new_empty();
    ASSERT_NE(b, nullptr);
    const int u32 = btf__add_int(b, "unsigned int", 4, 0);
    const int u64 = btf__add_int(b, "long long unsigned int", 8, 0);
    const int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
    const int chr_ptr = btf__add_ptr(b, chr);

    const int imd = btf__add_struct(b, "iommu_mm_data", 16);
    btf__add_field(b, "sva_domains_stub", u64, 0, 0);
    btf__add_field(b, "pasid", u32, 64, 0);
    const int imd_ptr = btf__add_ptr(b, imd);
    const int anon = btf__add_struct(b, nullptr, 1024);
    btf__add_field(b, "mm_users", u32, 0, 0);
    btf__add_field(b, "iommu_mm", imd_ptr, 8 * 968, 0);
    const int mm = btf__add_struct(b, "mm_struct", 1032);
    btf__add_field(b, nullptr, anon, 0, 0);
    btf__add_field(b, "cpu_bitmap", u64, 8 * 1024, 0);
    const int mm_ptr = btf__add_ptr(b, mm);

    const int kobject = btf__add_struct(b, "kobject", 16);
    btf__add_field(b, "name", chr_ptr, 0, 0);
    ASSERT_GT(btf__add_struct(b, "device", 64), 0);
    btf__add_field(b, "parent_stub", u64, 0, 0);
    btf__add_field(b, "kobj", kobject, 64, 0);
    ASSERT_GT(btf__add_struct(b, "linux_binprm", 512), 0);
    btf__add_field(b, "vma_stub", u64, 0, 0);
    btf__add_field(b, "mm", mm_ptr, 8 * 256, 0);

    const int domain = btf__add_struct(b, "iommu_domain", 128);
    btf__add_field(b, "type", u32, 0, 0);
    btf__add_field(b, "mm", mm_ptr, 8 * 64, 0);
    const int domain_ptr = btf__add_ptr(b, domain);
    const int handle = btf__add_struct(b, "iommu_attach_handle", 16);
    btf__add_field(b, "domain", domain_ptr, 0, 0);
    ASSERT_GT(btf__add_struct(b, "iommu_sva", 40), 0);
    btf__add_field(b, "handle", handle, 0, 0);
    btf__add_field(b, "dev_stub", u64, 8 * 16, 0);

    const StructLayout l = layout_from_btf(b);
    btf__free(b);
    EXPECT_FALSE(l.mm_pasid);
    EXPECT_EQ(l.mm_iommu_mm, 968u);
    EXPECT_EQ(l.iommu_mm_data_pasid, 8u);
    EXPECT_EQ(l.device_name, 8u);
    EXPECT_EQ(l.binprm_mm, 256u);
    EXPECT_EQ(l.domain_mm, 64u);
    EXPECT_EQ(l.sva_handle, 0u);
    EXPECT_EQ(l.attach_handle_domain, 0u);
    EXPECT_FALSE(l.sva_domain);
}

// This kernel's own BTF: no IOMMU SVA, so no PASID members, but the members
// every kernel has.
TEST(FtraceRecipeBtf, RunningKernelLayout) {
    if (::access("/sys/kernel/btf/vmlinux", R_OK) != 0) GTEST_SKIP() << "SKIPPED: no /sys/kernel/btf/vmlinux";
    KernelPaths paths;
    const KernelReading reading = describe_running_kernel(paths);
    EXPECT_TRUE(reading.kernel.btf);
    EXPECT_TRUE(reading.kernel.layout.binprm_mm);
    EXPECT_TRUE(reading.kernel.layout.device_name);
    EXPECT_TRUE(reading.kernel.functions.count("__mmdrop"));
}
#endif

// --apply against a tracefs-shaped directory: what is written where.
TEST(FtraceApply, WritesProbesFiltersAndEnablesIntoTheInstance) {
    test::TempDir dir;
    const auto root = dir.path();
    // The control files tracefs has; writes never create files.
    for (const char* e : {"sched/sched_process_fork", "kmem/kmem_cache_free", "msr/write_msr"}) {
        std::filesystem::create_directories(root / "instances" / "pt" / "events" / e);
        for (const char* f : {"filter", "enable"}) std::ofstream(root / "instances" / "pt" / "events" / e / f) << "";
    }
    std::filesystem::create_directories(root / "instances" / "pt" / "events" / "pasidtrace");
    std::ofstream(root / "instances" / "pt" / "events" / "pasidtrace" / "enable") << "";
    for (const char* f : {"tracing_on", "trace_clock"}) std::ofstream(root / "instances" / "pt" / f) << "";
    std::ofstream(root / "kprobe_events") << "p:other/probe some_function\n";

    Recipe r;
    r.tracepoints = {{"sched:sched_process_fork", "", ""},
                     {"kmem:kmem_cache_free", "name==\"mm_struct\"", ""},
                     {"msr:write_msr", "msr==0xd93", ""}};
    r.probes = {{"mmdrop", "p:pasidtrace/mmdrop __mmdrop mm=$arg1:x64", ""}};
    auto applied = apply_recipe(r, ApplyTarget{root.string(), "pt"});
    ASSERT_TRUE(std::holds_alternative<AppliedRecipe>(applied)) << std::get<std::string>(applied);
    const auto inst = root / "instances" / "pt";
    EXPECT_EQ(test::slurp(inst / "events/kmem/kmem_cache_free/filter"), "name==\"mm_struct\"\n");
    EXPECT_EQ(test::slurp(inst / "events/kmem/kmem_cache_free/enable"), "1\n");
    EXPECT_EQ(test::slurp(inst / "events/sched/sched_process_fork/filter"), "0\n");
    EXPECT_EQ(test::slurp(inst / "events/pasidtrace/enable"), "1\n");
    EXPECT_EQ(test::slurp(inst / "tracing_on"), "0\n") << "enabled, not started";
    EXPECT_EQ(test::slurp(inst / "trace_clock"), "mono\n");
    // Appended, never truncated: other probes on the system stay.
    EXPECT_THAT(test::slurp(root / "kprobe_events"), ::testing::StartsWith("p:other/probe some_function\n"));
    EXPECT_THAT(test::slurp(root / "kprobe_events"), HasSubstr("p:pasidtrace/mmdrop __mmdrop mm=$arg1:x64\n"));

    const std::string how = how_to_record(std::get<AppliedRecipe>(applied));
    EXPECT_THAT(how, HasSubstr("echo 1 > " + inst.string() + "/tracing_on"));
    EXPECT_THAT(how, HasSubstr("trace-cmd extract -B pt -o trace.dat"));
    EXPECT_THAT(how, HasSubstr("echo '-:pasidtrace/mmdrop' >> " + root.string() + "/kprobe_events"));
}

TEST(FtraceApply, AMissingEventIsAnErrorNamingTheFile) {
    test::TempDir dir;
    for (const char* f : {"tracing_on", "trace_clock"}) std::ofstream(dir.path() / f) << "";
    Recipe r;
    r.tracepoints = {{"sched:sched_process_fork", "", ""}};
    auto applied = apply_recipe(r, ApplyTarget{dir.path().string(), ""});
    ASSERT_TRUE(std::holds_alternative<std::string>(applied));
    EXPECT_THAT(std::get<std::string>(applied), HasSubstr("events/sched/sched_process_fork/filter"));
}

// The command on this machine: a kernel without kprobes.
TEST(FtraceRecipeCommand, PrintsTheTracepointOnlyRecipeHere) {
    if (::access("/sys/kernel/tracing/events", R_OK) != 0) GTEST_SKIP() << "SKIPPED: tracefs not mounted";
    if (::access("/sys/kernel/tracing/kprobe_events", F_OK) == 0)
        GTEST_SKIP() << "SKIPPED: this kernel has kprobes; the test is for one without";
    auto r = test::run_cli({"ftrace-recipe"});
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("no kprobe events"));
    EXPECT_THAT(r.out, HasSubstr("bind: needs a kprobe"));
    EXPECT_THAT(r.out, HasSubstr("-e sched:sched_process_fork"));
    EXPECT_THAT(r.out, HasSubstr("-f msr==0xd93"));
}

}  // namespace
}  // namespace pasidtrace::app
