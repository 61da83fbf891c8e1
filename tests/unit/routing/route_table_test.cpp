// Unit tests for the compiled route table (src/routing/route_table.hpp): matching order, converters,
// parameter capture, 405/OPTIONS/HEAD handling, trailing-slash redirects and boot-time template errors.

#include "routing/route_table.hpp"

#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/routing/router.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using aegis::Method;
using aegis::PathParam;
using aegis::Request;
using aegis::Response;
using aegis::Router;
using aegis::routing::Match;
using aegis::routing::MatchKind;
using aegis::routing::RouteTable;

void noop(Request&, Response&) {}

// The outcome of one lookup, copied out so that tests compare plain values.
struct Result {
  MatchKind kind = MatchKind::not_found;
  std::string route;  // "GET /users/{id}" of the matched endpoint, or ""
  std::string allow;
  std::vector<std::pair<std::string, std::string>> params;

  std::string param(std::string_view name) const {
    for (const auto& [n, v] : params) {
      if (n == name) return v;
    }
    return "<absent>";
  }
};

Result lookup(const RouteTable& table, Method method, std::string_view path) {
  std::vector<PathParam> params;
  const Match m = table.match(method, path, params);
  Result r;
  r.kind = m.kind;
  r.allow = std::string(m.allow);
  if (m.kind == MatchKind::found) {
    EXPECT_NE(m.endpoint, nullptr);
    if (m.endpoint != nullptr) {
      r.route = std::string(aegis::to_string(m.endpoint->route->info.method)) + " " + m.endpoint->route->info.path;
    }
  }
  for (const auto& p : params) r.params.emplace_back(std::string(p.name), std::string(p.value));
  return r;
}

// Returns the message of the std::invalid_argument that compiling `router` throws, or "<no throw>".
std::string compile_error(const Router& router) {
  try {
    RouteTable table(router.routes());
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no throw>";
}

std::string location(int line) { return std::string(__FILE__) + ":" + std::to_string(line); }

// ---------------------------------------------------------------------------------------------------------
// Basic matching

TEST(RouteTable, MatchesStaticRoutes) {
  Router r;
  r.get("/", noop);
  r.get("/health", noop);
  r.get("/api/v1/items", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::get, "/").route, "GET /");
  EXPECT_EQ(lookup(t, Method::get, "/health").route, "GET /health");
  EXPECT_EQ(lookup(t, Method::get, "/api/v1/items").route, "GET /api/v1/items");
  EXPECT_EQ(lookup(t, Method::get, "/api/v1").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "/api/v1/items/x").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "/healthz").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "/Health").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "health").kind, MatchKind::not_found);
}

TEST(RouteTable, StaticBeatsParameterWhateverTheRegistrationOrder) {
  for (bool param_first : {true, false}) {
    Router r;
    if (param_first) r.get("/users/{id}", noop);
    r.get("/users/me", noop);
    if (!param_first) r.get("/users/{id}", noop);
    RouteTable t(r.routes());
    const Result me = lookup(t, Method::get, "/users/me");
    EXPECT_EQ(me.route, "GET /users/me");
    EXPECT_TRUE(me.params.empty());
    const Result other = lookup(t, Method::get, "/users/mex");
    EXPECT_EQ(other.route, "GET /users/{id}");
    EXPECT_EQ(other.param("id"), "mex");
  }
}

TEST(RouteTable, ParameterDoesNotMatchAnEmptySegment) {
  Router r;
  r.get("/users/{id}", noop);
  r.get("/a/{x}/b", noop);
  RouteTable t(r.routes(), false);
  EXPECT_EQ(lookup(t, Method::get, "/users/").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "/a//b").kind, MatchKind::not_found);
}

// ---------------------------------------------------------------------------------------------------------
// Converters

