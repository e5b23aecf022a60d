// SPDX-License-Identifier: GPL-2.0-only
#include "tracedat_test_support.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <variant>

#include <nlohmann/json.hpp>

#include "app/ftrace_recipe.hpp"
#include "sources/source_factory.hpp"

namespace pasidtrace::tracedat_test {
namespace fs = std::filesystem;

ReadResult read_all(const std::string& path) {
    ReadResult r;
    auto opened = sources::open_source(path);
    if (auto* err = std::get_if<core::InputError>(&opened)) {
        r.error = *err;
        return r;
    }
    auto& source = *std::get<std::unique_ptr<sources::EventSource>>(opened);
    r.opened = true;
    r.header = source.header();
    core::Event e;
    for (;;) {
        auto st = source.next(e);
        if (st == sources::ReadStatus::end) break;
        if (st == sources::ReadStatus::error) {
            r.error = source.error();
            break;
        }
        r.events.push_back(std::move(e));
        e = core::Event{};
    }
    r.skipped = source.counters().skipped;
    return r;
}

fs::path source_dir() { return PASIDTRACE_SOURCE_DIR; }
fs::path fixture(const std::string& name) { return source_dir() / "samples" / "tracedat" / name; }
std::string pasidtrace_binary() { return PASIDTRACE_BINARY; }

namespace {

constexpr const char* kTracefs = "/sys/kernel/tracing";

bool write_file(const std::string& path, const std::string& value, bool append = false) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
    if (fd < 0) return false;
    const std::string line = value + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    return ok;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string read_comm() {
    std::ifstream in("/proc/self/comm");
    std::string comm;
    std::getline(in, comm);
    return comm;
}

std::uint32_t this_tid() { return static_cast<std::uint32_t>(::gettid()); }

// Reads exactly n bytes from a pipe.
bool read_exact(int fd, void* buf, std::size_t n) {
    auto* p = static_cast<char*>(buf);
    while (n) {
        const ssize_t got = ::read(fd, p, n);
        if (got <= 0) return false;
        p += got;
        n -= static_cast<std::size_t>(got);
    }
    return true;
}

void wait_for(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

std::string recording_unavailable() {
    if (::geteuid() != 0) return "needs root to write tracefs";
    if (!exists(std::string(kTracefs) + "/instances")) {
        // Mount it the way the machine notes say; a no-op when it is there.
        if (std::system("mount -t tracefs nodev /sys/kernel/tracing >/dev/null 2>&1") != 0 ||
            !exists(std::string(kTracefs) + "/instances"))
            return "tracefs is not mounted at /sys/kernel/tracing and cannot be mounted";
    }
    if (std::system("command -v trace-cmd >/dev/null 2>&1") != 0) return "trace-cmd is not installed";
    return {};
}

// ---- TraceInstance --------------------------------------------------------

TraceInstance::TraceInstance(const std::string& tag)
    : name_("pasidtrace-test-" + tag + "-" + std::to_string(::getpid())) {
    dir_ = std::string(kTracefs) + "/instances/" + name_;
    ::mkdir(dir_.c_str(), 0750);
    write_file(dir_ + "/tracing_on", "0");
    write_file(dir_ + "/trace_clock", "mono");
    write_file(dir_ + "/buffer_size_kb", "4096");
}

TraceInstance::~TraceInstance() {
    if (!exists(dir_)) return;
    write_file(dir_ + "/tracing_on", "0");
    write_file(dir_ + "/events/enable", "0");
    ::rmdir(dir_.c_str());
}

bool TraceInstance::enable(const std::string& event, const std::string& filter) {
    const std::string dir = dir_ + "/events/" + event;
    if (!exists(dir + "/enable")) return false;
    if (!filter.empty() && !write_file(dir + "/filter", filter)) return false;
    return write_file(dir + "/enable", "1");
}

void TraceInstance::start() { write_file(dir_ + "/tracing_on", "1"); }
void TraceInstance::stop() { write_file(dir_ + "/tracing_on", "0"); }

bool TraceInstance::extract(const fs::path& out) {
    // /proc/kallsyms is hidden from trace-cmd: 3.1 sizes it, then copies it,
    // and fails when it changed in between (BPF programs come and go on a
    // shared machine), after it has already consumed the ring buffer. The
    // reader needs no kernel symbols, and the files stay small.
    const std::string extract =
        "trace-cmd extract -B " + name_ + " -o " + shell_quote(out.string()) + " >/dev/null 2>&1";
    return std::system(with_kallsyms_hidden(extract).c_str()) == 0 && fs::exists(out);
}

std::string with_kallsyms_hidden(const std::string& command) {
    return "unshare --mount --propagation unchanged sh -c " +
           shell_quote("mount --make-rprivate /proc && mount --bind /dev/null /proc/kallsyms && " + command);
}

// ---- process scenario -----------------------------------------------------

ProcessTruth run_process_scenario() {
    ProcessTruth truth;
    truth.test_pid = static_cast<std::uint32_t>(::getpid());
    truth.test_tid = this_tid();
    truth.test_comm = read_comm();
    struct utsname u {};
    if (::uname(&u) == 0) truth.kernel = u.release;
    int fds[2];
    if (::pipe(fds) != 0) return truth;
    const pid_t s = ::fork();
    if (s == 0) {
        ::close(fds[0]);
        ::prctl(PR_SET_NAME, "pt-scenario");
        const pid_t a = ::fork();
        if (a == 0) {
            ::execl("/bin/true", "true", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        wait_for(a);
        const pid_t b = ::fork();
        if (b == 0) ::_exit(0);
        wait_for(b);
        std::uint32_t t = 0;
        std::thread worker([&t] {
            t = this_tid();
            ::pthread_setname_np(::pthread_self(), "pt-worker");
        });
        worker.join();
        const std::uint32_t ids[3] = {static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b), t};
        [[maybe_unused]] auto n = ::write(fds[1], ids, sizeof ids);
        ::_exit(0);
    }
    ::close(fds[1]);
    std::uint32_t ids[3] = {};
    if (s > 0 && read_exact(fds[0], ids, sizeof ids)) {
        truth.s = static_cast<std::uint32_t>(s);
        truth.a = ids[0];
        truth.b = ids[1];
        truth.t = ids[2];
    }
    ::close(fds[0]);
    if (s > 0) wait_for(s);
    return truth;
}

namespace {

const char* const kSchedEvents[] = {"sched/sched_process_fork", "task/task_newtask", "task/task_rename",
                                    "sched/sched_process_exec", "sched/sched_process_exit"};

bool enable_recipe_tracepoints(TraceInstance& inst) {
    for (const char* e : kSchedEvents)
        if (!inst.enable(e)) return false;
    inst.enable("kmem/kmem_cache_free", "name==\"mm_struct\"");
    inst.enable("msr/write_msr", "msr==0xd93");
    return true;
}

}  // namespace

std::string record_process_scenario(const fs::path& out, ProcessTruth& truth) {
    TraceInstance inst("processes");
    if (!enable_recipe_tracepoints(inst)) return "cannot enable the sched tracepoints in " + inst.name();
    inst.start();
    truth = run_process_scenario();
    ::usleep(50 * 1000);
    inst.stop();
    if (!truth.s || !truth.t) return "the scenario did not report its pids";
    if (!inst.extract(out)) return "trace-cmd extract failed for " + inst.name();
    return {};
}

// ---- SVA scenario: stand-ins for the kernel functions the recipe probes ----
//
// Laid out like the 6.11+ structs the recipe follows (handle->handle.domain->
// mm->iommu_mm->pasid), with padding so that every offset is non-zero.

struct FakeKobject {
    const char* name;
};
struct FakeDevice {
    std::uint64_t pad;
    FakeKobject kobj;
};
struct FakeIommuMmData {
    std::uint64_t pad;
    std::uint32_t pasid;
};
struct FakeMm {
    char pad[40];
    FakeIommuMmData* iommu_mm;
};
struct FakeDomain {
    char pad[24];
    FakeMm* mm;
};
struct FakeAttachHandle {
    std::uint64_t pad;
    FakeDomain* domain;
};
struct FakeSva {
    std::uint64_t pad;
    FakeAttachHandle handle;
    FakeDevice* dev;
};

app::StructLayout fake_layout() {
    app::StructLayout l;
    l.device_name = offsetof(FakeDevice, kobj) + offsetof(FakeKobject, name);
    l.iommu_mm_data_pasid = offsetof(FakeIommuMmData, pasid);
    l.mm_iommu_mm = offsetof(FakeMm, iommu_mm);
    l.domain_mm = offsetof(FakeDomain, mm);
    l.attach_handle_domain = offsetof(FakeAttachHandle, domain);
    l.sva_handle = offsetof(FakeSva, handle);
    return l;
}

}  // namespace pasidtrace::tracedat_test

// The stand-ins: never inlined, cloned or folded, so each has one address
// and a uprobe there sees every call with the ABI's argument registers.
#if defined(__clang__)
#define PT_STANDIN extern "C" __attribute__((noinline, used, optnone))
#else
#define PT_STANDIN extern "C" __attribute__((noinline, noipa, used))
#endif

using pasidtrace::tracedat_test::FakeDevice;
using pasidtrace::tracedat_test::FakeDomain;
using pasidtrace::tracedat_test::FakeIommuMmData;
using pasidtrace::tracedat_test::FakeMm;
using pasidtrace::tracedat_test::FakeSva;

namespace {
std::uint32_t next_fake_pasid = 7;  // what the stand-in allocator hands out next
}

PT_STANDIN std::uint32_t pt_iommu_alloc_global_pasid(FakeDevice* dev) {
    asm volatile("" ::"r"(dev) : "memory");
    const std::uint32_t pasid = next_fake_pasid;
    next_fake_pasid += 2;
    return pasid;
}

PT_STANDIN void pt_iommu_free_global_pasid(std::uint32_t pasid) { asm volatile("" ::"r"(pasid) : "memory"); }

PT_STANDIN FakeSva* pt_iommu_sva_bind_device(FakeDevice* dev, FakeMm* mm) {
    asm volatile("" ::"r"(dev), "r"(mm) : "memory");
    // The bind of a device that refuses SVA: ERR_PTR(-EOPNOTSUPP), as x86
    // stable kernels with the SVA disable give (kernel-pasid-lifecycle.md B9).
    if (std::strcmp(dev->kobj.name, "refuses-sva") == 0) return reinterpret_cast<FakeSva*>(-95L);
    if (!mm->iommu_mm) {
        mm->iommu_mm = new FakeIommuMmData{0, pt_iommu_alloc_global_pasid(dev)};
    }
    auto* domain = new FakeDomain{};
    domain->mm = mm;
    auto* sva = new FakeSva{};
    sva->handle.domain = domain;
    sva->dev = dev;
    return sva;
}

PT_STANDIN void pt_iommu_sva_unbind_device(FakeSva* handle) { asm volatile("" ::"r"(handle) : "memory"); }

PT_STANDIN void pt___mmput(FakeMm* mm) { asm volatile("" ::"r"(mm) : "memory"); }

// As mm_pasid_drop() inside __mmdrop (6.8+): the PASID is freed in the drop.
PT_STANDIN void pt___mmdrop(FakeMm* mm) {
    if (mm->iommu_mm) pt_iommu_free_global_pasid(mm->iommu_mm->pasid);
}

namespace pasidtrace::tracedat_test {
namespace {

std::string self_exe() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

struct PhdrSearch {
    std::uintptr_t vaddr;
    std::uint64_t offset;
    bool found;
};

// The file offset of a function of this executable: what a uprobe takes.
std::optional<std::uint64_t> file_offset_of(void* fn) {
    Dl_info info{};
    if (!::dladdr(fn, &info) || !info.dli_fbase) return std::nullopt;
    PhdrSearch search{reinterpret_cast<std::uintptr_t>(fn) - reinterpret_cast<std::uintptr_t>(info.dli_fbase), 0,
                      false};
    ::dl_iterate_phdr(
        [](dl_phdr_info* phdrs, std::size_t, void* data) {
            auto* s = static_cast<PhdrSearch*>(data);
            if (phdrs->dlpi_name && *phdrs->dlpi_name) return 0;  // only the main program
            for (int i = 0; i < phdrs->dlpi_phnum; ++i) {
                const auto& ph = phdrs->dlpi_phdr[i];
                if (ph.p_type == PT_LOAD && s->vaddr >= ph.p_vaddr && s->vaddr < ph.p_vaddr + ph.p_memsz) {
                    s->offset = s->vaddr - ph.p_vaddr + ph.p_offset;
                    s->found = true;
                    return 1;
                }
            }
            return 1;
        },
        &search);
    if (!search.found) return std::nullopt;
    return search.offset;
}

template <typename F>
void* address_of(F* fn) {
    void* p;
    static_assert(sizeof p == sizeof fn);
    std::memcpy(&p, &fn, sizeof p);
    return p;
}

// The recipe for a 6.11+ kernel with kprobes, BTF and SVA, as
// `pasidtrace ftrace-recipe` would print it for these structs.
app::Recipe sva_recipe() {
    app::KernelDescription k;
    k.release = "6.12.0";
    k.kprobe_events = true;
    k.btf = true;
    k.functions = {"iommu_sva_bind_device",
                   "iommu_sva_unbind_device",
                   "iommu_alloc_global_pasid",
                   "iommu_free_global_pasid",
                   "__mmput",
                   "__mmdrop"};
    k.layout = fake_layout();
    return app::make_recipe(k);
}

// The recipe's kprobe line as a uprobe line on the stand-in: the function
// becomes PATH:0xOFFSET and $argN the x86-64 argument register (uprobes
// have no $argN).
std::optional<std::string> as_uprobe(const std::string& definition, const std::map<std::string, std::string>& places) {
    std::istringstream words(definition);
    std::string head, function, rest, word;
    words >> head >> function;
    auto place = places.find(function);
    if (place == places.end()) return std::nullopt;
    while (words >> word) rest += " " + word;
    static const char* const regs[] = {"%di", "%si", "%dx", "%cx", "%r8", "%r9"};
    for (int i = 6; i >= 1; --i) {
        const std::string arg = "$arg" + std::to_string(i);
        for (auto at = rest.find(arg); at != std::string::npos; at = rest.find(arg))
            rest.replace(at, arg.size(), regs[i - 1]);
    }
    return head + " " + place->second + rest;
}

class Uprobes {
public:
    ~Uprobes() {
        for (const auto& e : events_) write_file(std::string(kTracefs) + "/uprobe_events", "-:pasidtrace/" + e, true);
    }
    std::string define(const app::Recipe& recipe) {
        const std::string exe = self_exe();
        const std::map<std::string, void*> standins = {
            {"iommu_sva_bind_device", address_of(&pt_iommu_sva_bind_device)},
            {"iommu_sva_unbind_device", address_of(&pt_iommu_sva_unbind_device)},
            {"iommu_alloc_global_pasid", address_of(&pt_iommu_alloc_global_pasid)},
            {"iommu_free_global_pasid", address_of(&pt_iommu_free_global_pasid)},
            {"__mmput", address_of(&pt___mmput)},
            {"__mmdrop", address_of(&pt___mmdrop)}};
        std::map<std::string, std::string> places;
        for (const auto& [name, fn] : standins) {
            auto off = file_offset_of(fn);
            if (!off) return "cannot find the file offset of the stand-in for " + name;
            std::ostringstream place;
            place << exe << ":0x" << std::hex << *off;
            places[name] = place.str();
        }
        for (const auto& p : recipe.probes) {
            auto line = as_uprobe(p.definition, places);
            if (!line) return "no stand-in for " + p.definition;
            if (!write_file(std::string(kTracefs) + "/uprobe_events", *line, true))
                return "uprobe_events refused '" + *line + "': " + std::strerror(errno);
            events_.push_back(p.event);
        }
        return {};
    }

private:
    std::vector<std::string> events_;
};

struct SvaRun {
    std::uint64_t mm = 0, handle = 0;
    std::uint32_t pasid = 0;
    std::int64_t failed_ret = 0;
};

// One SVA process: binds, (early: frees its PASID while bound,) unbinds,
// puts and drops its mm. Reports what it did through the pipe.
void sva_process(int fd, const char* comm, bool early_free) {
    ::prctl(PR_SET_NAME, comm);
    next_fake_pasid = early_free ? 9 : 7;
    static const char* const kDevName = "0000:6a:01.0";
    auto* dev = new FakeDevice{0, {kDevName}};
    auto* refusing = new FakeDevice{0, {"refuses-sva"}};
    // Not at the first process's addresses, so that the two mms read apart
    // (the kernel reuses freed addresses too; the analyzer copes either way).
    if (early_free) {
        auto* skipped = new FakeMm{};
        asm volatile("" ::"r"(skipped) : "memory");
    }
    auto* mm = new FakeMm{};
    SvaRun run;
    run.mm = reinterpret_cast<std::uintptr_t>(mm);
    if (!early_free) run.failed_ret = reinterpret_cast<std::intptr_t>(pt_iommu_sva_bind_device(refusing, mm));
    FakeSva* handle = pt_iommu_sva_bind_device(dev, mm);
    run.handle = reinterpret_cast<std::uintptr_t>(handle);
    run.pasid = mm->iommu_mm->pasid;
    if (early_free) {
        // The bug class of 5.18-rc1 (kernel-pasid-lifecycle.md B2): freed while the device is bound.
        pt_iommu_free_global_pasid(run.pasid);
        mm->iommu_mm = nullptr;
    }
    pt_iommu_sva_unbind_device(handle);
    pt___mmput(mm);
    pt___mmdrop(mm);
    [[maybe_unused]] auto n = ::write(fd, &run, sizeof run);
}

std::optional<SvaRun> run_sva_process(const char* comm, bool early_free, std::uint32_t& pid_out) {
    int fds[2];
    if (::pipe(fds) != 0) return std::nullopt;
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        sva_process(fds[1], comm, early_free);
        ::_exit(0);
    }
    ::close(fds[1]);
    SvaRun run;
    const bool ok = pid > 0 && read_exact(fds[0], &run, sizeof run);
    ::close(fds[0]);
    if (pid > 0) wait_for(pid);
    if (!ok) return std::nullopt;
    pid_out = static_cast<std::uint32_t>(pid);
    return run;
}

}  // namespace

std::string record_sva_scenario(const fs::path& out, SvaTruth& truth) {
    Uprobes probes;
    if (auto err = probes.define(sva_recipe()); !err.empty()) return err;
    TraceInstance inst("sva");
    if (!enable_recipe_tracepoints(inst)) return "cannot enable the sched tracepoints in " + inst.name();
    if (!inst.enable("pasidtrace")) return "cannot enable the pasidtrace group in " + inst.name();
    inst.start();
    auto app = run_sva_process("pt-sva-app", false, truth.app_pid);
    auto early = run_sva_process("pt-sva-early", true, truth.early_pid);
    ::usleep(20 * 1000);
    inst.stop();
    if (!app || !early) return "an SVA stand-in process did not report";
    truth.app_mm = app->mm;
    truth.app_handle = app->handle;
    truth.app_pasid = app->pasid;
    truth.failed_ret = app->failed_ret;
    truth.early_mm = early->mm;
    truth.early_handle = early->handle;
    truth.early_pasid = early->pasid;
    truth.dev = "0000:6a:01.0";
    if (!inst.extract(out)) return "trace-cmd extract failed for " + inst.name();
    return {};
}

// ---- truth files ------------------------------------------------------------

void write_truth(const fs::path& path, const ProcessTruth& t) {
    nlohmann::ordered_json j = {{"scenario", "processes"},
                                {"test_pid", t.test_pid},
                                {"test_tid", t.test_tid},
                                {"test_comm", t.test_comm},
                                {"s", t.s},
                                {"a", t.a},
                                {"b", t.b},
                                {"t", t.t},
                                {"kernel", t.kernel}};
    std::ofstream(path) << j.dump(2) << '\n';
}

void write_truth(const fs::path& path, const SvaTruth& t) {
    nlohmann::ordered_json j = {
        {"scenario", "sva"},      {"app_pid", t.app_pid},           {"early_pid", t.early_pid},
        {"app_mm", t.app_mm},     {"app_handle", t.app_handle},     {"app_pasid", t.app_pasid},
        {"early_mm", t.early_mm}, {"early_handle", t.early_handle}, {"early_pasid", t.early_pasid},
        {"dev", t.dev},           {"failed_ret", t.failed_ret}};
    std::ofstream(path) << j.dump(2) << '\n';
}

ProcessTruth read_process_truth(const fs::path& path) {
    auto j = nlohmann::json::parse(std::ifstream(path));
    ProcessTruth t;
    t.test_pid = j.at("test_pid");
    t.test_tid = j.at("test_tid");
    t.test_comm = j.at("test_comm");
    t.s = j.at("s");
    t.a = j.at("a");
    t.b = j.at("b");
    t.t = j.at("t");
    t.kernel = j.value("kernel", "");
    return t;
}

SvaTruth read_sva_truth(const fs::path& path) {
    auto j = nlohmann::json::parse(std::ifstream(path));
    SvaTruth t;
    t.app_pid = j.at("app_pid");
    t.early_pid = j.at("early_pid");
    t.app_mm = j.at("app_mm");
    t.app_handle = j.at("app_handle");
    t.app_pasid = j.at("app_pasid");
    t.early_mm = j.at("early_mm");
    t.early_handle = j.at("early_handle");
    t.early_pasid = j.at("early_pasid");
    t.dev = j.at("dev");
    t.failed_ret = j.at("failed_ret");
    return t;
}

}  // namespace pasidtrace::tracedat_test
