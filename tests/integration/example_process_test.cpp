// The example app as a user runs it: a real process, real sockets, a real signal to stop it.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "integration/example_process.hpp"
#include "support/raw_client.hpp"

namespace {

using aegis::test::ExampleProcess;
using aegis::test::TempDir;

// Runs `command` in a shell; returns its status (as pclose reports it) and what it printed on stdout.
std::pair<int, std::string> shell(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  return {::pclose(p), out};
}

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
  const std::string cmd = std::string("AEGIS_DATABASE_URL=sqlite::memory: AEGIS_PORT=99999 AEGIS_MAX_BODY_BYTES=lots ") + AEGIS_EXAMPLE_BINARY +
                          " routes 2>&1";
  auto [status, out] = shell(cmd);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(out.find("AEGIS_PORT"), std::string::npos) << out;
  EXPECT_NE(out.find("AEGIS_MAX_BODY_BYTES"), std::string::npos) << out;

  // A security header value browsers would ignore is a setting error too (exit 2), as is a control character.
  const std::string headers = std::string("AEGIS_DATABASE_URL=sqlite::memory: AEGIS_FRAME_OPTIONS=bogus "
                                          "AEGIS_REFERRER_POLICY=nonsense AEGIS_CONTENT_SECURITY_POLICY=\"$(printf 'a\\rb')\" ") +
                              AEGIS_EXAMPLE_BINARY + " routes 2>&1";
  std::tie(status, out) = shell(headers);
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;
  EXPECT_NE(out.find("AEGIS_FRAME_OPTIONS"), std::string::npos) << out;
  EXPECT_NE(out.find("AEGIS_REFERRER_POLICY"), std::string::npos) << out;
  EXPECT_NE(out.find("AEGIS_CONTENT_SECURITY_POLICY"), std::string::npos) << out;
}

// Every setting comes from the environment or, where it is unset there, from .env: the core ones included.
TEST(ExampleApp, CoreSettingsAreReadFromDotEnvToo) {
  TempDir dir;
  {
    std::ofstream env(dir.path() + "/.env");
    // Spaces and tabs around keys and values, quotes and "export" as shells write them.
    env << "AEGIS_ENVIRONMENT = production\n\tAEGIS_DEBUG=\ttrue \nexport\tAEGIS_PORT = \"99999\"\nAEGIS_LOG_LEVEL=loud\n";
  }
  const std::string cmd = "cd '" + dir.path() + "' && AEGIS_DATABASE_URL=sqlite::memory: " +
                          std::string(AEGIS_EXAMPLE_BINARY) + " routes 2>&1";
  const auto [status, out] = shell(cmd);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;
  EXPECT_NE(out.find("AEGIS_PORT: expected"), std::string::npos) << out;
  // Refused only in production: the environment was read from .env as well.
  EXPECT_NE(out.find("AEGIS_DEBUG: debug answers"), std::string::npos) << out;
  EXPECT_NE(out.find("AEGIS_LOG_LEVEL: expected trace, debug, info, warn, error, critical or off, got 'loud'"),
            std::string::npos)
      << out;

  // The environment wins over .env.
  const std::string overridden = "cd '" + dir.path() +
                                 "' && AEGIS_ENVIRONMENT=development AEGIS_PORT=8000 AEGIS_LOG_LEVEL=warn "
                                 "AEGIS_DATABASE_URL=sqlite::memory: " +
                                 std::string(AEGIS_EXAMPLE_BINARY) + " routes 2>&1";
  const auto [status2, out2] = shell(overridden);
  EXPECT_EQ(WEXITSTATUS(status2), 0) << out2;
}

// A setting the app's setup reads (the database URL) stops it; the core settings' errors are listed with it.
TEST(ExampleApp, ASetupErrorIsListedWithTheCoreSettingsErrors) {
  const std::string cmd = std::string("AEGIS_DATABASE_URL=bogus:// AEGIS_PORT=abc AEGIS_LOG_LEVEL=bogus ") +
                          AEGIS_EXAMPLE_BINARY + " routes 2>&1";
  const auto [status, out] = shell(cmd);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;
  EXPECT_NE(out.find("AEGIS_PORT: expected"), std::string::npos) << out;
  EXPECT_NE(out.find("AEGIS_LOG_LEVEL: expected"), std::string::npos) << out;
  EXPECT_NE(out.find("AEGIS_DATABASE_URL: unsupported database scheme 'bogus'"), std::string::npos) << out;
}

