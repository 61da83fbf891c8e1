// components/schemas: the JSON Schema of described structs and enums as the document names and references
// them.
#include <aegis/aegis.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/describe.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "openapi_fixtures.hpp"

namespace oa_schema {

enum class Level { low, mid, high };
BOOST_DESCRIBE_ENUM(Level, low, mid, high)

struct Address {
  std::string city;
  std::optional<std::string> zip;
};
BOOST_DESCRIBE_STRUCT(Address, (), (city, zip))

struct Product {
  std::string name;
  int qty = 0;
  std::optional<double> price;
  std::vector<std::string> tags;
  std::map<std::string, int> stock;
  Level level = Level::low;
  Address address;
  std::vector<Address> branches;
  aegis::Uuid id;
  aegis::Date released;
  aegis::DateTime updated;
  std::string note;
  std::int64_t big = 0;
  bool active = false;
  std::optional<Address> shipping;
  aegis::Json extra;
};
BOOST_DESCRIBE_STRUCT(Product, (),
                      (name, qty, price, tags, stock, level, address, branches, id, released, updated, note, big,
                       active, shipping, extra))
AEGIS_FIELD_RULES(Product, (name, aegis::MinLength<1>, aegis::MaxLength<50>, aegis::Pattern<"^[A-Za-z ]+$">),
                  (qty, aegis::Min<0>, aegis::Max<1000>), (tags, aegis::MinLength<1>, aegis::MaxLength<5>),
                  (price, aegis::Gt<0>), (note, aegis::Optional, aegis::Description<"Free text">),
                  (extra, aegis::Optional))

struct Category {
  std::string name;
  std::vector<Category> children;
};
BOOST_DESCRIBE_STRUCT(Category, (), (name, children))

struct Folder;
struct Document {
  std::string title;
  std::vector<Folder> parents;
};
BOOST_DESCRIBE_STRUCT(Document, (), (title, parents))
struct Folder {
  std::string name;
  std::vector<Document> documents;
};
BOOST_DESCRIBE_STRUCT(Folder, (), (name, documents))

struct Stamped {
  aegis::DateTime created;
};
BOOST_DESCRIBE_STRUCT(Stamped, (), (created))
struct Note : Stamped {
  std::string text;
};
BOOST_DESCRIBE_STRUCT(Note, (Stamped), (text))

namespace ledger {
struct Account {
  std::string iban;
};
BOOST_DESCRIBE_STRUCT(Account, (), (iban))
}  // namespace ledger

namespace crm {
struct Account {
  std::string customer;
};
BOOST_DESCRIBE_STRUCT(Account, (), (customer))
}  // namespace crm

struct Accounts {
  ledger::Account ledger_account;
  crm::Account crm_account;
};
BOOST_DESCRIBE_STRUCT(Accounts, (), (ledger_account, crm_account))

template <class T>
struct Page {
  std::vector<T> items;
  int total = 0;
  BOOST_DESCRIBE_CLASS(Page, (), (items, total), (), ())
};

// A domain type that happens to share its name with a schema the document adds itself.
struct ValidationError {
  std::string field;
  std::string problem;
};
BOOST_DESCRIBE_STRUCT(ValidationError, (), (field, problem))

// Rules on lists, maps and optional lists: lengths count the items, bounds and patterns check each item.
struct Basket {
  std::vector<int> counts;
  std::map<std::string, int> stock;
  std::optional<std::vector<std::string>> codes;
};
BOOST_DESCRIBE_STRUCT(Basket, (), (counts, stock, codes))
AEGIS_FIELD_RULES(Basket, (counts, aegis::Max<99>, aegis::MaxLength<3>), (stock, aegis::MinLength<1>),
                  (codes, aegis::Pattern<"^[A-Z]+$">))

}  // namespace oa_schema

