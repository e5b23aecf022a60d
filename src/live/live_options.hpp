// SPDX-License-Identifier: GPL-2.0-only
// What the user asks of the recorder (`record` and `live` share them):
// which mms and tasks to record and how much kernel memory to lend it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pasidtrace::live {

// `--mechanism`: where each hook's fallback chain starts. `automatic` tries
// fentry/fexit, then kprobes, then tracepoint proxies; `kprobe` skips
// fentry; `tracepoint` keeps the tracepoint proxies only.
enum class MechanismChoice { automatic, kprobe, tracepoint };
inline constexpr MechanismChoice kMechanismChoices[] = {MechanismChoice::automatic, MechanismChoice::kprobe,
                                                        MechanismChoice::tracepoint};
std::string_view to_string(MechanismChoice m);  // "auto", "kprobe", "tracepoint"
std::optional<MechanismChoice> parse_mechanism_choice(std::string_view text);
std::vector<std::string> mechanism_choice_names();  // every to_string(), in kMechanismChoices order

struct LiveOptions {
    static constexpr std::size_t kDefaultBufferBytes = 8u << 20;

    bool all_mm = false;                             // every mm, not only those tied to a PASID
    std::uint32_t pid = 0;                           // thread-group id filter, 0 = any
    std::string comm;                                // task comm filter (at most 15 bytes), empty = any
    std::uint64_t cgroup_id = 0;                     // cgroup v2 id filter, 0 = any
    std::size_t buffer_bytes = kDefaultBufferBytes;  // ring buffer, rounded up to a power of two
    MechanismChoice mechanism = MechanismChoice::automatic;
};

// The recorder's command-line flags as typed, shared by `record` and `live`.
struct RecorderFlags {
    bool all_mm = false;
    std::uint32_t pid = 0;
    std::string comm;
    std::string cgroup;  // path
    std::string buffer = "8M";
    std::string mechanism = "auto";
};

// Checks and converts the flags; nullopt and `err` naming the flag on a bad value.
std::optional<LiveOptions> live_options_from(const RecorderFlags& flags, std::string& err);

// "8M", "256K", "1G", "65536" -> bytes; nullopt on anything else.
std::optional<std::size_t> parse_byte_size(const std::string& text);

// The ring buffer's size: a power of two of at least one page.
std::size_t ring_buffer_size(std::size_t requested);

// Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup, or
// /sys/fs/cgroup/unified on hybrid hosts).
std::string cgroup2_mount();

// A cgroup v2 directory (absolute, or relative to the v2 mount) -> the id
// bpf_get_current_cgroup_id() returns (its inode number); err says why not.
std::optional<std::uint64_t> cgroup_id_of(const std::string& path, std::string& err);

}  // namespace pasidtrace::live
