#pragma once

// The example app as a separate process: started with its own environment, stopped with a real signal.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/temp_dir.hpp"

namespace aegis::test {

class ExampleProcess {
 public:
  /// Starts `example serve` on a free port with `env` added to the environment. Without an
  /// AEGIS_DATABASE_URL in `env`, the app gets an in-memory database.
  explicit ExampleProcess(std::map<std::string, std::string> env = {}) {
    if (!env.contains("AEGIS_DATABASE_URL")) env["AEGIS_DATABASE_URL"] = "sqlite::memory:";
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(out[1], STDERR_FILENO);
      ::setenv("AEGIS_PORT", "0", 1);
      ::setenv("AEGIS_WORKERS", "2", 1);
      for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
      ::execl(AEGIS_EXAMPLE_BINARY, AEGIS_EXAMPLE_BINARY, "serve", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
    // The app logs "... serving on http://127.0.0.1:PORT ..." once it accepts connections.
    const std::regex serving(R"(serving on http://127\.0\.0\.1:(\d+))");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::smatch m;
    while (!std::regex_search(log_, m, serving)) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("example did not start: " + log_);
      read_some(200);
    }
    port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
  }

  ~ExampleProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
  }
  ExampleProcess(const ExampleProcess&) = delete;
  ExampleProcess& operator=(const ExampleProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // Sends `sig` and returns the exit status, or -1 if the process is still running after `timeout`.
  int stop(int sig, std::chrono::milliseconds timeout) {
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  /// What the process printed so far.
  const std::string& log() {
    read_some(0);
    return log_;
  }

 private:
  void read_some(int timeout_ms) {
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return;
    char buf[4096];
    const ssize_t n = ::read(out_, buf, sizeof buf);
    if (n > 0) log_.append(buf, static_cast<std::size_t>(n));
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::uint16_t port_ = 0;
  std::string log_;
};

/// Runs the example app with `args`, `env` added to its environment and `input` on its standard input;
/// returns its exit code and what it printed (stdout and stderr together).
inline std::pair<int, std::string> run_example(const std::vector<std::string>& args,
                                               const std::map<std::string, std::string>& env,
                                               const std::string& input = {}) {
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(out[1], STDERR_FILENO);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv{const_cast<char*>(AEGIS_EXAMPLE_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(AEGIS_EXAMPLE_BINARY, argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  if (!input.empty() && ::write(in[1], input.data(), input.size()) != static_cast<ssize_t>(input.size())) {
    throw std::runtime_error("cannot write to the example's standard input");
  }
  ::close(in[1]);
  std::string printed;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0) printed.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, printed};
}

}  // namespace aegis::test
