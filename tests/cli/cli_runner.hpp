// SPDX-License-Identifier: GPL-2.0-only
// Runs the real pasidtrace binary the way a user or CI job does, capturing
// exit status, stdout and stderr.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

namespace pasidtrace::test {

struct CliResult {
    int rc = -1;
    std::string out;
    std::string err;
};

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// A scratch directory removed at scope exit.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "pasidtrace-test-XXXXXX").string();
        path_ = ::mkdtemp(tmpl.data());
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name, std::ios::binary) << text;
        return path_ / name;
    }

private:
    std::filesystem::path path_;
};

// `env` is a prefix such as "NO_COLOR=1"; `stdin_text` is fed on stdin.
inline CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = {},
                         const std::string& env = {}) {
    TempDir tmp;
    auto in = tmp.write("stdin", stdin_text);
    std::string cmd = env + " " + shell_quote(PASIDTRACE_BINARY);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += " <" + shell_quote(in.string()) + " >" + shell_quote((tmp.path() / "out").string()) + " 2>" +
           shell_quote((tmp.path() / "err").string());
    int status = std::system(cmd.c_str());
    CliResult r;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(tmp.path() / "out");
    r.err = slurp(tmp.path() / "err");
    return r;
}

}  // namespace pasidtrace::test
