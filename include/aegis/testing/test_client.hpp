#pragma once

#include <aegis/http/method.hpp>
#include <aegis/json/convert.hpp>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aegis {
class App;
}

namespace aegis::testing {

/// A response as the TestClient received it.
class TestResponse {
 public:
  int status() const noexcept { return status_; }
  /// The body as text.
  const std::string& text() const noexcept { return body_; }
  /// The first value of header `name` (case-insensitive), if present.
  std::optional<std::string> header(std::string_view name) const;
  /// Every value of header `name`, in order.
  std::vector<std::string> headers(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all_headers() const noexcept { return headers_; }
  /// The body parsed as JSON; throws `std::runtime_error` when it is not JSON.
  Json json() const;
  /// The body read into T (a described struct, vector, ...); throws `std::runtime_error` listing every
  /// issue when it does not fit.
  template <class T>
  T json() const {
    const Json value = json();
    T out{};
    Validator val;
    read_json(value, out, val);
    if (!val.ok()) throw std::runtime_error("the response body does not fit the type: " + RequestValidationError(std::move(val.issues())).body());
    return out;
  }

 private:
  friend class TestClient;
  int status_ = 0;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
};

class TestClient;

/// One request being built; `send()` (or converting to TestResponse) runs it through the app.
class TestRequest {
 public:
  /// Adds a header line as it is: a malformed name or value goes to the server's parser, which answers it
  /// as it would over a socket (400).
  TestRequest& header(std::string_view name, std::string_view value);
  /// Adds a query parameter (percent-encoded here).
  TestRequest& query(std::string_view name, std::string_view value);
  /// Sends a cookie with this request only; it replaces a cookie of the same name in the client's jar for
  /// this request (the rest of the jar is sent too). Name and value go into the Cookie line as they are.
  TestRequest& cookie(std::string_view name, std::string_view value);
  /// The body as is, with its Content-Type.
  TestRequest& body(std::string content, std::string_view content_type = "text/plain; charset=utf-8");
  /// A JSON body given as text.
  TestRequest& json(std::string_view json_text);
  /// A JSON body serialised from `value`.
  template <class T>
    requires(!std::is_convertible_v<const T&, std::string_view>)
  TestRequest& json(const T& value) {
    return json(std::string_view(to_json(value)));
  }
  /// An urlencoded form body.
  TestRequest& form(const std::vector<std::pair<std::string, std::string>>& fields);

  /// Runs the request through the app (middleware, router, handler) and returns the response. Cookies the
  /// response sets are kept by the client for later requests.
  TestResponse send();
  operator TestResponse() { return send(); }  // NOLINT(google-explicit-constructor): `TestResponse r = client.get("/")`

 private:
  friend class TestClient;
  TestRequest(TestClient& client, Method method, std::string target)
      : client_(client), method_(method), target_(std::move(target)) {}

  TestClient& client_;
  Method method_;
  std::string target_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<std::pair<std::string, std::string>> cookies_;
  std::string body_;
  bool has_query_ = false;
};

/// Drives a whole app in process, without sockets: the request is parsed by the same parser the server
/// uses and answered by the same dispatch (middleware included), coroutines and blocking routes included.
/// The response is what a client would receive: no body for HEAD or a status that forbids one (1xx, 204,
/// 304), and `Content-Length` as the server sends it (the server's `Date` and `Server` lines are not
/// added). Redirects are not followed (a 307 comes back with its Location), and an exception no handler
/// answers is the 500 a client would get (its text is in the log), not rethrown into the test.
/// Users test their apps with it:
///
///     aegis::testing::TestClient client(app);
///     auto r = client.post("/items").json(R"({"name":"x"})").send();
///     EXPECT_EQ(r.status(), 201);
///     EXPECT_EQ(r.json<Item>().name, "x");
///
/// The app is frozen on construction (boot errors throw there). Not thread-safe: one test thread.
///
/// The lifespan (startup and shutdown hooks, modules' on_startup and on_shutdown) does not run unless
/// asked, as FastAPI's TestClient runs it only inside `with TestClient(app)`:
///
///     aegis::testing::TestClient client(app, aegis::testing::with_lifespan);
///
/// runs the startup hooks before the first request (a failing one throws the StartupError `aegis::run`
/// would report, after shutting down what had started) and the shutdown hooks when the client is destroyed.
struct WithLifespan {
  explicit WithLifespan() = default;
};
inline constexpr WithLifespan with_lifespan{};

class TestClient {
 public:
  explicit TestClient(App& app);
  /// Also runs the app's startup hooks now and its shutdown hooks in the destructor.
  TestClient(App& app, WithLifespan);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  TestRequest request(Method method, std::string target) { return TestRequest(*this, method, std::move(target)); }
  TestRequest get(std::string target) { return request(Method::get, std::move(target)); }
  TestRequest head(std::string target) { return request(Method::head, std::move(target)); }
  TestRequest post(std::string target) { return request(Method::post, std::move(target)); }
  TestRequest put(std::string target) { return request(Method::put, std::move(target)); }
  TestRequest patch(std::string target) { return request(Method::patch, std::move(target)); }
  TestRequest del(std::string target) { return request(Method::del, std::move(target)); }
  TestRequest options(std::string target) { return request(Method::options, std::move(target)); }

  /// The cookie jar: what responses set (and did not expire), sent with every request. A `Set-Cookie` whose
  /// Max-Age is 0 or less, or (without Max-Age) whose Expires date is past, removes the cookie (RFC 6265
  /// section 5.3). Path and Domain are not kept: every cookie goes with every request.
  const std::map<std::string, std::string>& cookies() const noexcept { return jar_; }
  void set_cookie(std::string name, std::string value) { jar_[std::move(name)] = std::move(value); }
  void clear_cookies() noexcept { jar_.clear(); }
  /// The client address the app sees (default 127.0.0.1:50000).
  void set_client(std::string ip, std::uint16_t port) {
    client_ip_ = std::move(ip);
    client_port_ = port;
  }

 private:
  friend class TestRequest;
  TestResponse run(const TestRequest& request);

  struct Impl;
  App& app_;
  std::unique_ptr<Impl> impl_;
  std::map<std::string, std::string> jar_;
  std::string client_ip_ = "127.0.0.1";
  std::uint16_t client_port_ = 50000;
};

}  // namespace aegis::testing