TEST(RouteTable, ConvertersAreTriedIntFloatUuidStr) {
  Router r;
  r.get("/v/{s}", noop);
  r.get("/v/{u:uuid}", noop);
  r.get("/v/{f:float}", noop);
  r.get("/v/{i:int}", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::get, "/v/42").route, "GET /v/{i:int}");
  EXPECT_EQ(lookup(t, Method::get, "/v/42").param("i"), "42");
  EXPECT_EQ(lookup(t, Method::get, "/v/4.5").route, "GET /v/{f:float}");
  EXPECT_EQ(lookup(t, Method::get, "/v/4.5").param("f"), "4.5");
  EXPECT_EQ(lookup(t, Method::get, "/v/123e4567-e89b-12d3-a456-426614174000").route, "GET /v/{u:uuid}");
  EXPECT_EQ(lookup(t, Method::get, "/v/abc").route, "GET /v/{s}");
  EXPECT_EQ(lookup(t, Method::get, "/v/abc").param("s"), "abc");
}

TEST(RouteTable, IntConverterAcceptsDigitsOnly) {
  Router r;
  r.get("/n/{i:int}", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::get, "/n/0").param("i"), "0");
  EXPECT_EQ(lookup(t, Method::get, "/n/007").param("i"), "007");
  for (std::string_view bad : {"/n/-1", "/n/+1", "/n/1.0", "/n/1a", "/n/a1", "/n/ 1", "/n/"}) {
    EXPECT_EQ(lookup(t, Method::get, bad).kind, MatchKind::not_found) << bad;
  }
}

TEST(RouteTable, FloatConverterAcceptsDigitsWithOptionalFraction) {
  Router r;
  r.get("/f/{x:float}", noop);
  RouteTable t(r.routes());
  for (std::string_view good : {"/f/1", "/f/1.5", "/f/0.25", "/f/10.0"}) {
    EXPECT_EQ(lookup(t, Method::get, good).kind, MatchKind::found) << good;
  }
  for (std::string_view bad : {"/f/1.", "/f/.5", "/f/1.2.3", "/f/-1.5", "/f/1e5", "/f/nan", "/f/."}) {
    EXPECT_EQ(lookup(t, Method::get, bad).kind, MatchKind::not_found) << bad;
  }
}

TEST(RouteTable, UuidConverterChecksShapeAndHexDigits) {
  Router r;
  r.get("/u/{id:uuid}", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::get, "/u/00000000-0000-0000-0000-000000000000").kind, MatchKind::found);
  EXPECT_EQ(lookup(t, Method::get, "/u/123e4567-e89b-12d3-a456-426614174abc").kind, MatchKind::found);
  for (std::string_view bad : {"/u/123e4567-e89b-12d3-a456-42661417400",     // too short
                               "/u/123e4567-e89b-12d3-a456-4266141740000",   // too long
                               "/u/123e4567e89b-12d3-a456-4266141740000",    // dash missing
                               "/u/123e4567-e89b-12d3-a456-42661417400g",    // not hex
                               "/u/123e4567_e89b_12d3_a456_426614174000"}) {  // wrong separator
    EXPECT_EQ(lookup(t, Method::get, bad).kind, MatchKind::not_found) << bad;
  }
}

TEST(RouteTable, StrConverterIsTheDefaultAndStopsAtSlash) {
  Router r;
  r.get("/s/{name}", noop);
  r.get("/t/{name:str}", noop);
  RouteTable t(r.routes(), false);
  EXPECT_EQ(lookup(t, Method::get, "/s/hello world").param("name"), "hello world");
  EXPECT_EQ(lookup(t, Method::get, "/t/x.y").param("name"), "x.y");
  EXPECT_EQ(lookup(t, Method::get, "/s/a/b").kind, MatchKind::not_found);
}

TEST(RouteTable, PathConverterCapturesTheRemainder) {
  Router r;
  r.get("/files/{rest:path}", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::get, "/files/a/b/c.txt").param("rest"), "a/b/c.txt");
  EXPECT_EQ(lookup(t, Method::get, "/files/readme").param("rest"), "readme");
  EXPECT_EQ(lookup(t, Method::get, "/files/a/").param("rest"), "a/");
  EXPECT_EQ(lookup(t, Method::get, "/files//x").param("rest"), "/x");
  const Result empty = lookup(t, Method::get, "/files/");
  EXPECT_EQ(empty.kind, MatchKind::found);
  EXPECT_EQ(empty.param("rest"), "");
}