// Help does not depend on the environment, and the command line's own errors are listed with a failed
// setup's; a flag missing its value is reported once; an empty --host is refused as AEGIS_HOST= is.
TEST(ExampleApp, TheCommandLineIsCheckedEvenWhenTheSetupFails) {
  const std::string bad_db = std::string("AEGIS_DATABASE_URL=garbage ") + AEGIS_EXAMPLE_BINARY;
  auto [status, out] = shell(bad_db + " --help 2>/dev/null");
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("usage: "), std::string::npos) << out;
  EXPECT_NE(out.find("commands:"), std::string::npos) << out;

  std::tie(status, out) = shell(bad_db + " --port x --workers 2>&1");
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;
  EXPECT_NE(out.find("--port: expected 0-65535, got 'x'"), std::string::npos) << out;
  EXPECT_NE(out.find("--workers: missing value"), std::string::npos) << out;
  EXPECT_NE(out.find("unsupported database scheme"), std::string::npos) << out;

  const std::string good = std::string("AEGIS_DATABASE_URL=sqlite::memory: ") + AEGIS_EXAMPLE_BINARY;
  std::tie(status, out) = shell(good + " routes --port 2>&1");
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;
  EXPECT_NE(out.find("--port: missing value"), std::string::npos) << out;
  EXPECT_EQ(out.find("expected 0-65535"), std::string::npos) << "the missing value was reported twice: " << out;

  // A flag's value is not a request for help.
  std::tie(status, out) = shell(good + " routes --host help 2>&1");
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_EQ(out.find("usage: "), std::string::npos) << out;
  EXPECT_NE(out.find("METHOD"), std::string::npos) << out;

  std::tie(status, out) = shell(good + " routes --host '' 2>&1");
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;
  EXPECT_NE(out.find("--host: must not be empty"), std::string::npos) << out;

  // The app's own commands are listed among the commands, and answer --help themselves.
  std::tie(status, out) = shell(good + " --help 2>&1");
  const auto users = out.find("  users ");
  ASSERT_NE(users, std::string::npos) << out;
  EXPECT_LT(users, out.find("Settings come from")) << out;
  std::tie(status, out) = shell(good + " users --help 2>/dev/null");
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("create-admin"), std::string::npos) << out;
}

// `check` reports what the boot would refuse in production (the secret key) before anything starts.
TEST(ExampleApp, CheckReportsAProductionSecretKeyTheBootWouldRefuse) {
  const std::string prod = std::string("AEGIS_DATABASE_URL=sqlite::memory: AEGIS_ENVIRONMENT=production ");
  auto [status, out] = shell(prod + AEGIS_EXAMPLE_BINARY + " check 2>&1");
  EXPECT_EQ(WEXITSTATUS(status), 1) << out;
  EXPECT_NE(out.find("AE201"), std::string::npos) << out;
  EXPECT_NE(out.find("AEGIS_SECRET_KEY is required in production"), std::string::npos) << out;

  // Serving stops on it before any startup hook: no migration runs for a boot that cannot succeed.
  std::tie(status, out) = shell(prod + "timeout 10 " + AEGIS_EXAMPLE_BINARY + " --port 0 2>&1");
  EXPECT_EQ(WEXITSTATUS(status), 1) << out;
  EXPECT_NE(out.find("error: AE201"), std::string::npos) << out;
  EXPECT_EQ(out.find("migration"), std::string::npos) << out;

  std::tie(status, out) = shell(prod + "AEGIS_SECRET_KEY=kP3v9Qz7Lm2Xc8Rt5Wn1Yb6Hd4Fg0Js7Ae " + AEGIS_EXAMPLE_BINARY +
                                " check 2>&1");
  EXPECT_EQ(out.find("AE201"), std::string::npos) << out;
}

TEST(ExampleApp, AnInvalidModuleSettingFromDotEnvIsReportedNotACrash) {
  TempDir dir;
  {
    std::ofstream env(dir.path() + "/.env");
    env << "# local settings\nexport AEGIS_USERS_PAGE_SIZE=\"lots\"\n";
  }
  const std::string cmd = "cd '" + dir.path() + "' && AEGIS_DATABASE_URL=sqlite::memory: " +
                          std::string(AEGIS_EXAMPLE_BINARY) + " routes 2>&1";
  const auto [status, out] = shell(cmd);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 1) << out;
  EXPECT_NE(out.find("error: "), std::string::npos) << out;
  EXPECT_NE(out.find("AEGIS_USERS_PAGE_SIZE"), std::string::npos) << out;
  EXPECT_NE(out.find("'lots'"), std::string::npos) << out;
  EXPECT_EQ(out.find("terminate"), std::string::npos) << out;
}

