// The example app as a user runs it: a real process, real sockets, a real signal to stop it.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "support/raw_client.hpp"

namespace {

class ExampleProcess {
 public:
  ExampleProcess() {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(out[1], STDERR_FILENO);
      ::setenv("AEGIS_PORT", "0", 1);
      ::setenv("AEGIS_WORKERS", "2", 1);
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

  std::uint16_t port() const { return port_; }

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

TEST(ExampleApp, ServesPlaintextAndJsonWithTheHeadersBenchmarksRequire) {
  ExampleProcess app;
  aegis::test::RawClient client(app.port());
  auto plain = client.roundtrip(aegis::test::get_request("/plaintext"));
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "Hello, World!");
  EXPECT_EQ(plain.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(plain.header("content-length"), "13");
  EXPECT_EQ(plain.header("server"), "aegis");
  EXPECT_TRUE(plain.header("date").has_value());

  auto json = client.roundtrip(aegis::test::get_request("/json"));
  EXPECT_EQ(json.status, 200);
  EXPECT_EQ(json.body, R"({"message":"Hello, World!"})");
  EXPECT_EQ(json.header("content-type"), "application/json");

  auto health = client.roundtrip(aegis::test::get_request("/health"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"healthy","app":"Aegis example","version":"0.1.0","environment":"development"})");
}

TEST(ExampleApp, SigtermDrainsAndExitsZero) {
  ExampleProcess app;
  aegis::test::RawClient idle(app.port());
  EXPECT_EQ(idle.roundtrip(aegis::test::get_request("/json")).status, 200);
  EXPECT_EQ(app.stop(SIGTERM, std::chrono::seconds(10)), 0);
  EXPECT_TRUE(idle.closed_by_server(std::chrono::milliseconds(100)));
}

TEST(ExampleApp, RejectsInvalidSettingsNamingEachVariable) {
  const std::string cmd = std::string("AEGIS_PORT=99999 AEGIS_MAX_BODY_BYTES=lots ") + AEGIS_EXAMPLE_BINARY +
                          " routes 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = ::pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(out.find("AEGIS_PORT"), std::string::npos) << out;
  EXPECT_NE(out.find("AEGIS_MAX_BODY_BYTES"), std::string::npos) << out;
}

TEST(ExampleApp, RoutesCommandPrintsTheRouteTable) {
  const std::string cmd = std::string(AEGIS_EXAMPLE_BINARY) + " routes 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  EXPECT_EQ(WEXITSTATUS(::pclose(p)), 0);
  EXPECT_NE(out.find("GET     /plaintext"), std::string::npos) << out;
  EXPECT_NE(out.find("benchmark"), std::string::npos) << out;
  EXPECT_NE(out.find("api/benchmark.cpp:"), std::string::npos) << out;
}

}  // namespace
