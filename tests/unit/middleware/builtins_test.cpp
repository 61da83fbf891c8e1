// The fixed built-in layers: CorrelationId, SecurityHeaders, RequestLogging.
#include <aegis/aegis.hpp>
#include <aegis/middleware/correlation_id.hpp>
#include <aegis/middleware/request_logging.hpp>
#include <aegis/middleware/security_headers.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "support/temp_dir.hpp"
#include "support/thread_names.hpp"

namespace {

using namespace aegis;
using aegis::testing::TestClient;

const std::regex kUuid4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

TEST(CorrelationId, GeneratesAUuidWhenAbsentAndEchoesIt) {
  App app;
  app.router().get("/id", [](const Request& req) { return std::string(req.request_id()); });
  TestClient client(app);
  const auto a = client.get("/id").send();
  const auto b = client.get("/id").send();
  EXPECT_TRUE(std::regex_match(a.text(), kUuid4)) << a.text();
  EXPECT_EQ(a.header("x-request-id"), a.text());
  EXPECT_NE(a.text(), b.text());
}

TEST(CorrelationId, GeneratedIdsAreDistinctAndUseEveryHexDigit) {
  App app;
  app.router().get("/id", [](const Request& req) { return std::string(req.request_id()); });
  TestClient client(app);
  std::set<std::string> ids;
  std::set<char> digits;
  for (int i = 0; i < 500; ++i) {
    const std::string id = client.get("/id").send().text();
    ASSERT_TRUE(std::regex_match(id, kUuid4)) << id;
    ids.insert(id);
    for (char c : id) {
      if (c != '-') digits.insert(c);
    }
  }
  EXPECT_EQ(ids.size(), 500u);
  EXPECT_EQ(digits.size(), 16u);  // 0-9 and a-f all occur: no digit is mapped wrongly
}

TEST(CorrelationId, KeepsAValidIncomingIdAndReplacesAnInvalidOne) {
  App app;
  app.router().get("/id", [](const Request& req) { return std::string(req.request_id()); });
  TestClient client(app);
  EXPECT_EQ(client.get("/id").header("X-Request-ID", "trace-42.a:b_c").send().text(), "trace-42.a:b_c");
  for (const std::string& bad : {std::string("has space"), std::string(129, 'a'), std::string("semi;colon"),
                                std::string("quote\"")}) {
    const auto r = client.get("/id").header("X-Request-ID", bad).send();
    EXPECT_TRUE(std::regex_match(r.text(), kUuid4)) << bad << " -> " << r.text();
  }
}

TEST(CorrelationId, CanBeTurnedOff) {
  AppSettings s;
  s.request_id = false;
  App app(s);
  app.router().get("/id", [](const Request& req) { return std::string(req.request_id()); });
  TestClient client(app);
  const auto r = client.get("/id").send();
  EXPECT_EQ(r.text(), "");
  EXPECT_FALSE(r.header("x-request-id").has_value());
}

TEST(SecurityHeaders, AddsTheHeadersButLeavesTheHandlersOwn) {
  App app;
  app.router().get("/plain", [] { return std::string("x"); });
  app.router().get("/framed", [](Response& res) {
    res.set_header("X-Frame-Options", "SAMEORIGIN");
    res.text("y");
  });
  TestClient client(app);
  const auto r = client.get("/plain").send();
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
  EXPECT_EQ(r.header("referrer-policy"), "strict-origin-when-cross-origin");
  EXPECT_NE(r.header("content-security-policy")->find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_FALSE(r.header("strict-transport-security").has_value()) << "HSTS over plain http";
  const auto framed = client.get("/framed").send();
  EXPECT_EQ(framed.headers("x-frame-options"), std::vector<std::string>{"SAMEORIGIN"});
  // Errors carry them too.
  EXPECT_EQ(client.get("/nowhere").send().header("x-content-type-options"), "nosniff");
}

TEST(SecurityHeaders, AHandlerHeaderThatIsNotOneOfOursChangesNothing) {
  App app;
  // Shares X-Frame-Options' bit in the response's name mask, so the layer looks at the lines themselves.
  app.router().get("/other", [](Response& res) {
    res.set_header("X-Other-Headers", "1");
    res.text("o");
  });
  app.router().get("/two", [](Response& res) {
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("content-security-policy", "default-src 'none'");
    res.text("t");
  });
  TestClient client(app);
  const auto other = client.get("/other").send();
  EXPECT_EQ(other.header("x-frame-options"), "DENY");
  EXPECT_EQ(other.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(other.header("referrer-policy"), "strict-origin-when-cross-origin");
  EXPECT_EQ(other.header("x-other-headers"), "1");
  const auto two = client.get("/two").send();
  EXPECT_EQ(two.headers("referrer-policy"), std::vector<std::string>{"no-referrer"});
  EXPECT_EQ(two.headers("content-security-policy"), std::vector<std::string>{"default-src 'none'"});
  EXPECT_EQ(two.header("x-frame-options"), "DENY");
  EXPECT_EQ(two.header("x-content-type-options"), "nosniff");
}

TEST(SecurityHeaders, HstsOnlyOverHttpsAndEmptyValuesOmitted) {
  App app;
  app.router().get("/secure", [](Request& req) {
    req.set_https(true);  // as a trusted proxy would report it
    return std::string("s");
  });
  TestClient client(app);
  // The flag is set by the handler, after the layer saw the request: the response side reads it.
  EXPECT_EQ(client.get("/secure").send().header("strict-transport-security"), "max-age=31536000; includeSubDomains");

  SecurityHeadersSettings opts;
  opts.content_security_policy = "";
  opts.frame_options = "";
  SecurityHeaders layer(opts);
  App custom;
  custom.settings().security_headers = opts;
  custom.router().get("/x", [] { return 1; });
  TestClient custom_client(custom);
  const auto r = custom_client.get("/x").send();
  EXPECT_FALSE(r.header("content-security-policy").has_value());
  EXPECT_FALSE(r.header("x-frame-options").has_value());
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
}

TEST(SecurityHeaders, RejectsControlCharactersInConfiguredValues) {
  SecurityHeadersSettings opts;
  opts.content_security_policy = "default-src 'self'\r\nX-Injected: 1";
  EXPECT_THROW(SecurityHeaders{opts}, std::invalid_argument);
}

// A value browsers do not understand is ignored by them: the protection would be gone without a word.
TEST(SecurityHeaders, RefusesValuesBrowsersWouldIgnore) {
  auto problems_of = [](auto change) {
    SecurityHeadersSettings opts;
    change(opts);
    return detail::security_header_problems(opts);
  };
  EXPECT_TRUE(problems_of([](SecurityHeadersSettings&) {}).empty()) << "the defaults";
  EXPECT_TRUE(problems_of([](SecurityHeadersSettings& o) {
                o.frame_options = "sameorigin";
                o.content_security_policy = "default-src 'self'";
              }).empty());
  EXPECT_TRUE(problems_of([](SecurityHeadersSettings& o) {
                o.referrer_policy = "no-referrer, strict-origin-when-cross-origin";
              }).empty());
  EXPECT_TRUE(problems_of([](SecurityHeadersSettings& o) {
                o.frame_options = "";
                o.referrer_policy = "";
              }).empty());

  const auto typo = problems_of([](SecurityHeadersSettings& o) { o.frame_options = "SAMEORGIN"; });
  ASSERT_EQ(typo.size(), 1u);
  EXPECT_NE(typo[0].find("AEGIS_FRAME_OPTIONS"), std::string::npos) << typo[0];
  EXPECT_NE(typo[0].find("'SAMEORGIN'"), std::string::npos) << typo[0];
  const auto policy = problems_of([](SecurityHeadersSettings& o) { o.referrer_policy = "same-origin, nonsense"; });
  ASSERT_EQ(policy.size(), 1u);
  EXPECT_NE(policy[0].find("'nonsense'"), std::string::npos) << policy[0];
  // SAMEORIGIN next to the default policy's frame-ancestors 'none': browsers follow the policy.
  const auto contradiction = problems_of([](SecurityHeadersSettings& o) { o.frame_options = "SAMEORIGIN"; });
  ASSERT_EQ(contradiction.size(), 1u);
  EXPECT_NE(contradiction[0].find("frame-ancestors"), std::string::npos) << contradiction[0];

  SecurityHeadersSettings bad;
  bad.frame_options = "ALLOWALL";
  EXPECT_THROW(SecurityHeaders{bad}, std::invalid_argument);
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the access log of an app with one catch-all route holds after `send` drove it (format "text" or
// "json"); the app is gone, and its logger has written everything, when this returns.
std::string access_log_of(const std::string& format, const std::function<void(TestClient&)>& send) {
  const aegis::test::TempDir dir;
  const std::string file = dir.path() + "/access.log";
  {
    AppSettings s;
    s.access_log.format = format;
    s.access_log.file = file;
    App app(s);
    app.router().get("/{rest:path}", [](Path<std::string, "rest"> rest) { return rest->size(); });
    TestClient client(app);
    send(client);
  }
  return read_file(file);
}

TEST(RequestLogging, OneJsonLinePerRequestWithExclusions) {
  const auto file = std::filesystem::temp_directory_path() / ("aegis-access-" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(file);
  {
    AppSettings s;
    s.access_log.format = "json";
    s.access_log.file = file.string();
    App app(s);
    app.router().get("/items/{id}", [](Path<int, "id"> id) { return *id; });
    TestClient client(app);
    client.set_client("198.51.100.7", 5555);
    EXPECT_EQ(client.get("/items/3").header("X-Request-ID", "req-1").send().status(), 200);
    EXPECT_EQ(client.get("/health").send().status(), 200);  // excluded by default
    EXPECT_EQ(client.get("/items/x").header("X-Request-ID", "req-2").send().status(), 422);
  }  // the app (and its logger) flushes on destruction
  const std::string text = read_file(file);
  std::filesystem::remove(file);
  std::istringstream lines(text);
  std::string line;
  std::vector<boost::json::value> entries;
  while (std::getline(lines, line)) entries.push_back(boost::json::parse(line));
  ASSERT_EQ(entries.size(), 2u) << text;
  EXPECT_EQ(entries[0].at("method"), "GET");
  EXPECT_EQ(entries[0].at("path"), "/items/3");
  EXPECT_EQ(entries[0].at("status"), 200);
  EXPECT_EQ(entries[0].at("request_id"), "req-1");
  EXPECT_EQ(entries[0].at("client"), "198.51.100.7");
  EXPECT_TRUE(entries[0].at("duration_ms").is_number());
  EXPECT_TRUE(std::regex_match(std::string(entries[0].at("time").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_EQ(entries[1].at("status"), 422);
  EXPECT_EQ(entries[1].at("request_id"), "req-2");
}

// The log's writer and flusher threads say what they are in ps -L, top -H and perf.
TEST(RequestLogging, ItsThreadsAreNamed) {
  const aegis::test::TempDir dir;
  using aegis::test::thread_names;
  const auto before = thread_names();
  RequestLogging logging({.format = "text", .file = dir.path() + "/access.log"});
  std::multiset<std::string> now;
  for (int i = 0; i < 200; ++i) {  // the threads name themselves as they start
    now = thread_names();
    if (now.count("aegis-log") > before.count("aegis-log") &&
        now.count("aegis-log-flush") > before.count("aegis-log-flush")) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(now.count("aegis-log"), before.count("aegis-log") + 1);
  EXPECT_EQ(now.count("aegis-log-flush"), before.count("aegis-log-flush") + 1);
}

// The "time" of a line is the wall clock of when the response was logged.
TEST(RequestLogging, TimesAreTheWallClock) {
  const aegis::test::TempDir dir;
  const std::string file = dir.path() + "/access.log";
  const auto before = std::chrono::system_clock::now();
  {
    AppSettings s;
    s.access_log.format = "json";
    s.access_log.file = file;
    App app(s);
    app.router().get("/t", [] { return 1; });
    TestClient client(app);
    client.get("/t").send();
  }
  const auto after = std::chrono::system_clock::now();
  const std::string text = read_file(file);
  const auto entry = boost::json::parse(text.substr(0, text.find('\n')));
  std::tm tm{};
  int ms = 0;
  const std::string time(entry.at("time").as_string());
  ASSERT_EQ(std::sscanf(time.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms),
            7)
      << time;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const auto logged = std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(ms);
  EXPECT_GE(logged, std::chrono::time_point_cast<std::chrono::milliseconds>(before)) << time;
  EXPECT_LE(logged, after) << time;
}

TEST(RequestLogging, JsonLinesEscapeEveryField) {
  const std::string text = access_log_of("json", [](TestClient& client) {
    client.get("/q%22%5C%0A%FF%C3%A9").send();  // quote, backslash, newline, a stray byte, é
  });
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  const auto entry = boost::json::parse(text);
  EXPECT_EQ(entry.at("path"), "/q\"\\\n\xEF\xBF\xBD\xC3\xA9");
}

// The escaping check reads paths eight bytes at a time: a character that needs escaping must be found at
// every position, inside a word and in the tail.
TEST(RequestLogging, JsonLinesEscapeACharacterWhereverItFallsInThePath) {
  struct Special {
    std::string encoded;
    std::string decoded;
  };
  const std::vector<Special> specials = {
      {"%22", "\""}, {"%5C", "\\"}, {"%01", "\x01"}, {"%1F", "\x1F"}, {"%7F", "\x7F"}, {"%C3%A9", "\xC3\xA9"}};
  std::vector<std::string> expected;
  std::istringstream lines(access_log_of("json", [&](TestClient& client) {
    for (const auto& special : specials) {
      for (std::size_t at = 0; at <= 17; ++at) {
        const std::string before(at, 'a');
        const std::string after(17 - at, 'b');
        ASSERT_EQ(client.get("/" + before + special.encoded + after).send().status(), 200);
        expected.push_back("/" + before + special.decoded + after);
      }
    }
  }));
  std::string line;
  std::size_t i = 0;
  for (; std::getline(lines, line); ++i) {
    ASSERT_LT(i, expected.size()) << line;
    const auto entry = boost::json::parse(line);  // throws on a raw control character or a stray quote
    EXPECT_EQ(std::string(entry.at("path").as_string()), expected[i]) << line;
  }
  EXPECT_EQ(i, expected.size());
}

// About 1 MB of lines: the I/O thread hands several full batches to the logger (and gets written ones back
// to fill again). Every line arrives once, whole, in the order of the requests.
TEST(RequestLogging, ManyBatchesArriveWholeAndInOrder) {
  constexpr int kRequests = 2000;
  const std::string padding(400, 'a');
  std::istringstream lines(access_log_of("text", [&](TestClient& client) {
    for (int i = 0; i < kRequests; ++i) {
      ASSERT_EQ(client.get("/" + padding + "/" + std::to_string(i)).send().status(), 200);
    }
  }));
  std::string line;
  int next = 0;
  while (std::getline(lines, line)) {
    ASSERT_LT(next, kRequests) << line;
    ASSERT_NE(line.find("\"GET /" + padding + "/" + std::to_string(next) + "\" 200 "), std::string::npos)
        << "line " << next << ": " << line.substr(0, 120);
    ++next;
  }
  EXPECT_EQ(next, kRequests);
}

TEST(RequestLogging, TextLineShape) {
  const aegis::test::TempDir dir;
  const std::string file = dir.path() + "/access.log";
  {
    AppSettings s;
    s.access_log.file = file;
    App app(s);
    app.router().post("/items", [] { return 1; });
    TestClient client(app);
    client.set_client("198.51.100.7", 5555);
    client.post("/items").header("X-Request-ID", "req-9").send();
  }
  const std::string text = read_file(file);
  EXPECT_TRUE(std::regex_match(
      text, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 198\.51\.100\.7 "POST /items" 200 \d+\.\d{3}ms id=req-9\n)")))
      << text;
}

// Standard error may be a pipe shared with other writers: the lines arrive whole, in order, none lost,
// however the batches are cut.
TEST(RequestLogging, StandardErrorGetsEveryLineWhole) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const int saved = ::dup(STDERR_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_GE(::dup2(fds[1], STDERR_FILENO), 0);
  auto path_of = [](int i) {  // "/ppp.../i", longer for each request
    std::string path(1, '/');
    path.append(static_cast<std::size_t>(40 + i), 'p');
    path.push_back('/');
    path.append(std::to_string(i));
    return path;
  };
  std::string text;
  std::thread reader([&] {
    char buf[65536];
    ssize_t n = 0;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  });
  {
    App app;  // no access-log file: standard error
    app.router().get("/{rest:path}", [](Path<std::string, "rest"> rest) { return rest->size(); });
    TestClient client(app);
    for (int i = 0; i < 300; ++i) {
      client.get(path_of(i)).send();
      if (i == 150) client.get("/" + std::string(5000, 'q')).send();  // one line longer than a pipe's atomic write
    }
  }  // the app's logger writes what is left as it goes
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  std::istringstream lines(text);
  std::string line;
  int next = 0;
  int long_lines = 0;
  while (std::getline(lines, line)) {
    if (line.find("\"GET /q") != std::string::npos) {
      EXPECT_NE(line.find("\"GET /" + std::string(5000, 'q') + "\" 200 "), std::string::npos);
      ++long_lines;
      continue;
    }
    if (line.find("\"GET /p") == std::string::npos) continue;  // the app's own log lines
    std::string pattern = R"(\S+ \S+ "GET )";
    pattern.append(path_of(next)).append(R"(" 200 \d+\.\d{3}ms id=\S+)");
    ASSERT_TRUE(std::regex_match(line, std::regex(pattern))) << line;
    ++next;
  }
  EXPECT_EQ(next, 300);
  EXPECT_EQ(long_lines, 1);
}

// Lines reach the file while the app runs, not only when the sink's buffer fills or the app stops.
TEST(RequestLogging, LinesReachTheFileWhileTheAppRuns) {
  const aegis::test::TempDir dir;
  const std::string file = dir.path() + "/access.log";
  AppSettings s;
  s.access_log.file = file;
  App app(s);
  app.router().get("/live", [] { return 1; });
  TestClient client(app);
  client.get("/live").send();
  std::string text;
  for (int i = 0; i < 100 && text.find("/live") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    text = read_file(file);
  }
  EXPECT_NE(text.find("\"GET /live\" 200"), std::string::npos) << text;
}

TEST(RequestLogging, TextLinesEscapeCraftedPaths) {
  const auto file = std::filesystem::temp_directory_path() / ("aegis-access-text-" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(file);
  {
    AccessLogSettings o;
    o.file = file.string();
    RequestLogging layer(o);
    AppSettings s;
    s.access_log.format = "off";
    App app(s);
    app.router().get("/{rest:path}", [](Path<std::string, "rest"> rest) { return *rest; });
    app.add_middleware(std::shared_ptr<MiddlewareBase>(&layer, [](MiddlewareBase*) {}), "RequestLogging");
    TestClient client(app);
    client.get("/a%0AFAKE%20200%20line").send();
    layer.flush();
  }
  const std::string text = read_file(file);
  std::filesystem::remove(file);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.find("\"GET /a\\nFAKE 200 line\" 200"), std::string::npos) << text;
}

TEST(RequestLogging, AnUnwritableFileIsABootError) {
  AccessLogSettings o;
  o.file = "/etc/hostname/access.log";  // under a regular file: cannot exist
  EXPECT_THROW(RequestLogging{o}, std::invalid_argument);
}

}  // namespace