// Commands that need no database leave none behind in the folder they ran in.
TEST(ExampleApp, CommandsThatNeedNoDatabaseCreateNone) {
  TempDir dir;
  const std::string path = dir.path() + "/app.db";
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--help"}, {"routes"}, {"openapi"}}) {
    const auto [code, printed] = aegis::test::run_example(args, {{"AEGIS_DATABASE_URL", "sqlite:///" + path}});
    EXPECT_EQ(code, 0) << args[0] << ": " << printed;
    EXPECT_FALSE(std::filesystem::exists(path)) << args[0] << " created the database file";
  }
  // A folder that does not exist is still an error at boot, naming the path.
  const auto [code, printed] =
      aegis::test::run_example({"routes"}, {{"AEGIS_DATABASE_URL", "sqlite:///" + dir.path() + "/no/such/app.db"}});
  EXPECT_NE(code, 0) << printed;
  EXPECT_NE(printed.find("cannot open the database"), std::string::npos) << printed;
}

// What a command prints on stdout is its output alone: the logs go to stderr, so `./app health | jq` works.
TEST(ExampleApp, TheHealthCommandPrintsJsonAloneOnStdout) {
  const std::string cmd = std::string("AEGIS_DATABASE_URL=sqlite::memory: ") + AEGIS_EXAMPLE_BINARY + " health 2>/dev/null";
  const auto [status, out] = shell(cmd);
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  boost::system::error_code ec;
  const boost::json::value report = boost::json::parse(out, ec);
  ASSERT_FALSE(ec) << "stdout is not JSON: " << out;
  EXPECT_EQ(report.at("status").as_string(), "healthy") << out;
}

TEST(ExampleApp, RoutesCommandPrintsTheRouteTable) {
  const std::string cmd = std::string("AEGIS_DATABASE_URL=sqlite::memory: ") + AEGIS_EXAMPLE_BINARY + " routes 2>&1";
  const auto [status, out] = shell(cmd);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(out.find("GET     /plaintext"), std::string::npos) << out;
  EXPECT_NE(out.find("benchmark"), std::string::npos) << out;
  EXPECT_NE(out.find("api/benchmark.cpp:"), std::string::npos) << out;
}

// The frontend's origin can read the session layer's refusals: Cors wraps it (middleware/cors.cpp sorts
// after middleware/auth.cpp, and the last added runs first).
TEST(ExampleApp, TheSessionLayersRefusalsCarryCorsHeaders) {
  ExampleProcess app;
  aegis::test::RawClient client(app.port());
  const auto refused = client.roundtrip(aegis::test::get_request(
      "/api/orders", "Origin: http://localhost:5173\r\nAuthorization: Bearer not-a-token\r\n"));
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(refused.header("access-control-allow-origin"), "http://localhost:5173");
  EXPECT_EQ(refused.header("access-control-allow-credentials"), "true");
  EXPECT_EQ(refused.header("www-authenticate"), "Bearer error=\"invalid_token\"");
}

// Every page and endpoint a browser or curl can GET without filling in a path parameter: none may answer
// with a server error, and none may take the process down (an anonymous GET /orders once did).
TEST(ExampleApp, EveryGetRouteWithoutPathParametersAnswersWithoutAServerError) {
  const auto [code, table] = aegis::test::run_example({"routes"}, {{"AEGIS_DATABASE_URL", "sqlite::memory:"}});
  ASSERT_EQ(code, 0) << table;
  std::vector<std::string> paths;
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string method, path;
    fields >> method >> path;
    if (method == "GET" && path.find('{') == std::string::npos) paths.push_back(path);
  }
  ASSERT_GE(paths.size(), 20U) << table;

  ExampleProcess app;
  for (const auto& path : paths) {
    aegis::test::RawClient client(app.port());
    aegis::test::HttpReply reply;
    ASSERT_NO_THROW(reply = client.roundtrip(aegis::test::get_request(path, "Accept: text/html\r\n")))
        << "GET " << path << " got no answer; the app printed:\n" << app.log();
    EXPECT_GE(reply.status, 200) << "GET " << path;
    EXPECT_LT(reply.status, 500) << "GET " << path << ": " << reply.body;
  }
  aegis::test::RawClient after(app.port());
  EXPECT_EQ(after.roundtrip(aegis::test::get_request("/health")).status, 200) << app.log();
}

}  // namespace