TEST(RouteTable, PathConverterAtTheRoot) {
  Router r;
  r.get("/static", noop);
  r.get("/{rest:path}", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::get, "/static").route, "GET /static");
  EXPECT_EQ(lookup(t, Method::get, "/static/x").param("rest"), "static/x");
  EXPECT_EQ(lookup(t, Method::get, "/anything/at/all").param("rest"), "anything/at/all");
  const Result root = lookup(t, Method::get, "/");
  EXPECT_EQ(root.route, "GET /{rest:path}");
  EXPECT_EQ(root.param("rest"), "");
}

TEST(RouteTable, SegmentParametersBeatPathConverter) {
  Router r;
  r.get("/d/{rest:path}", noop);
  r.get("/d/{name}", noop);
  r.get("/d/{id:int}/{rest:path}", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::get, "/d/x").route, "GET /d/{name}");
  EXPECT_EQ(lookup(t, Method::get, "/d/x/y").route, "GET /d/{rest:path}");
  const Result both = lookup(t, Method::get, "/d/7/a/b");
  EXPECT_EQ(both.route, "GET /d/{id:int}/{rest:path}");
  EXPECT_EQ(both.param("id"), "7");
  EXPECT_EQ(both.param("rest"), "a/b");
}

// ---------------------------------------------------------------------------------------------------------
// Parameters and backtracking

TEST(RouteTable, ParamsNamedFromTheMatchedEndpoint) {
  Router r;
  r.get("/items/{item_id}", noop);
  r.post("/items/{name}", noop);
  r.put("/items/{key}/tags/{tag}", noop);
  RouteTable t(r.routes());
  const Result g = lookup(t, Method::get, "/items/5");
  EXPECT_EQ(g.route, "GET /items/{item_id}");
  ASSERT_EQ(g.params.size(), 1u);
  EXPECT_EQ(g.params[0].first, "item_id");
  EXPECT_EQ(g.params[0].second, "5");
  const Result p = lookup(t, Method::post, "/items/5");
  EXPECT_EQ(p.route, "POST /items/{name}");
  ASSERT_EQ(p.params.size(), 1u);
  EXPECT_EQ(p.params[0].first, "name");
  const Result u = lookup(t, Method::put, "/items/a/tags/b");
  ASSERT_EQ(u.params.size(), 2u);
  EXPECT_EQ(u.params[0], (std::pair<std::string, std::string>{"key", "a"}));
  EXPECT_EQ(u.params[1], (std::pair<std::string, std::string>{"tag", "b"}));
}

TEST(RouteTable, BacktracksFromADeadStaticBranch) {
  Router r;
  r.get("/a/{x}/b", noop);
  r.get("/a/c/d", noop);
  RouteTable t(r.routes());
  const Result m = lookup(t, Method::get, "/a/c/b");
  EXPECT_EQ(m.route, "GET /a/{x}/b");
  EXPECT_EQ(m.param("x"), "c");
  EXPECT_EQ(lookup(t, Method::get, "/a/c/d").route, "GET /a/c/d");
  EXPECT_EQ(lookup(t, Method::get, "/a/c/e").kind, MatchKind::not_found);
}

TEST(RouteTable, BacktracksAcrossConvertersWithoutLeakingParams) {
  Router r;
  r.get("/a/{n:int}/c", noop);
  r.get("/a/{s}/d", noop);
  RouteTable t(r.routes());
  const Result m = lookup(t, Method::get, "/a/1/d");
  EXPECT_EQ(m.route, "GET /a/{s}/d");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"s", "1"}));
}

TEST(RouteTable, BacktracksPastANodeWithoutTheMethod) {
  Router r;
  r.post("/m/{n:int}", noop);
  r.get("/m/{s}", noop);
  RouteTable t(r.routes());
  const Result m = lookup(t, Method::get, "/m/5");
  EXPECT_EQ(m.kind, MatchKind::found);
  EXPECT_EQ(m.route, "GET /m/{s}");
  EXPECT_EQ(m.param("s"), "5");
  EXPECT_EQ(lookup(t, Method::post, "/m/5").route, "POST /m/{n:int}");
}

// ---------------------------------------------------------------------------------------------------------
// Methods: 405, HEAD, OPTIONS

