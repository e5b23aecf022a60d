// SPDX-License-Identifier: GPL-2.0-only
#include "cli/output_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pasidtrace::cli {
namespace {

std::string sys_error(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

bool write_all(int fd, const std::string& data) {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

std::string write_file_atomically(const std::string& path, const std::string& contents) {
    std::filesystem::path target(path);
    std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    std::string tmpl = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    int fd = ::mkstemp(name.data());
    if (fd < 0) return sys_error("cannot create a file in", dir.string());
    // mkstemp makes 0600; a report is not secret, give it the usual 0644 less umask.
    mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    bool ok = write_all(fd, contents) && ::fsync(fd) == 0;
    std::string err = ok ? std::string() : sys_error("cannot write", path);
    if (::close(fd) != 0 && ok) err = sys_error("cannot write", path);
    if (err.empty() && std::rename(name.data(), path.c_str()) != 0) err = sys_error("cannot replace", path);
    if (!err.empty()) std::remove(name.data());
    return err;
}

}  // namespace pasidtrace::cli
