// SPDX-License-Identifier: GPL-2.0-only
#include "live/live_options.hpp"

#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

namespace pasidtrace::live {

std::optional<std::size_t> parse_byte_size(const std::string& text) {
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
    std::size_t pos = 0;
    unsigned long long value = 0;
    try {
        value = std::stoull(text, &pos);
    } catch (...) {
        return std::nullopt;
    }
    std::string suffix = text.substr(pos);
    unsigned shift = 0;
    if (suffix == "K" || suffix == "k" || suffix == "KiB")
        shift = 10;
    else if (suffix == "M" || suffix == "m" || suffix == "MiB")
        shift = 20;
    else if (suffix == "G" || suffix == "g" || suffix == "GiB")
        shift = 30;
    else if (!suffix.empty())
        return std::nullopt;
    if (value > (~0ull >> shift)) return std::nullopt;
    return static_cast<std::size_t>(value << shift);
}

std::size_t ring_buffer_size(std::size_t requested) {
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::size_t size = page;
    while (size < requested && size < (std::size_t{1} << 40)) size <<= 1;
    return size;
}

std::string cgroup2_mount() {
    std::ifstream mounts("/proc/self/mounts");
    std::string device, dir, type, rest;
    while (mounts >> device >> dir >> type && std::getline(mounts, rest))
        if (type == "cgroup2") return dir;
    return "/sys/fs/cgroup";
}

std::optional<std::uint64_t> cgroup_id_of(const std::string& path, std::string& err) {
    std::string full = path.empty() || path[0] == '/' ? path : cgroup2_mount() + "/" + path;
    struct statfs fs_info {};
    if (::statfs(full.c_str(), &fs_info) != 0) {
        err = full + ": " + std::strerror(errno);
        return std::nullopt;
    }
    // bpf_get_current_cgroup_id() answers in the v2 hierarchy only.
    if (fs_info.f_type != CGROUP2_SUPER_MAGIC) {
        err = full + ": not a cgroup v2 directory";
        return std::nullopt;
    }
    struct stat st {};
    if (::stat(full.c_str(), &st) != 0) {
        err = full + ": " + std::strerror(errno);
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(st.st_ino);
}

std::string_view to_string(MechanismChoice m) {
    switch (m) {
        case MechanismChoice::automatic:
            return "auto";
        case MechanismChoice::kprobe:
            return "kprobe";
        case MechanismChoice::tracepoint:
            return "tracepoint";
    }
    return "?";
}

std::optional<MechanismChoice> parse_mechanism_choice(std::string_view text) {
    for (auto m : kMechanismChoices)
        if (text == to_string(m)) return m;
    return std::nullopt;
}

std::vector<std::string> mechanism_choice_names() {
    std::vector<std::string> names;
    for (auto m : kMechanismChoices) names.emplace_back(to_string(m));
    return names;
}

std::optional<LiveOptions> live_options_from(const RecorderFlags& flags, std::string& err) {
    LiveOptions o;
    auto mechanism = parse_mechanism_choice(flags.mechanism);
    if (!mechanism) {
        err = "--mechanism: '" + flags.mechanism + "' is not one of ";
        const char* separator = "";
        for (const auto& name : mechanism_choice_names()) err += std::exchange(separator, ", ") + name;
        return std::nullopt;
    }
    o.mechanism = *mechanism;
    o.all_mm = flags.all_mm;
    o.pid = flags.pid;
    if (flags.comm.size() > 15) {
        err = "--comm: '" + flags.comm + "' is longer than a task comm (15 bytes)";
        return std::nullopt;
    }
    o.comm = flags.comm;
    auto bytes = parse_byte_size(flags.buffer);
    if (!bytes || *bytes == 0) {
        err = "--buffer: '" + flags.buffer + "' is not a size such as 65536, 256K or 8M";
        return std::nullopt;
    }
    o.buffer_bytes = *bytes;
    if (!flags.cgroup.empty()) {
        std::string why;
        auto id = cgroup_id_of(flags.cgroup, why);
        if (!id) {
            err = "--cgroup: " + why;
            return std::nullopt;
        }
        o.cgroup_id = *id;
    }
    return o;
}

}  // namespace pasidtrace::live
