// The middleware chain: LIFO order of add_middleware, both middleware forms, early answers, errors.
#include <aegis/aegis.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

using namespace aegis;
using aegis::testing::TestClient;

using Log = std::vector<std::string>;

// Records when it sees the request and the response.
class Recorder final : public Middleware {
 public:
  Recorder(std::shared_ptr<Log> log, std::string name, bool answer_early = false)
      : log_(std::move(log)), name_(std::move(name)), answer_early_(answer_early) {}
  bool on_request(Request&, Response& res) override {
    log_->push_back(name_ + " request");
    if (answer_early_) res.text("answered by " + name_, 403);
    return answer_early_;
  }
  void on_response(Request&, Response& res) override {
    log_->push_back(name_ + " response");
    res.add_header("X-Seen-By", name_);
  }

 private:
  std::shared_ptr<Log> log_;
  std::string name_;
  bool answer_early_;
};

// The async form, suspending before and after the inner layers.
class AsyncRecorder final : public AsyncMiddleware {
 public:
  AsyncRecorder(std::shared_ptr<Log> log, std::string name) : log_(std::move(log)), name_(std::move(name)) {}
  Task<> handle(Request&, Response& res, Next next) override {
    log_->push_back(name_ + " request");
    co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
    co_await next();
    co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
    log_->push_back(name_ + " response " + std::to_string(res.status()));
    res.add_header("X-Seen-By", name_);
  }

 private:
  std::shared_ptr<Log> log_;
  std::string name_;
};

AppSettings bare() {
  AppSettings s;
  s.request_id = false;
  s.access_log.format = "off";
  s.security_headers.enabled = false;
  return s;
}

