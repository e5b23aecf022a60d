// SPDX-License-Identifier: GPL-2.0-only
// Writes an output file all or nothing: into a temporary file next to PATH,
// renamed over it only by commit(), so a failed or interrupted run never
// leaves a half-written report or conversion behind.
#pragma once

#include <fstream>
#include <memory>
#include <string>

namespace pasidtrace::cli {

class AtomicOutputFile {
public:
    // nullptr and `error` set when the temporary file cannot be created.
    static std::unique_ptr<AtomicOutputFile> create(const std::string& path, std::string& error);
    ~AtomicOutputFile();  // removes the temporary file unless committed
    AtomicOutputFile(const AtomicOutputFile&) = delete;
    AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

    std::ostream& stream() { return out_; }
    // Flushes, syncs and renames into place; returns an error message, empty on success.
    std::string commit();

private:
    AtomicOutputFile(std::string path, std::string temp_path);
    std::string path_;
    std::string temp_path_;
    std::ofstream out_;
    bool committed_ = false;
};

// Convenience for output already in memory.
std::string write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace pasidtrace::cli