TEST(RouteTable, MethodNotAllowedListsAllow) {
  Router r;
  r.get("/one", noop);
  r.get("/two", noop);
  r.post("/two", noop);
  r.post("/post-only", noop);
  RouteTable t(r.routes());
  const Result one = lookup(t, Method::post, "/one");
  EXPECT_EQ(one.kind, MatchKind::method_not_allowed);
  EXPECT_EQ(one.allow, "GET, HEAD, OPTIONS");
  EXPECT_TRUE(one.route.empty());
  const Result two = lookup(t, Method::del, "/two");
  EXPECT_EQ(two.kind, MatchKind::method_not_allowed);
  EXPECT_EQ(two.allow, "GET, HEAD, POST, OPTIONS");
  const Result post_only = lookup(t, Method::get, "/post-only");
  EXPECT_EQ(post_only.kind, MatchKind::method_not_allowed);
  EXPECT_EQ(post_only.allow, "POST, OPTIONS");
  EXPECT_EQ(lookup(t, Method::head, "/post-only").kind, MatchKind::method_not_allowed);
}

TEST(RouteTable, AllowListsEveryRegisteredMethodOnceInOrder) {
  Router r;
  r.del("/all", noop);
  r.options("/all", noop);
  r.patch("/all", noop);
  r.put("/all", noop);
  r.post("/all", noop);
  r.get("/all", noop);
  RouteTable t(r.routes());
  const Result m = lookup(t, Method::trace, "/all");
  EXPECT_EQ(m.kind, MatchKind::method_not_allowed);
  EXPECT_EQ(m.allow, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
}

TEST(RouteTable, MethodNotAllowedForParameterRoutes) {
  Router r;
  r.get("/users/{id:int}", noop);
  RouteTable t(r.routes());
  const Result m = lookup(t, Method::put, "/users/3");
  EXPECT_EQ(m.kind, MatchKind::method_not_allowed);
  EXPECT_EQ(m.allow, "GET, HEAD, OPTIONS");
  EXPECT_TRUE(m.params.empty());
  EXPECT_EQ(lookup(t, Method::put, "/users/x").kind, MatchKind::not_found);
}

TEST(RouteTable, HeadFallsBackToGet) {
  Router r;
  r.get("/doc", noop);
  r.get("/explicit", noop);
  r.route(Method::head, "/explicit", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::head, "/doc").route, "GET /doc");
  EXPECT_EQ(lookup(t, Method::head, "/explicit").route, "HEAD /explicit");
  EXPECT_EQ(lookup(t, Method::get, "/explicit").route, "GET /explicit");
}

TEST(RouteTable, OptionsWithoutARouteIsAnsweredWithAllow) {
  Router r;
  r.get("/x", noop);
  r.get("/y", noop);
  r.options("/y", noop);
  RouteTable t(r.routes());
  const Result x = lookup(t, Method::options, "/x");
  EXPECT_EQ(x.kind, MatchKind::options);
  EXPECT_EQ(x.allow, "GET, HEAD, OPTIONS");
  EXPECT_EQ(lookup(t, Method::options, "/y").route, "OPTIONS /y");
  EXPECT_EQ(lookup(t, Method::options, "/nowhere").kind, MatchKind::not_found);
}

// ---------------------------------------------------------------------------------------------------------
// Trailing-slash redirects

TEST(RouteTable, RedirectsToTheRegisteredSlashForm) {
  Router r;
  r.get("/items", noop);
  r.get("/dir/", noop);
  r.get("/users/{id}", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::get, "/items/").kind, MatchKind::redirect);
  EXPECT_EQ(RouteTable::redirect_target("/items/"), "/items");
  EXPECT_EQ(lookup(t, Method::get, "/dir").kind, MatchKind::redirect);
  EXPECT_EQ(RouteTable::redirect_target("/dir"), "/dir/");
  EXPECT_EQ(lookup(t, Method::get, "/users/5/").kind, MatchKind::redirect);
  EXPECT_EQ(lookup(t, Method::get, "/dir/").kind, MatchKind::found);
  EXPECT_EQ(lookup(t, Method::get, "/nothing/").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "/nothing").kind, MatchKind::not_found);
}