TEST(MiddlewareChain, FiveMiddlewaresRunLastAddedFirstAndUnwindInReverse) {
  auto log = std::make_shared<Log>();
  App app(bare());
  app.router().get("/x", [log] {
    log->push_back("handler");
    return std::string("ok");
  });
  app.add_middleware(std::make_shared<Recorder>(log, "m1"), "m1");
  app.add_middleware(std::make_shared<AsyncRecorder>(log, "m2"), "m2");
  app.add_middleware(std::make_shared<Recorder>(log, "m3"), "m3");
  app.add_middleware(std::make_shared<AsyncRecorder>(log, "m4"), "m4");
  app.add_middleware(std::make_shared<Recorder>(log, "m5"), "m5");
  TestClient client(app);
  const auto r = client.get("/x").send();
  EXPECT_EQ(r.text(), "ok");
  EXPECT_EQ(*log, (Log{"m5 request", "m4 request", "m3 request", "m2 request", "m1 request", "handler",
                       "m1 response", "m2 response 200", "m3 response", "m4 response 200", "m5 response"}));
  EXPECT_EQ(r.headers("x-seen-by"), (std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"}));

  const auto stack = app.middleware_stack();
  ASSERT_EQ(stack.size(), 6u);
  EXPECT_EQ(stack[0].type, "aegis::ServerErrors");
  EXPECT_EQ(stack[1].type, "m5");
  EXPECT_EQ(stack[5].type, "m1");
  EXPECT_NE(stack[1].file.find("middleware_chain_test.cpp:"), std::string::npos) << stack[1].file;
}

// An async layer that only wants requests carrying X-Async: the others pass it by.
class Choosy final : public AsyncMiddleware {
 public:
  explicit Choosy(std::shared_ptr<Log> log) : log_(std::move(log)) {}
  bool applies(const Request& req) const noexcept override { return req.has_header("x-async"); }
  Task<> handle(Request&, Response&, Next next) override {
    log_->push_back("choosy request");
    co_await next();
    log_->push_back("choosy response");
  }

 private:
  std::shared_ptr<Log> log_;
};

TEST(MiddlewareChain, AnAsyncLayerThatDoesNotApplyIsPassedByAndTheOthersStillUnwind) {
  auto log = std::make_shared<Log>();
  App app(bare());
  app.router().get("/x", [log] {
    log->push_back("handler");
    return std::string("ok");
  });
  app.add_middleware(std::make_shared<Recorder>(log, "inner"), "inner");
  app.add_middleware(std::make_shared<Choosy>(log), "choosy");
  app.add_middleware(std::make_shared<Recorder>(log, "outer"), "outer");
  TestClient client(app);
  auto r = client.get("/x").send();
  EXPECT_EQ(r.text(), "ok");
  EXPECT_EQ(*log, (Log{"outer request", "inner request", "handler", "inner response", "outer response"}));
  EXPECT_EQ(r.headers("x-seen-by"), (std::vector<std::string>{"inner", "outer"}));

  log->clear();
  r = client.get("/x").header("X-Async", "1").send();
  EXPECT_EQ(*log, (Log{"outer request", "choosy request", "inner request", "handler", "inner response",
                       "choosy response", "outer response"}));
}

TEST(MiddlewareChain, AnEarlyAnswerSkipsTheInnerLayersButNotTheOuterResponses) {
  auto log = std::make_shared<Log>();
  App app(bare());
  app.router().get("/x", [log] {
    log->push_back("handler");
    return std::string("ok");
  });
  app.add_middleware(std::make_shared<Recorder>(log, "inner"), "inner");
  app.add_middleware(std::make_shared<Recorder>(log, "guard", true), "guard");
  app.add_middleware(std::make_shared<AsyncRecorder>(log, "outer"), "outer");
  TestClient client(app);
  const auto r = client.get("/x").send();
  EXPECT_EQ(r.status(), 403);
  EXPECT_EQ(r.text(), "answered by guard");
  EXPECT_EQ(*log, (Log{"outer request", "guard request", "guard response", "outer response 403"}));
}

TEST(MiddlewareChain, HandlerErrorsReachTheMiddlewareAsResponses) {
  auto log = std::make_shared<Log>();
  App app(bare());
  app.router().get("/missing", []() -> int { throw HttpError(404, "no such thing"); });
  app.router().get("/crash", []() -> int { throw std::runtime_error("internal"); });
  app.add_middleware(std::make_shared<Recorder>(log, "m"), "m");
  TestClient client(app);
  EXPECT_EQ(client.get("/missing").send().status(), 404);
  EXPECT_EQ(client.get("/crash").send().status(), 500);
  EXPECT_EQ(client.get("/nowhere").send().status(), 404);
  EXPECT_EQ(*log, (Log{"m request", "m response", "m request", "m response", "m request", "m response"}));
}

class Throwing final : public Middleware {
 public:
  bool on_request(Request& req, Response&) override {
    if (req.path() == "/deny") throw HttpError(401, "Not authenticated", {{"WWW-Authenticate", "Bearer"}});
    if (req.path() == "/bug") throw std::logic_error("middleware bug with a secret");
    return false;
  }
};

TEST(MiddlewareChain, ExceptionsFromMiddlewareAreAnsweredByTheHandlersOrAs500) {
  App app;  // with the built-in CorrelationId, so the 500 carries a request id
  app.router().get("/{any}", [](Path<std::string, "any"> any) { return *any; });
  app.add_middleware<Throwing>();
  TestClient client(app);
  const auto denied = client.get("/deny").send();
  EXPECT_EQ(denied.status(), 401);
  EXPECT_EQ(denied.header("www-authenticate"), "Bearer");
  const auto bug = client.get("/bug").send();
  EXPECT_EQ(bug.status(), 500);
  EXPECT_EQ(bug.text().find("secret"), std::string::npos) << bug.text();
  ASSERT_TRUE(bug.header("x-request-id").has_value());
  EXPECT_NE(bug.text().find(*bug.header("x-request-id")), std::string::npos) << bug.text();
  EXPECT_EQ(client.get("/fine").send().text(), "fine");
}

TEST(MiddlewareChain, TheBuiltinsSurroundTheStackOutermostFirst) {
  App app;
  app.add_middleware<Throwing>();
  app.freeze();
  const auto stack = app.middleware_stack();
  ASSERT_EQ(stack.size(), 5u);
  // ServerErrors first, as ARCHITECTURE §4 and the README draw the chain.
  EXPECT_EQ(stack[0].type, "aegis::ServerErrors");
  EXPECT_EQ(stack[0].options, R"({"debug":false})");
  EXPECT_EQ(stack[1].type, "aegis::CorrelationId");
  EXPECT_EQ(stack[2].type, "aegis::RequestLogging");
  EXPECT_EQ(stack[3].type, "aegis::SecurityHeaders");
  EXPECT_TRUE(stack[3].security_layer);
  EXPECT_TRUE(stack[0].builtin);
  EXPECT_TRUE(stack[1].builtin);
  EXPECT_FALSE(stack[4].builtin);
  // Throwing is declared in an anonymous namespace, which the name leaves out (as `check` and the
  // Overseer show it).
  EXPECT_EQ(stack[4].type, "Throwing");
}

TEST(MiddlewareChain, MiddlewareCannotBeAddedAfterFreeze) {
  App app;
  app.freeze();
  EXPECT_THROW(app.add_middleware<Throwing>(), std::logic_error);
}

}  // namespace