namespace {

using namespace aegis;
using namespace aegis::openapi_test;
using namespace oa_schema;

json::value catalog_document() {
  App app;
  Router& r = app.router();
  r.post("/products", [](Body<Product> p) { return *p; });
  r.get("/categories", [] { return Category{}; });
  r.get("/folders", [] { return Folder{}; });
  r.get("/notes", [] { return Note{}; });
  r.get("/accounts", [] { return Accounts{}; });
  r.get("/pages", [] { return Page<Product>{}; });
  r.get("/by-name", [] { return std::map<std::string, Address>{}; });
  r.put("/bulk", [](Body<std::vector<Address>> all) { return all->size(); });
  r.post("/any", [](Body<Json> body) { return *body; });
  r.get("/levels", [](Query<std::vector<Level>, "level"> levels) { return levels->size(); });
  return document_of(app);
}

const std::string kSchemas = "/components/schemas/";

TEST(OpenApiSchemas, DescribedStructHasPropertiesAndRequiredMembers) {
  const json::value doc = catalog_document();
  const json::value& product = at(doc, kSchemas + "Product");
  EXPECT_EQ(product.at("type"), "object");
  EXPECT_EQ(product.at("title"), "Product");
  EXPECT_EQ(product.at("required"), js(R"(["name","qty","tags","stock","level","address","branches","id",
                                            "released","updated","big","active"])"));
  std::vector<std::string> names;
  for (const auto& kv : product.at("properties").as_object()) names.emplace_back(kv.key());
  EXPECT_EQ(names, (std::vector<std::string>{"name", "qty", "price", "tags", "stock", "level", "address", "branches",
                                             "id", "released", "updated", "note", "big", "active", "shipping",
                                             "extra"}));
}

TEST(OpenApiSchemas, ScalarsAndFormats) {
  const json::value doc = catalog_document();
  const std::string p = kSchemas + "Product/properties/";
  EXPECT_EQ(at(doc, p + "id"), js(R"({"type":"string","format":"uuid"})"));
  EXPECT_EQ(at(doc, p + "released"), js(R"({"type":"string","format":"date"})"));
  EXPECT_EQ(at(doc, p + "updated"), js(R"({"type":"string","format":"date-time"})"));
  EXPECT_EQ(at(doc, p + "big"), js(R"({"type":"integer","format":"int64"})"));
  EXPECT_EQ(at(doc, p + "active"), js(R"({"type":"boolean"})"));
  EXPECT_EQ(at(doc, p + "extra"), js(R"({})"));
}

TEST(OpenApiSchemas, MemberRules) {
  const json::value doc = catalog_document();
  const std::string p = kSchemas + "Product/properties/";
  EXPECT_EQ(at(doc, p + "name"), js(R"({"type":"string","minLength":1,"maxLength":50,"pattern":"^[A-Za-z ]+$"})"));
  EXPECT_EQ(at(doc, p + "qty"), js(R"({"type":"integer","format":"int32","minimum":0,"maximum":1000})"));
  EXPECT_EQ(at(doc, p + "tags"), js(R"({"type":"array","items":{"type":"string"},"minItems":1,"maxItems":5})"));
  EXPECT_EQ(at(doc, p + "note"), js(R"({"type":"string","description":"Free text"})"));
  const json::value& price = at(doc, p + "price");
  const bool on_top = price.as_object().contains("exclusiveMinimum");
  const bool in_branch = has(price, "/anyOf/0/exclusiveMinimum");
  EXPECT_TRUE(on_top || in_branch) << json::serialize(price);
}

TEST(OpenApiSchemas, RulesOnListsAndMapsAreDocumentedAndCheckedWhereTheyApply) {
  App app;
  app.router().post("/basket", [](Body<Basket> b) { return b->counts.size(); });
  app.router().post("/ids", [](Body<std::vector<int>, MinLength<1>, Max<9>> ids) { return ids->size(); });
  const json::value doc = document_of(app);
  const std::string p = kSchemas + "Basket/properties/";
  EXPECT_EQ(at(doc, p + "counts"),
            js(R"({"type":"array","items":{"type":"integer","format":"int32","maximum":99},"maxItems":3})"));
  EXPECT_EQ(at(doc, p + "stock"),
            js(R"({"type":"object","additionalProperties":{"type":"integer","format":"int32"},"minProperties":1})"));
  EXPECT_EQ(at(doc, p + "codes"),
            js(R"({"anyOf":[{"type":"array","items":{"type":"string","pattern":"^[A-Z]+$"}},{"type":"null"}]})"));
  EXPECT_EQ(at(doc, op("/ids", "post") + "/requestBody/content/application~1json/schema"),
            js(R"({"type":"array","items":{"type":"integer","format":"int32","maximum":9},"minItems":1})"));

  aegis::testing::TestClient client(app);
  EXPECT_EQ(client.post("/basket").json(R"({"counts":[1,2],"stock":{"a":1},"codes":["AB"]})").send().status(), 200);
  const auto bad = client.post("/basket").json(R"({"counts":[1,100,2,3],"stock":{},"codes":["AB","x"]})").send();
  ASSERT_EQ(bad.status(), 422) << bad.text();
  const std::string body = bad.text();
  EXPECT_NE(body.find(R"("loc":["body","counts",1],"msg":"Input should be less than or equal to 99")"), std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("loc":["body","counts"],"msg":"List should have at most 3 items after validation, not 4")"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("loc":["body","stock"],"msg":"Dictionary should have at least 1 item after validation, not 0")"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("loc":["body","codes",1],"msg":"String should match pattern '^[A-Z]+$'")"), std::string::npos)
      << body;
  const auto ids = client.post("/ids").json("[3,10]").send();
  EXPECT_EQ(ids.status(), 422) << ids.text();
  EXPECT_NE(ids.text().find(R"("loc":["body",1])"), std::string::npos) << ids.text();
  EXPECT_EQ(client.post("/ids").json("[]").send().status(), 422);
}

TEST(OpenApiSchemas, OptionalIsAnyOfWithNull) {
  const json::value doc = catalog_document();
  // A rule of an optional member constrains its non-null branch (price has Gt<0>), as FastAPI writes it.
  EXPECT_EQ(at(doc, kSchemas + "Product/properties/price/anyOf"),
            js(R"([{"type":"number","exclusiveMinimum":0},{"type":"null"}])"));
  EXPECT_EQ(at(doc, kSchemas + "Product/properties/shipping"),
            js(R"({"anyOf":[{"$ref":"#/components/schemas/Address"},{"type":"null"}]})"));
  EXPECT_EQ(at(doc, kSchemas + "Address"),
            js(R"({"type":"object","properties":{"city":{"type":"string"},
                   "zip":{"anyOf":[{"type":"string"},{"type":"null"}]}},"required":["city"],"title":"Address"})"));
}

TEST(OpenApiSchemas, NestedStructsVectorsAndMaps) {
  const json::value doc = catalog_document();
  const std::string p = kSchemas + "Product/properties/";
  EXPECT_EQ(at(doc, p + "address"), js(R"({"$ref":"#/components/schemas/Address"})"));
  EXPECT_EQ(at(doc, p + "branches"), js(R"({"type":"array","items":{"$ref":"#/components/schemas/Address"}})"));
  EXPECT_EQ(at(doc, p + "stock"), js(R"({"type":"object","additionalProperties":{"type":"integer","format":"int32"}})"));
  EXPECT_EQ(at(doc, op("/by-name", "get") + "/responses/200/content/application~1json/schema"),
            js(R"({"type":"object","additionalProperties":{"$ref":"#/components/schemas/Address"}})"));
  EXPECT_EQ(at(doc, op("/bulk", "put") + "/requestBody/content/application~1json/schema"),
            js(R"({"type":"array","items":{"$ref":"#/components/schemas/Address"}})"));
  EXPECT_EQ(at(doc, op("/any", "post") + "/requestBody/content/application~1json/schema"), js(R"({})"));
}

TEST(OpenApiSchemas, EnumsAreStringEnums) {
  const json::value doc = catalog_document();
  EXPECT_EQ(at(doc, kSchemas + "Level"), js(R"({"type":"string","enum":["low","mid","high"],"title":"Level"})"));
  EXPECT_EQ(at(doc, kSchemas + "Product/properties/level"), js(R"({"$ref":"#/components/schemas/Level"})"));
  EXPECT_EQ(param(doc, op("/levels", "get"), "query", "level").at("schema"),
            js(R"({"type":"array","items":{"$ref":"#/components/schemas/Level"}})"));
}

TEST(OpenApiSchemas, RecursiveStructsDoNotLoop) {
  const json::value doc = catalog_document();
  EXPECT_EQ(at(doc, kSchemas + "Category"),
            js(R"({"type":"object","properties":{"name":{"type":"string"},
                   "children":{"type":"array","items":{"$ref":"#/components/schemas/Category"}}},
                   "required":["name","children"],"title":"Category"})"));
  EXPECT_EQ(at(doc, kSchemas + "Folder/properties/documents/items"), js(R"({"$ref":"#/components/schemas/Document"})"));
  EXPECT_EQ(at(doc, kSchemas + "Document/properties/parents/items"), js(R"({"$ref":"#/components/schemas/Folder"})"));
}

TEST(OpenApiSchemas, BaseMembersAreProperties) {
  const json::value doc = catalog_document();
  EXPECT_EQ(at(doc, kSchemas + "Note/properties"),
            js(R"({"created":{"type":"string","format":"date-time"},"text":{"type":"string"}})"));
  EXPECT_EQ(at(doc, kSchemas + "Note/required"), js(R"(["created","text"])"));
}

TEST(OpenApiSchemas, SameNameInTwoNamespacesGetsDistinctNames) {
  const json::value doc = catalog_document();
  const json::value& ledger = at(doc, kSchemas + "Accounts/properties/ledger_account/$ref");
  const json::value& crm = at(doc, kSchemas + "Accounts/properties/crm_account/$ref");
  ASSERT_TRUE(ledger.is_string() && crm.is_string());
  EXPECT_NE(ledger, crm);
  EXPECT_FALSE(has(doc, kSchemas + "Account"));
  const std::string ledger_ref(ledger.as_string());
  const std::string crm_ref(crm.as_string());
  EXPECT_EQ(at(doc, ledger_ref.substr(1) + "/properties"), js(R"({"iban":{"type":"string"}})"));
  EXPECT_EQ(at(doc, crm_ref.substr(1) + "/properties"), js(R"({"customer":{"type":"string"}})"));
  EXPECT_EQ(ledger_ref, "#/components/schemas/oa_schema_ledger_Account");
  EXPECT_EQ(crm_ref, "#/components/schemas/oa_schema_crm_Account");
  EXPECT_EQ(at(doc, ledger_ref.substr(1) + "/title"), "Account");
}

TEST(OpenApiSchemas, ComponentNamesAreValidAndEveryReferenceResolves) {
  const json::value doc = catalog_document();
  const std::regex valid("^[a-zA-Z0-9._-]+$");  // OpenAPI 3.1, section 4.8.7.1
  for (const auto& kv : at(doc, "/components/schemas").as_object()) {
    EXPECT_TRUE(std::regex_match(std::string(kv.key()), valid)) << kv.key();
  }
  for (const std::string& ref : references(doc)) {
    ASSERT_EQ(ref.rfind("#/components/schemas/", 0), 0u) << ref;
    EXPECT_TRUE(has(doc, ref.substr(1))) << ref;
  }
  // A template's component: items of its argument's component.
  const json::value& page_ref = at(doc, op("/pages", "get") + "/responses/200/content/application~1json/schema/$ref");
  ASSERT_TRUE(page_ref.is_string());
  const std::string page(page_ref.as_string());
  EXPECT_EQ(at(doc, page.substr(1) + "/properties/items"),
            js(R"({"type":"array","items":{"$ref":"#/components/schemas/Product"}})"));
}

TEST(OpenApiSchemas, AUserTypeNamedLikeABuiltInSchemaKeepsItsSchema) {
  App app;
  app.router().get("/problems", [] { return std::vector<oa_schema::ValidationError>{}; });
  app.router().get("/items/{id}", [](Path<int, "id"> id) { return *id; });  // brings HTTPValidationError
  const json::value doc = document_of(app);
  const json::value& items = at(doc, op("/problems", "get") + "/responses/200/content/application~1json/schema/items");
  ASSERT_TRUE(items.is_object() && items.as_object().contains("$ref")) << json::serialize(items);
  const std::string user_ref(items.at("$ref").as_string());
  const std::string builtin_ref(at(doc, "/components/schemas/HTTPValidationError/properties/detail/items/$ref").as_string());
  EXPECT_NE(user_ref, builtin_ref) << "the user's ValidationError and the framework's share one component";
  EXPECT_EQ(at(doc, user_ref.substr(1) + "/properties"),
            js(R"({"field":{"type":"string"},"problem":{"type":"string"}})"));
  EXPECT_EQ(at(doc, builtin_ref.substr(1) + "/required"), js(R"(["loc","msg","type"])"));
}

}  // namespace