TEST(RouteTable, NoRedirectWhenDisabled) {
  Router r;
  r.get("/items", noop);
  r.get("/dir/", noop);
  RouteTable t(r.routes(), false);
  EXPECT_EQ(lookup(t, Method::get, "/items/").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "/dir").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "/items").kind, MatchKind::found);
}

TEST(RouteTable, RootIsNeverRedirected) {
  Router r;
  r.get("/a", noop);
  r.get("/a/", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::get, "/").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "/a").route, "GET /a");
  EXPECT_EQ(lookup(t, Method::get, "/a/").route, "GET /a/");
}

// ---------------------------------------------------------------------------------------------------------
// Boot-time errors

TEST(RouteTable, DuplicateRouteNamesBothPlaces) {
  Router r;
  r.get("/dup/{id}", noop); const int first = __LINE__;
  r.post("/dup/{id}", noop);
  r.get("/dup/{id}", noop); const int second = __LINE__;
  const std::string msg = compile_error(r);
  EXPECT_NE(msg.find(location(first)), std::string::npos) << msg;
  EXPECT_NE(msg.find(location(second)), std::string::npos) << msg;
  EXPECT_NE(msg.find("GET /dup/{id}"), std::string::npos) << msg;
  EXPECT_EQ(msg.rfind("AE001 ", 0), 0u) << "the catalogue's code leads: " << msg;
}

TEST(RouteTable, SameTemplateWithOtherMethodsIsNotADuplicate) {
  Router r;
  r.get("/same", noop);
  r.post("/same", noop);
  r.get("/same/{x:int}", noop);
  r.get("/same/{x}", noop);
  EXPECT_EQ(compile_error(r), "<no throw>");
}

TEST(RouteTable, DuplicateAcrossIncludedRouterIsDetected) {
  Router sub;
  sub.get("/orders", noop); const int sub_line = __LINE__;
  Router r;
  r.get("/api/orders", noop); const int main_line = __LINE__;
  r.include_router(sub, {.prefix = "/api"});
  const std::string msg = compile_error(r);
  EXPECT_NE(msg.find(location(sub_line)), std::string::npos) << msg;
  EXPECT_NE(msg.find(location(main_line)), std::string::npos) << msg;
}

struct BadTemplate {
  const char* path;
  const char* message_part;
};

class MalformedTemplate : public ::testing::TestWithParam<BadTemplate> {};

TEST_P(MalformedTemplate, ThrowsWithAClearMessage) {
  Router r;
  r.get("/fine", noop);
  r.get(GetParam().path, noop); const int line = __LINE__;
  const std::string msg = compile_error(r);
  EXPECT_NE(msg.find(GetParam().message_part), std::string::npos) << msg;
  EXPECT_NE(msg.find(location(line)), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    RouteTable, MalformedTemplate,
    ::testing::Values(BadTemplate{"no/slash", "must start with '/'"}, BadTemplate{"", "must start with '/'"},
                      BadTemplate{"/a{b}", "whole segment"}, BadTemplate{"/{a}b", "whole segment"},
                      BadTemplate{"/x/pre{a}", "whole segment"}, BadTemplate{"/a}", "whole segment"},
                      BadTemplate{"/{a", "whole segment"}, BadTemplate{"/{x:nope}", "unknown converter 'nope'"},
                      BadTemplate{"/{x:INT}", "unknown converter"}, BadTemplate{"/{x:}", "unknown converter"},
                      BadTemplate{"/{1x}", "not a valid parameter name"},
                      BadTemplate{"/{a-b}", "not a valid parameter name"},
                      BadTemplate{"/{}", "not a valid parameter name"},
                      BadTemplate{"/{:int}", "not a valid parameter name"},
                      BadTemplate{"/{rest:path}/x", "must be the last segment"},
                      BadTemplate{"/{a}/{b}/{a:int}", "appears twice"}));

// ---------------------------------------------------------------------------------------------------------
// Scale

TEST(RouteTable, ManyStaticChildrenAllMatchAndNearMissesDoNot) {
  Router r;
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back("child" + std::to_string(i));
  for (const auto& n : names) r.get("/wide/" + n, noop);
  for (int i = 0; i < 12; ++i) r.get("/top" + std::to_string(i), noop);
  RouteTable t(r.routes(), false);
  for (const auto& n : names) {
    EXPECT_EQ(lookup(t, Method::get, "/wide/" + n).route, "GET /wide/" + n);
  }
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(lookup(t, Method::get, "/top" + std::to_string(i)).kind, MatchKind::found) << i;
  }
  for (std::string_view miss : {"/wide/child40", "/wide/child", "/wide/Child1", "/wide/child1x", "/wide/hild1",
                                "/wide/", "/wide/child1/x", "/top12", "/top", "/to", "/top01"}) {
    EXPECT_EQ(lookup(t, Method::get, miss).kind, MatchKind::not_found) << miss;
  }
}

