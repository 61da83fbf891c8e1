// The OpenAPI document a frozen app builds: info and tags, paths and operations, parameters of every kind
// (those that providers and route dependencies read included), request bodies, responses, and where it is
// served.
#include <aegis/aegis.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "openapi_fixtures.hpp"

namespace oa_doc {

enum class Status { draft, active, archived };
BOOST_DESCRIBE_ENUM(Status, draft, active, archived)

struct Item {
  std::string name;
  int qty = 0;
  std::optional<double> price;
};
BOOST_DESCRIBE_STRUCT(Item, (), (name, qty, price))
AEGIS_FIELD_RULES(Item, (name, aegis::MinLength<1>), (qty, aegis::Min<1>))

struct LoginForm {
  std::string username;
  std::string password;
  bool remember = false;
};
BOOST_DESCRIBE_STRUCT(LoginForm, (), (username, password, remember))
AEGIS_FIELD_RULES(LoginForm, (username, aegis::MinLength<3>), (remember, aegis::Optional))

struct Counter {
  int value = 0;
};
struct Pager {
  int page = 1;
  int size = 20;
};
struct Session {
  std::string key;
};
struct Clock {
  int now = 0;
};

}  // namespace oa_doc

namespace {

using namespace aegis;
using namespace aegis::openapi_test;
using aegis::testing::TestClient;
using oa_doc::Item;
using oa_doc::LoginForm;
using oa_doc::Status;

// One app with a route of every kind the document describes; built the same way by every test that uses it.
void build_shop(App& app) {
  app.state().emplace<oa_doc::Counter>("counter", oa_doc::Counter{3});
  Router& r = app.router();
  r.get("/items/{id:int}",
        [](Path<std::int64_t, "id", Min<1>, Description<"The item's id">> id) {
          return Item{"pen", static_cast<int>(*id), std::nullopt};
        })
      .summary("Read an item")
      .description("Reads one item by its id.")
      .tags({"items"})
      .responses({{404, "Item not found"}});
  r.get("/items",
        [](Query<int, "limit", Default<10>, Min<1>, Max<50>> limit,
           Query<std::optional<std::string>, "q", MinLength<2>, MaxLength<20>> q,
           Query<std::string, "sort", Pattern<"^(name|qty)$">> sort,
           Query<std::vector<int>, "tag", MinLength<1>, MaxLength<3>, Gt<0>> tags,
           Query<Status, "status", Default<Status::active>> status, Query<double, "max_price", Gt<0>, Lt<1000>> max,
           Query<bool, "in_stock", Default<false>> in_stock) {
          (void)limit, (void)q, (void)sort, (void)tags, (void)status, (void)max, (void)in_stock;
          return std::vector<Item>{};
        })
      .name("list_items")
      .tags({"items"});
  r.post("/items", [](Body<Item> item) { return *item; }).status(201).tags({"items"});
  r.put("/items/{id:int}", [](Path<int, "id">, Body<std::optional<Item>>) {}).tags({"items"});
  r.post("/login", [](Form<LoginForm> form) { return Html{"<p>" + form->username + "</p>"}; });
  r.get("/whoami", [](Header<std::string, "user_agent"> ua, Header<std::optional<int>, "x_count"> count,
                      Header<std::string, "X-Request-Token"> token,
                      Cookie<std::string, "session", Default<"none">> session,
                      Cookie<std::optional<std::string>, "theme"> theme) {
    (void)count, (void)token, (void)session, (void)theme;
    return *ua;
  });
  r.get("/ping", [] { return std::string("pong"); });
  r.get("/page", [] { return Html{"<p>hi</p>"}; });
  r.get("/raw/{rest:path}", [](Request&, Response& res) { res.text("raw"); });
  r.get("/counter", [](State<oa_doc::Counter> c, const Request&, Response&) { return c->value; });
  r.get("/legacy", [] { return 1; }).deprecated().summary("The old way").tags({"legacy"});
  r.get("/internal", [] { return 1; }).include_in_schema(false);

  Router admin;
  admin.get("/stats", [] { return 1; }).tags({"stats"});
  app.include_router(admin, IncludeOptions{.prefix = "/admin", .tags = {"admin"}, .dependencies = {}});
}

json::value shop_document() {
  App app;
  build_shop(app);
  return document_of(app);
}

// The value of schema keyword `key`: on the schema itself or, for an optional (`anyOf` with null), on its
// non-null branch. Null when neither has it.
const json::value& keyword(const json::value& schema, std::string_view key) {
  static const json::value null_value;
  if (!schema.is_object()) return null_value;
  const auto& o = schema.get_object();
  if (const auto* v = o.if_contains(key)) return *v;
  if (const auto* any = o.if_contains("anyOf"); any != nullptr && any->is_array()) {
    for (const auto& branch : any->get_array()) {
      if (!branch.is_object()) continue;
      if (const auto* type = branch.get_object().if_contains("type"); type != nullptr && *type == "null") continue;
      if (const auto* v = branch.get_object().if_contains(key)) return *v;
    }
  }
  return null_value;
}

// ---- info, tags, paths -----------------------------------------------------------------------------------------

TEST(OpenApiInfo, TitleVersionDescriptionAndTagDescriptions) {
  AppSettings settings;
  settings.title = "Shop API";
  settings.version = "2.3.4";
  settings.description = "Sells **things**.";
  settings.openapi_tags = {{"items", "Operations on items"}, {"admin", "For operators"}};
  App app(settings);
  build_shop(app);
  const json::value doc = document_of(app);
  EXPECT_EQ(at(doc, "/openapi"), "3.1.0");
  EXPECT_EQ(at(doc, "/info"), js(R"({"title":"Shop API","version":"2.3.4","description":"Sells **things**."})"));
  EXPECT_EQ(at(doc, "/tags"), js(R"([{"name":"items","description":"Operations on items"},
                                     {"name":"admin","description":"For operators"}])"));
}

TEST(OpenApiInfo, DefaultsWithoutDescriptionOrTags) {
  App app;
  app.router().get("/ping", [] { return std::string("pong"); });
  const json::value doc = document_of(app);
  EXPECT_EQ(at(doc, "/info"), js(R"({"title":"Aegis","version":"0.1.0"})"));
  EXPECT_FALSE(has(doc, "/tags"));
}

TEST(OpenApiInfo, TextsAreEscaped) {
  AppSettings settings;
  settings.title = "Caf\u00e9 \"API\"";
  settings.description = "Line one\nLine \\two\t<b>";
  App app(settings);
  app.router().get("/ping", [] { return std::string("pong"); }).summary("Say \"pong\"\n");
  const json::value doc = document_of(app);
  EXPECT_EQ(at(doc, "/info/title"), "Caf\u00e9 \"API\"");
  EXPECT_EQ(at(doc, "/info/description"), "Line one\nLine \\two\t<b>");
  EXPECT_EQ(at(doc, op("/ping", "get") + "/summary"), "Say \"pong\"\n");
}

TEST(OpenApiPaths, ConvertersAreRemovedAndMethodsShareAPathItem) {
  const json::value doc = shop_document();
  EXPECT_TRUE(has(doc, op("/items/{id}", "get")));
  EXPECT_TRUE(has(doc, op("/items/{id}", "put")));
  EXPECT_TRUE(has(doc, op("/items", "get")));
  EXPECT_TRUE(has(doc, op("/items", "post")));
  EXPECT_TRUE(has(doc, op("/raw/{rest}", "get")));
  for (const auto& kv : at(doc, "/paths").as_object()) {
    EXPECT_EQ(std::string(kv.key()).find(':'), std::string::npos) << kv.key();
  }
}

TEST(OpenApiPaths, ExcludedRoutesAndTheDocsRoutesAreAbsent) {
  const json::value doc = shop_document();
  EXPECT_FALSE(has(doc, "/paths/" + token("/internal")));
  EXPECT_FALSE(has(doc, "/paths/" + token("/openapi.json")));
  EXPECT_FALSE(has(doc, "/paths/" + token("/docs")));
  EXPECT_FALSE(has(doc, "/paths/" + token("/docs/swagger-initializer.js")));
  EXPECT_FALSE(has(doc, "/paths/" + token("/docs/swagger-ui-bundle.js")));
  // Left out of the document, still served.
  App app;
  build_shop(app);
  TestClient client(app);
  EXPECT_EQ(client.get("/internal").send().status(), 200);
}

// ---- operations -------------------------------------------------------------------------------------------------

TEST(OpenApiOperations, TagsSummaryDescriptionAndDeprecated) {
  const json::value doc = shop_document();
  const std::string read = op("/items/{id}", "get");
  EXPECT_EQ(at(doc, read + "/tags"), js(R"(["items"])"));
  EXPECT_EQ(at(doc, read + "/summary"), "Read an item");
  EXPECT_EQ(at(doc, read + "/description"), "Reads one item by its id.");
  EXPECT_FALSE(has(doc, read + "/deprecated"));
  EXPECT_EQ(at(doc, op("/legacy", "get") + "/deprecated"), true);
  EXPECT_EQ(at(doc, op("/legacy", "get") + "/summary"), "The old way");
  // A route without tags or texts has none of those keys.
  EXPECT_FALSE(has(doc, op("/ping", "get") + "/tags"));
  EXPECT_FALSE(has(doc, op("/ping", "get") + "/summary"));
  EXPECT_FALSE(has(doc, op("/ping", "get") + "/description"));
  // The tags of include_router come before the route's own.
  EXPECT_EQ(at(doc, op("/admin/stats", "get") + "/tags"), js(R"(["admin","stats"])"));
}

TEST(OpenApiOperations, OperationIdsAreTheRouteNamesAndUnique) {
  const json::value doc = shop_document();
  EXPECT_EQ(at(doc, op("/items/{id}", "get") + "/operationId"), "get_items_id");
  EXPECT_EQ(at(doc, op("/items/{id}", "put") + "/operationId"), "put_items_id");
  EXPECT_EQ(at(doc, op("/items", "get") + "/operationId"), "list_items");
  EXPECT_EQ(at(doc, op("/items", "post") + "/operationId"), "post_items");
  EXPECT_EQ(at(doc, op("/raw/{rest}", "get") + "/operationId"), "get_raw_rest");
  EXPECT_EQ(at(doc, op("/admin/stats", "get") + "/operationId"), "get_admin_stats");
  std::set<std::string> ids;
  std::size_t operations = 0;
  for (const auto& path : at(doc, "/paths").as_object()) {
    for (const auto& method : path.value().as_object()) {
      ++operations;
      ids.insert(std::string(method.value().at("operationId").as_string()));
    }
  }
  EXPECT_EQ(ids.size(), operations);
}

TEST(OpenApiOperations, DuplicateNamesGetASuffix) {
  App app;
  app.router().get("/a", [] { return 1; }).name("fetch");
  app.router().get("/b", [] { return 2; }).name("fetch");
  app.router().get("/c", [] { return 3; }).name("fetch");
  const json::value doc = document_of(app);
  EXPECT_EQ(at(doc, op("/a", "get") + "/operationId"), "fetch");
  EXPECT_EQ(at(doc, op("/b", "get") + "/operationId"), "fetch_2");
  EXPECT_EQ(at(doc, op("/c", "get") + "/operationId"), "fetch_3");
}

// ---- parameters ---------------------------------------------------------------------------------------------------

TEST(OpenApiParameters, PathParameterIsRequiredWithTheSchemaOfItsType) {
  const json::value doc = shop_document();
  const json::value& id = param(doc, op("/items/{id}", "get"), "path", "id");
  EXPECT_EQ(id.at("required"), true);
  EXPECT_EQ(id.at("description"), "The item's id");
  EXPECT_EQ(id.at("schema").at("type"), "integer");
  EXPECT_EQ(id.at("schema").at("format"), "int64");
  EXPECT_EQ(id.at("schema").at("minimum"), 1);
  const json::value& put_id = param(doc, op("/items/{id}", "put"), "path", "id");
  EXPECT_EQ(put_id.at("schema"), js(R"({"type":"integer","format":"int32"})"));
  EXPECT_EQ(count_params(doc, op("/items/{id}", "get"), "path", "id"), 1u);
}

TEST(OpenApiParameters, QueryRequiredOptionalAndDefault) {
  const json::value doc = shop_document();
  const std::string list = op("/items", "get");
  const json::value& limit = param(doc, list, "query", "limit");
  EXPECT_EQ(limit.at("required"), false);
  EXPECT_EQ(limit.at("schema"), js(R"({"type":"integer","format":"int32","minimum":1,"maximum":50,"default":10})"));

  const json::value& q = param(doc, list, "query", "q");
  EXPECT_EQ(q.at("required"), false);
  // Its lengths constrain the string, not the null (FastAPI's shape).
  EXPECT_EQ(q.at("schema").at("anyOf"), js(R"([{"type":"string","minLength":2,"maxLength":20},{"type":"null"}])"))
      << json::serialize(q.at("schema"));
  EXPECT_FALSE(q.at("schema").as_object().contains("minLength"));
  EXPECT_FALSE(q.at("schema").as_object().contains("default"));

  const json::value& sort = param(doc, list, "query", "sort");
  EXPECT_EQ(sort.at("required"), true);
  EXPECT_EQ(sort.at("schema"), js(R"({"type":"string","pattern":"^(name|qty)$"})"));

  const json::value& status = param(doc, list, "query", "status");
  EXPECT_EQ(status.at("required"), false);
  EXPECT_EQ(status.at("schema"), js(R"({"$ref":"#/components/schemas/Status","default":"active"})"));

  const json::value& in_stock = param(doc, list, "query", "in_stock");
  EXPECT_EQ(in_stock.at("required"), false);
  EXPECT_EQ(in_stock.at("schema"), js(R"({"type":"boolean","default":false})"));

  // In the handler's order.
  std::vector<std::string> names;
  for (const auto& p : at(doc, list + "/parameters").as_array()) names.emplace_back(p.at("name").as_string());
  EXPECT_EQ(names, (std::vector<std::string>{"limit", "q", "sort", "tag", "status", "max_price", "in_stock"}));
}

TEST(OpenApiParameters, ListParameterIsAnArrayOfItemsWithTheLengthsOnTheList) {
  const json::value doc = shop_document();
  const json::value& tag = param(doc, op("/items", "get"), "query", "tag");
  EXPECT_EQ(tag.at("required"), false);
  EXPECT_EQ(tag.at("schema"), js(R"({"type":"array","items":{"type":"integer","format":"int32","exclusiveMinimum":0},
                                      "minItems":1,"maxItems":3})"));
}

TEST(OpenApiParameters, RulesBecomeSchemaKeywords) {
  const json::value doc = shop_document();
  const std::string list = op("/items", "get");
  const json::value& max = param(doc, list, "query", "max_price");
  EXPECT_EQ(max.at("required"), true);
  EXPECT_EQ(max.at("schema"), js(R"({"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1000})"));
  const json::value& q = param(doc, list, "query", "q");
  EXPECT_EQ(keyword(q.at("schema"), "minLength"), 2) << json::serialize(q);
  EXPECT_EQ(keyword(q.at("schema"), "maxLength"), 20) << json::serialize(q);
}

TEST(OpenApiParameters, HeadersUseTheWireNameAndCookies) {
  const json::value doc = shop_document();
  const std::string who = op("/whoami", "get");
  const json::value& ua = param(doc, who, "header", "user-agent");
  EXPECT_EQ(ua.at("required"), true);
  EXPECT_EQ(ua.at("schema"), js(R"({"type":"string"})"));
  EXPECT_EQ(count_params(doc, who, "header", "user_agent"), 0u);
  const json::value& count = param(doc, who, "header", "x-count");
  EXPECT_EQ(count.at("required"), false);
  EXPECT_EQ(count.at("schema"), js(R"({"anyOf":[{"type":"integer","format":"int32"},{"type":"null"}]})"));
  // A name that already has a hyphen is kept as written.
  EXPECT_EQ(param(doc, who, "header", "X-Request-Token").at("required"), true);

  const json::value& session = param(doc, who, "cookie", "session");
  EXPECT_EQ(session.at("required"), false);
  EXPECT_EQ(session.at("schema"), js(R"({"type":"string","default":"none"})"));
  const json::value& theme = param(doc, who, "cookie", "theme");
  EXPECT_EQ(theme.at("required"), false);
}

TEST(OpenApiParameters, RawHandlerDocumentsTemplateParametersAsStrings) {
  const json::value doc = shop_document();
  EXPECT_EQ(param(doc, op("/raw/{rest}", "get"), "path", "rest"),
            js(R"({"name":"rest","in":"path","required":true,"schema":{"type":"string"}})"));
}

TEST(OpenApiParameters, RoutesWithoutInputHaveNoParameters) {
  const json::value doc = shop_document();
  EXPECT_FALSE(has(doc, op("/ping", "get") + "/parameters"));
  EXPECT_FALSE(has(doc, op("/counter", "get") + "/parameters"));  // State, Request, Response
  EXPECT_FALSE(has(doc, op("/items", "post") + "/parameters"));   // a body only
}

// Providers (Depends<T>), providers they depend on, route dependencies and router dependencies.
void build_dependent(App& app) {
  app.provide<oa_doc::Pager>([](Query<int, "page", Default<1>, Min<1>> page, Query<int, "size", Default<20>, Max<100>> size) {
    return oa_doc::Pager{*page, *size};
  });
  app.provide<oa_doc::Session>([](Depends<oa_doc::Pager> pager, Header<std::string, "x_api_key"> key) {
    return oa_doc::Session{*key + std::to_string(pager->page)};
  });
  app.provide<oa_doc::Clock>([] { return oa_doc::Clock{42}; });
  Router& r = app.router();
  r.get("/paged", [](Depends<oa_doc::Pager> p) { return p->page; });
  r.get("/session", [](Depends<oa_doc::Session> s) { return s->key; });
  r.get("/both", [](Depends<oa_doc::Pager> p, Query<int, "page", Default<1>, Min<1>> page) { return p->page + *page; });
  r.get("/guarded", [] { return 1; })
      .dependencies({dependency([](Header<std::string, "x_token"> token) {
        if (token->empty()) throw HttpError(401, "no token");
      })});
  r.get("/clock", [](Depends<oa_doc::Clock> c) { return c->now; });

  Router admin;
  admin.get("/report", [] { return 2; });
  app.include_router(admin, IncludeOptions{.prefix = "/admin",
                                           .tags = {},
                                           .dependencies = {dependency([](Cookie<std::string, "admin_session"> s) {
                                             if (s->empty()) throw HttpError(403, "no");
                                           })}});
}

TEST(OpenApiParameters, ProviderParametersAppearOnTheRoute) {
  App app;
  build_dependent(app);
  const json::value doc = document_of(app);
  const json::value& page = param(doc, op("/paged", "get"), "query", "page");
  EXPECT_EQ(page.at("required"), false);
  EXPECT_EQ(page.at("schema"), js(R"({"type":"integer","format":"int32","minimum":1,"default":1})"));
  EXPECT_EQ(param(doc, op("/paged", "get"), "query", "size").at("schema").at("maximum"), 100);
  EXPECT_TRUE(has(doc, op("/paged", "get") + "/responses/422"));
}

TEST(OpenApiParameters, ParametersOfProvidersOfProvidersAppearToo) {
  App app;
  build_dependent(app);
  const json::value doc = document_of(app);
  const std::string session = op("/session", "get");
  EXPECT_EQ(param(doc, session, "header", "x-api-key").at("required"), true);
  EXPECT_EQ(count_params(doc, session, "query", "page"), 1u);
  EXPECT_EQ(count_params(doc, session, "query", "size"), 1u);
  EXPECT_TRUE(has(doc, session + "/responses/422"));
}

TEST(OpenApiParameters, RouteAndRouterDependencyParametersAppear) {
  App app;
  build_dependent(app);
  const json::value doc = document_of(app);
  EXPECT_EQ(param(doc, op("/guarded", "get"), "header", "x-token").at("required"), true);
  EXPECT_TRUE(has(doc, op("/guarded", "get") + "/responses/422"));
  EXPECT_EQ(param(doc, op("/admin/report", "get"), "cookie", "admin_session").at("required"), true);
  EXPECT_TRUE(has(doc, op("/admin/report", "get") + "/responses/422"));
}

TEST(OpenApiParameters, AParameterReadTwiceIsListedOnce) {
  App app;
  build_dependent(app);
  const json::value doc = document_of(app);
  EXPECT_EQ(count_params(doc, op("/both", "get"), "query", "page"), 1u);
  EXPECT_EQ(count_params(doc, op("/both", "get"), "query", "size"), 1u);
}

TEST(OpenApiParameters, AProviderWithoutInputAddsNothing) {
  App app;
  build_dependent(app);
  const json::value doc = document_of(app);
  EXPECT_FALSE(has(doc, op("/clock", "get") + "/parameters"));
  EXPECT_FALSE(has(doc, op("/clock", "get") + "/responses/422"));
}

// ---- request bodies ---------------------------------------------------------------------------------------------

TEST(OpenApiRequestBody, JsonBodyReferencesItsComponent) {
  const json::value doc = shop_document();
  EXPECT_EQ(at(doc, op("/items", "post") + "/requestBody"),
            js(R"({"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Item"}}}})"));
  EXPECT_TRUE(has(doc, "/components/schemas/Item"));
}

TEST(OpenApiRequestBody, OptionalBodyIsNotRequired) {
  const json::value doc = shop_document();
  const std::string put = op("/items/{id}", "put");
  EXPECT_EQ(at(doc, put + "/requestBody/required"), false);
  EXPECT_EQ(at(doc, put + "/requestBody/content/application~1json/schema"),
            js(R"({"anyOf":[{"$ref":"#/components/schemas/Item"},{"type":"null"}]})"));
}

TEST(OpenApiRequestBody, FormBodyIsUrlencoded) {
  const json::value doc = shop_document();
  EXPECT_EQ(at(doc, op("/login", "post") + "/requestBody"),
            js(R"({"required":true,"content":{"application/x-www-form-urlencoded":
                   {"schema":{"$ref":"#/components/schemas/LoginForm"}}}})"));
  EXPECT_EQ(at(doc, "/components/schemas/LoginForm/required"), js(R"(["username","password"])"));
  EXPECT_EQ(at(doc, "/components/schemas/LoginForm/properties/username/minLength"), 3);
}

TEST(OpenApiRequestBody, ABodyReadByAProviderIsDocumented) {
  App app;
  app.provide<oa_doc::Session>([](Body<Item> item) { return oa_doc::Session{item->name}; });
  app.router().post("/sessions", [](Depends<oa_doc::Session> s) { return s->key; });
  TestClient client(app);
  // The provider does read the body...
  auto r = client.post("/sessions").json(R"({"name":"pen","qty":1})").send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.text(), "pen");
  // ...so the operation documents it, as FastAPI does for a dependency's body.
  const json::value doc = json::parse(app.openapi());
  EXPECT_TRUE(has(doc, op("/sessions", "post") + "/responses/422"));
  ASSERT_TRUE(has(doc, op("/sessions", "post") + "/requestBody")) << app.openapi();
  EXPECT_EQ(at(doc, op("/sessions", "post") + "/requestBody"),
            js(R"({"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Item"}}}})"));
}

TEST(OpenApiRequestBody, RoutesWithoutBodyHaveNone) {
  const json::value doc = shop_document();
  EXPECT_FALSE(has(doc, op("/items/{id}", "get") + "/requestBody"));
  EXPECT_FALSE(has(doc, op("/items", "get") + "/requestBody"));
  EXPECT_FALSE(has(doc, op("/ping", "get") + "/requestBody"));
}

// ---- responses ----------------------------------------------------------------------------------------------------

TEST(OpenApiResponses, SuccessIsTheRouteStatusWithTheResultSchema) {
  const json::value doc = shop_document();
  EXPECT_EQ(at(doc, op("/items/{id}", "get") + "/responses/200"),
            js(R"({"description":"Successful Response",
                   "content":{"application/json":{"schema":{"$ref":"#/components/schemas/Item"}}}})"));
  const std::string create = op("/items", "post");
  EXPECT_TRUE(has(doc, create + "/responses/201"));
  EXPECT_FALSE(has(doc, create + "/responses/200"));
  EXPECT_EQ(at(doc, create + "/responses/201/content/application~1json/schema"),
            js(R"({"$ref":"#/components/schemas/Item"})"));
  EXPECT_EQ(at(doc, op("/items", "get") + "/responses/200/content/application~1json/schema"),
            js(R"({"type":"array","items":{"$ref":"#/components/schemas/Item"}})"));
  EXPECT_EQ(at(doc, op("/counter", "get") + "/responses/200/content/application~1json/schema"),
            js(R"({"type":"integer","format":"int32"})"));
}

TEST(OpenApiResponses, VoidHandlerIs204WithoutContent) {
  const json::value doc = shop_document();
  const std::string put = op("/items/{id}", "put");
  EXPECT_EQ(at(doc, put + "/responses/204"), js(R"({"description":"Successful Response"})"));
  EXPECT_FALSE(has(doc, put + "/responses/200"));
}

// A handler that returns nothing but writes its answer through its Response& answers 200 with a body, as
// the Overseer's JSON endpoints do: documenting it as 204 would tell clients to expect no content.
TEST(OpenApiResponses, VoidHandlerThatTakesTheResponseIs200) {
  App app;
  app.router().get("/report", [](Response& res) { res.json_text(R"({"ok":true})"); });
  app.router().get("/later", [](Response& res) -> Task<void> {
    res.json_text("{}");
    co_return;
  });
  const json::value doc = document_of(app);
  for (const char* path : {"/report", "/later"}) {
    EXPECT_EQ(at(doc, op(path, "get") + "/responses/200"), js(R"({"description":"Successful Response"})")) << path;
    EXPECT_FALSE(has(doc, op(path, "get") + "/responses/204")) << path;
  }
}

TEST(OpenApiResponses, VoidHandlerWithAStatusHasThatStatusWithoutContent) {
  App app;
  app.router().post("/jobs", [] {}).status(202);
  app.router().get("/gone", [] { return Item{}; }).status(204);
  const json::value doc = document_of(app);
  EXPECT_EQ(at(doc, op("/jobs", "post") + "/responses"), js(R"({"202":{"description":"Successful Response"}})"));
  // A result with a status that forbids a body documents no content.
  EXPECT_EQ(at(doc, op("/gone", "get") + "/responses"), js(R"({"204":{"description":"Successful Response"}})"));
}

TEST(OpenApiResponses, TextAndHtmlResults) {
  const json::value doc = shop_document();
  EXPECT_EQ(at(doc, op("/ping", "get") + "/responses/200/content"),
            js(R"({"text/plain":{"schema":{"type":"string"}}})"));
  EXPECT_EQ(at(doc, op("/whoami", "get") + "/responses/200/content"),
            js(R"({"text/plain":{"schema":{"type":"string"}}})"));
  EXPECT_EQ(at(doc, op("/page", "get") + "/responses/200/content"), js(R"({"text/html":{"schema":{"type":"string"}}})"));
  EXPECT_EQ(at(doc, op("/login", "post") + "/responses/200/content"),
            js(R"({"text/html":{"schema":{"type":"string"}}})"));
}

TEST(OpenApiResponses, DeclaredErrorsReferenceHTTPError) {
  const json::value doc = shop_document();
  EXPECT_EQ(at(doc, op("/items/{id}", "get") + "/responses/404"),
            js(R"({"description":"Item not found",
                   "content":{"application/json":{"schema":{"$ref":"#/components/schemas/HTTPError"}}}})"));
  EXPECT_EQ(at(doc, "/components/schemas/HTTPError"),
            js(R"({"type":"object","properties":{"detail":{"type":"string","title":"Detail"}},
                   "required":["detail"],"title":"HTTPError"})"));
}

TEST(OpenApiResponses, ValidationErrorOnlyWhereInputCanFail) {
  const json::value doc = shop_document();
  const json::value validation = js(R"({"description":"Validation Error",
      "content":{"application/json":{"schema":{"$ref":"#/components/schemas/HTTPValidationError"}}}})");
  for (const auto& [path, method] : std::vector<std::pair<std::string, std::string>>{{"/items/{id}", "get"},
                                                                                     {"/items", "get"},
                                                                                     {"/items", "post"},
                                                                                     {"/items/{id}", "put"},
                                                                                     {"/login", "post"},
                                                                                     {"/whoami", "get"}}) {
    EXPECT_EQ(at(doc, op(path, method) + "/responses/422"), validation) << method << " " << path;
  }
  for (const auto& [path, method] : std::vector<std::pair<std::string, std::string>>{{"/ping", "get"},
                                                                                     {"/page", "get"},
                                                                                     {"/raw/{rest}", "get"},
                                                                                     {"/counter", "get"},
                                                                                     {"/legacy", "get"},
                                                                                     {"/admin/stats", "get"}}) {
    EXPECT_FALSE(has(doc, op(path, method) + "/responses/422")) << method << " " << path;
  }
  EXPECT_TRUE(has(doc, "/components/schemas/HTTPValidationError"));
  EXPECT_EQ(at(doc, "/components/schemas/HTTPValidationError/properties/detail/items"),
            js(R"({"$ref":"#/components/schemas/ValidationError"})"));
  EXPECT_EQ(at(doc, "/components/schemas/ValidationError/required"), js(R"(["loc","msg","type"])"));
}

TEST(OpenApiResponses, DocumentedErrorBodyMatchesWhatTheRouteSends) {
  // /health/ready documents its 503; the body it then sends must fit the documented schema.
  App app;
  app.health().add("db", [] { return HealthStatus::failing("down"); });
  TestClient client(app);
  auto r = client.get("/health/ready").send();
  ASSERT_EQ(r.status(), 503);
  const json::value body = r.json();
  const json::value doc = json::parse(app.openapi());
  const json::value& schema = at(doc, op("/health/ready", "get") + "/responses/503/content/application~1json/schema");
  ASSERT_TRUE(schema.is_object() && schema.as_object().contains("$ref")) << json::serialize(schema);
  const std::string ref(schema.at("$ref").as_string());
  for (const auto& name : at(doc, ref.substr(1) + "/required").as_array()) {
    const std::string key(name.as_string());
    EXPECT_TRUE(body.as_object().contains(key))
        << "503 of /health/ready is documented as " << ref << ", which requires '" << key
        << "', but the body is " << r.text();
  }
}

TEST(OpenApiResponses, NoErrorComponentsWithoutErrorsOrInput) {
  AppSettings settings;
  settings.health_endpoints = false;  // /health/ready declares a 503
  App app(settings);
  app.router().get("/ping", [] { return std::string("pong"); });
  app.router().get("/count", [] { return 1; });
  const json::value doc = document_of(app);
  EXPECT_FALSE(has(doc, "/components")) << json::serialize(doc);
  EXPECT_EQ(at(doc, op("/ping", "get") + "/responses"),
            js(R"({"200":{"description":"Successful Response","content":{"text/plain":{"schema":{"type":"string"}}}}})"));
}

// ---- the document as a whole ------------------------------------------------------------------------------------

TEST(OpenApiDocument, ByteIdenticalForTwoAppsBuiltTheSameWay) {
  App first;
  build_shop(first);
  build_dependent(first);
  first.freeze();
  App second;
  build_shop(second);
  build_dependent(second);
  TestClient client(second);
  ASSERT_FALSE(first.openapi().empty());
  EXPECT_EQ(first.openapi(), second.openapi());
  const std::string before = second.openapi();
  second.freeze();  // idempotent
  EXPECT_EQ(second.openapi(), before);
}

TEST(OpenApiDocument, ComponentsAreSortedAndEveryReferenceResolves) {
  App app;
  build_shop(app);
  build_dependent(app);
  const json::value doc = document_of(app);
  std::vector<std::string> names;
  for (const auto& kv : at(doc, "/components/schemas").as_object()) names.emplace_back(kv.key());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const std::string& ref : references(doc)) {
    ASSERT_EQ(ref.rfind("#/components/schemas/", 0), 0u) << ref;
    EXPECT_TRUE(has(doc, ref.substr(1))) << ref;
  }
}

// The app's sign-in schemes are documented once, and every operation that needs a principal lists them, so
// that Swagger UI offers its Authorize button; open operations list none.
TEST(OpenApiSecurity, OperationsThatNeedAPrincipalListTheAppsSchemes) {
  App app;
  app.add_security_scheme("HTTPBearer", R"({"type":"http","scheme":"bearer"})");
  app.add_security_scheme("SessionCookie", R"({"type":"apiKey","in":"cookie","name":"sid"})");
  app.router().get("/open", [] { return std::string("hi"); });
  app.router().get("/me", [](Depends<Principal> p) { return p->name; });
  app.router().get("/orders", [] { return std::string("[]"); }).dependencies({require_permission("orders.view")});
  const json::value doc = document_of(app);
  EXPECT_EQ(at(doc, "/components/securitySchemes"),
            js(R"({"HTTPBearer":{"type":"http","scheme":"bearer"},)"
               R"("SessionCookie":{"type":"apiKey","in":"cookie","name":"sid"}})"));
  const json::value either = js(R"([{"HTTPBearer":[]},{"SessionCookie":[]}])");
  EXPECT_EQ(at(doc, op("/me", "get") + "/security"), either);
  EXPECT_EQ(at(doc, op("/orders", "get") + "/security"), either);
  EXPECT_FALSE(has(doc, op("/open", "get") + "/security"));
  EXPECT_FALSE(has(doc, "/security")) << "no document-wide requirement: most apps have open routes";
}

// With a cookie scheme that checks a CSRF token, every unsafe operation documents the 403 its refusal
// answers (the session layer checks any request carrying the cookie); safe operations do not.
TEST(OpenApiSecurity, UnsafeGuardedOperationsDocumentTheCsrfRefusal) {
  App app;
  app.add_security_scheme("SessionCookie", R"({"type":"apiKey","in":"cookie","name":"sid",)"
                                           R"("x-aegis-csrf":{"cookie":"csrf","header":"X-CSRF-Token"}})");
  app.router().post("/me", [](Depends<Principal> p) { return p->name; });
  app.router().del("/orders/{id}", [](Path<int, "id"> id) { return *id; }).dependencies({require_permission("orders.manage")});
  app.router().get("/orders", [] { return std::string("[]"); }).dependencies({require_permission("orders.view")});
  app.router().post("/open", [] { return std::string("ok"); });
  const json::value doc = document_of(app);
  EXPECT_EQ(at(doc, op("/me", "post") + "/responses/403/description"),
            js(R"("A request signed in with the session cookie needs X-CSRF-Token and must come from the app's own origin")"));
  EXPECT_EQ(at(doc, op("/orders/{id}", "delete") + "/responses/403/description"),
            js(R"("Requires the permission orders.manage; a request signed in with the session cookie needs )"
               R"(X-CSRF-Token and must come from the app's own origin")"));
  EXPECT_EQ(at(doc, op("/orders", "get") + "/responses/403/description"), js(R"("Requires the permission orders.view")"));
  EXPECT_EQ(at(doc, op("/open", "post") + "/responses/403/description"),
            js(R"("A request signed in with the session cookie needs X-CSRF-Token and must come from the app's own origin")"));
  App plain;  // no such scheme: nothing about CSRF
  plain.router().post("/open", [] { return std::string("ok"); });
  EXPECT_FALSE(has(document_of(plain), op("/open", "post") + "/responses/403"));
}

TEST(OpenApiSecurity, WithoutDeclaredSchemesNothingIsClaimed) {
  App app;
  app.router().get("/me", [](Depends<Principal> p) { return p->name; });
  const json::value doc = document_of(app);
  EXPECT_TRUE(has(doc, op("/me", "get") + "/responses/401"));
  EXPECT_FALSE(has(doc, op("/me", "get") + "/security"));
  EXPECT_FALSE(has(doc, "/components/securitySchemes"));
}

TEST(OpenApiSecurity, MalformedDeclarationsAreRefused) {
  App app;
  app.add_security_scheme("HTTPBearer", R"({"type":"http","scheme":"bearer"})");
  EXPECT_THROW(app.add_security_scheme("HTTPBearer", R"({"type":"http","scheme":"basic"})"), std::invalid_argument);
  EXPECT_THROW(app.add_security_scheme("", R"({"type":"http"})"), std::invalid_argument);
  EXPECT_THROW(app.add_security_scheme("Broken", R"({"type":)"), std::invalid_argument);
  EXPECT_THROW(app.add_security_scheme("List", R"(["bearer"])"), std::invalid_argument);
  app.freeze();
  EXPECT_THROW(app.add_security_scheme("Late", R"({"type":"http","scheme":"bearer"})"), std::logic_error);
}

TEST(OpenApiDocument, EmptyBeforeFreeze) {
  App app;
  build_shop(app);
  EXPECT_TRUE(app.openapi().empty());
}

// ---- where it is served -------------------------------------------------------------------------------------------

TEST(OpenApiServe, DocumentAtOpenapiJsonAsJson) {
  App app;
  build_shop(app);
  TestClient client(app);
  auto r = client.get("/openapi.json").send();
  EXPECT_EQ(r.status(), 200);
  ASSERT_TRUE(r.header("content-type").has_value());
  EXPECT_EQ(r.header("content-type")->rfind("application/json", 0), 0u) << *r.header("content-type");
  EXPECT_EQ(r.text(), app.openapi());
  EXPECT_NO_THROW((void)json::parse(r.text()));
}

TEST(OpenApiServe, CustomOpenapiUrl) {
  AppSettings settings;
  settings.openapi_url = "/api/v1/schema.json";
  App app(settings);
  build_shop(app);
  TestClient client(app);
  auto r = client.get("/api/v1/schema.json").send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.text(), app.openapi());
  EXPECT_EQ(client.get("/openapi.json").send().status(), 404);
  const json::value doc = json::parse(r.text());
  EXPECT_FALSE(has(doc, "/paths/" + token("/api/v1/schema.json")));
}

TEST(OpenApiServe, EmptyOpenapiUrlTurnsOffTheDocumentAndTheDocs) {
  AppSettings settings;
  settings.openapi_url = "";
  App app(settings);
  build_shop(app);
  TestClient client(app);
  EXPECT_TRUE(app.openapi().empty());
  EXPECT_EQ(client.get("/openapi.json").send().status(), 404);
  EXPECT_EQ(client.get("/docs").send().status(), 404);
  EXPECT_EQ(client.get("/docs/swagger-initializer.js").send().status(), 404);
  EXPECT_EQ(client.get("/docs/swagger-ui-bundle.js").send().status(), 404);
  EXPECT_EQ(client.get("/ping").send().status(), 200);
}

TEST(OpenApiServe, MalformedUrlsFailAtFreeze) {
  {
    AppSettings settings;
    settings.openapi_url = "openapi.json";
    App app(settings);
    EXPECT_THROW(app.freeze(), std::invalid_argument);
  }
  {
    AppSettings settings;
    settings.docs_url = "/docs/";
    App app(settings);
    EXPECT_THROW(app.freeze(), std::invalid_argument);
  }
}

}  // namespace
