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

// mkstemp makes 0600; an output file is not secret, so give it the mode a
// plain open() would (0666 less umask).
void set_default_mode(int fd) {
    mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd, 0666 & ~mask) != 0) {
        // Keeping 0600 is safe; nothing to report.
    }
}

}  // namespace

AtomicOutputFile::AtomicOutputFile(std::string path, std::string temp_path)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), out_(temp_path_, std::ios::binary | std::ios::trunc) {}

std::unique_ptr<AtomicOutputFile> AtomicOutputFile::create(const std::string& path, std::string& error) {
    std::filesystem::path target(path);
    std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    std::string tmpl = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    int fd = ::mkstemp(name.data());
    if (fd < 0) {
        error = sys_error("cannot create a file in", dir.string());
        return nullptr;
    }
    set_default_mode(fd);
    ::close(fd);
    std::unique_ptr<AtomicOutputFile> file(new AtomicOutputFile(path, name.data()));
    if (!file->out_) {
        error = sys_error("cannot write", file->temp_path_);
        return nullptr;
    }
    return file;
}

AtomicOutputFile::~AtomicOutputFile() {
    if (!committed_) std::remove(temp_path_.c_str());
}

std::string AtomicOutputFile::commit() {
    out_.flush();
    if (!out_) return "cannot write " + path_ + ": " + std::strerror(errno);
    out_.close();
    int fd = ::open(temp_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        std::string err = sys_error("cannot write", path_);
        if (fd >= 0) ::close(fd);
        return err;
    }
    ::close(fd);
    if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) return sys_error("cannot replace", path_);
    committed_ = true;
    return {};
}

std::string write_file_atomically(const std::string& path, const std::string& contents) {
    std::string error;
    auto file = AtomicOutputFile::create(path, error);
    if (!file) return error;
    file->stream() << contents;
    return file->commit();
}

}  // namespace pasidtrace::cli