TEST(RouteTable, ManyStaticChildrenStillFallBackToAParameter) {
  Router r;
  for (int i = 0; i < 20; ++i) r.get("/k/s" + std::to_string(i), noop);
  r.get("/k/{other}", noop);
  RouteTable t(r.routes());
  EXPECT_EQ(lookup(t, Method::get, "/k/s7").route, "GET /k/s7");
  EXPECT_EQ(lookup(t, Method::get, "/k/s20").param("other"), "s20");
}

// Whole literal paths are found with one hash; these check that it answers as the walk would.
TEST(RouteTable, LiteralPathsAnswerAsTheWalkWould) {
  Router r;
  for (int i = 0; i < 300; ++i) r.get("/lit/" + std::to_string(i) + "/x", noop);
  r.get("/a/", noop);            // trailing slash: an empty last segment
  r.get("/a//b", noop);          // an empty segment in the middle
  r.get("/users/me", noop);      // GET only: POST /users/me goes on to the parameter route
  r.post("/users/{id}", noop);
  r.put("/only-put", noop);
  RouteTable t(r.routes());
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(lookup(t, Method::get, "/lit/" + std::to_string(i) + "/x").route,
              "GET /lit/" + std::to_string(i) + "/x");
  }
  EXPECT_EQ(lookup(t, Method::get, "/lit/300/x").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "/a/").route, "GET /a/");
  EXPECT_EQ(lookup(t, Method::get, "/a//b").route, "GET /a//b");
  EXPECT_EQ(lookup(t, Method::get, "/a/b").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::head, "/users/me").route, "GET /users/me");
  const Result post = lookup(t, Method::post, "/users/me");
  EXPECT_EQ(post.route, "POST /users/{id}");
  EXPECT_EQ(post.param("id"), "me");
  const Result get = lookup(t, Method::get, "/only-put");
  EXPECT_EQ(get.kind, MatchKind::method_not_allowed);
  EXPECT_EQ(get.allow, "PUT, OPTIONS");
  EXPECT_EQ(lookup(t, Method::options, "/only-put").kind, MatchKind::options);
}

TEST(RouteTable, TenThousandRoutesAllMatch) {
  Router r;
  constexpr int kRoutes = 10'000;
  for (int i = 0; i < kRoutes; ++i) {
    r.get("/svc" + std::to_string(i % 100) + "/res" + std::to_string(i) + "/{id:int}", noop);
  }
  RouteTable t(r.routes());
  std::vector<PathParam> params;
  int matched = 0;
  for (int i = 0; i < kRoutes; ++i) {
    const std::string templ = "/svc" + std::to_string(i % 100) + "/res" + std::to_string(i) + "/{id:int}";
    const std::string path = "/svc" + std::to_string(i % 100) + "/res" + std::to_string(i) + "/7";
    const Match m = t.match(Method::get, path, params);
    if (m.kind == MatchKind::found && m.endpoint->route->info.path == templ && params.size() == 1 &&
        params[0].name == "id" && params[0].value == "7") {
      ++matched;
    } else {
      ADD_FAILURE() << "no match for " << path;
      if (i + 1 - matched > 5) break;  // enough examples
    }
  }
  EXPECT_EQ(matched, kRoutes);
  EXPECT_EQ(lookup(t, Method::get, "/svc1/res2/7").kind, MatchKind::not_found);
  EXPECT_EQ(lookup(t, Method::get, "/svc0/res10000/7").kind, MatchKind::not_found);
}

}  // namespace
