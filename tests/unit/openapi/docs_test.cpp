// Swagger UI at /docs: the page, its initializer, the embedded files (gzip or plain), custom and disabled
// URLs, and that the default Content-Security-Policy lets the page run.
#include <aegis/aegis.hpp>
#include <aegis/middleware/gzip.hpp>
#include <aegis/testing/test_client.hpp>

#include <gtest/gtest.h>

#include <zlib.h>

#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace aegis;
using aegis::testing::TestClient;
using aegis::testing::TestResponse;

// Inflates a gzip stream; throws when it is not one.
std::string gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2");
  std::string out;
  std::vector<char> buf(1 << 16);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - zs.avail_out);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("not a complete gzip stream");
  return out;
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

std::string header(const TestResponse& r, std::string_view name) { return r.header(name).value_or(""); }

void add_routes(App& app) { app.router().get("/ping", [] { return std::string("pong"); }); }

// ---- the page and its initializer -----------------------------------------------------------------------------

TEST(DocsPage, HtmlReferencesTheBundleAndTheInitializer) {
  App app;
  add_routes(app);
  TestClient client(app);
  auto r = client.get("/docs").send();
  ASSERT_EQ(r.status(), 200);
  EXPECT_EQ(header(r, "content-type"), "text/html; charset=utf-8");
  const std::string& html = r.text();
  EXPECT_TRUE(starts_with(html, "<!doctype html>")) << html;
  EXPECT_TRUE(contains(html, R"(<script src="/docs/swagger-ui-bundle.js"></script>)")) << html;
  EXPECT_TRUE(contains(html, R"(<script src="/docs/swagger-initializer.js"></script>)")) << html;
  EXPECT_TRUE(contains(html, R"(<link rel="stylesheet" href="/docs/swagger-ui.css">)")) << html;
  EXPECT_TRUE(contains(html, R"(<div id="swagger-ui"></div>)")) << html;
  EXPECT_TRUE(contains(html, "<title>Aegis - Swagger UI</title>")) << html;
  // The bundle is loaded before the initializer that calls it.
  EXPECT_LT(html.find("swagger-ui-bundle.js"), html.find("swagger-initializer.js"));
}

TEST(DocsPage, TitleIsEscaped) {
  AppSettings settings;
  settings.title = R"(Tom & "Jerry" <script>)";
  App app(settings);
  TestClient client(app);
  const std::string html = client.get("/docs").send().text();
  EXPECT_TRUE(contains(html, "<title>Tom &amp; &quot;Jerry&quot; &lt;script&gt; - Swagger UI</title>")) << html;
  EXPECT_FALSE(contains(html, "<script>")) << html;
}

TEST(DocsPage, InitializerNamesTheOpenapiUrl) {
  App app;
  add_routes(app);
  TestClient client(app);
  auto r = client.get("/docs/swagger-initializer.js").send();
  ASSERT_EQ(r.status(), 200);
  EXPECT_TRUE(starts_with(header(r, "content-type"), "application/javascript")) << header(r, "content-type");
  EXPECT_TRUE(contains(r.text(), R"(url: "/openapi.json")")) << r.text();
  EXPECT_TRUE(contains(r.text(), "SwaggerUIBundle(")) << r.text();
  EXPECT_TRUE(contains(r.text(), R"(dom_id: "#swagger-ui")")) << r.text();
  EXPECT_FALSE(contains(r.text(), "requestInterceptor")) << "no scheme asks for a CSRF token";
}

// A cookie scheme that names its CSRF cookie and header makes Try it out send the token on unsafe requests.
TEST(DocsPage, InitializerSendsTheCsrfTokenASchemeNames) {
  App app;
  app.add_security_scheme("SessionCookie", R"({"type":"apiKey","in":"cookie","name":"sid",)"
                                           R"("x-aegis-csrf":{"cookie":"my_csrf","header":"X-My-Token"}})");
  add_routes(app);
  TestClient client(app);
  const std::string js = client.get("/docs/swagger-initializer.js").send().text();
  EXPECT_TRUE(contains(js, "requestInterceptor: function (request)")) << js;
  EXPECT_TRUE(contains(js, R"(c.slice(0, eq) === "my_csrf")")) << js;
  EXPECT_TRUE(contains(js, R"(request.headers["X-My-Token"] = decodeURIComponent(c.slice(eq + 1)))")) << js;
  EXPECT_TRUE(contains(js, R"(/^(GET|HEAD|OPTIONS)$/i.test(request.method))")) << js;
  EXPECT_TRUE(contains(js, "origin !== window.location.origin) return request;")) << "the token goes to this origin only";
}

// Names are written as JavaScript strings: a control character or a quote in one cannot break the script.
TEST(DocsPage, NamesInTheInitializerAreEscaped) {
  App app;
  app.add_security_scheme("SessionCookie", R"({"type":"apiKey","in":"cookie","name":"sid",)"
                                           R"("x-aegis-csrf":{"cookie":"a\r\"b</script>","header":"H\u2028"}})");
  add_routes(app);
  TestClient client(app);
  const std::string js = client.get("/docs/swagger-initializer.js").send().text();
  EXPECT_TRUE(contains(js, R"(=== "a\u000d\"b\u003c/script>")")) << js;
  EXPECT_TRUE(contains(js, R"(request.headers["H\u2028"])")) << js;
  EXPECT_FALSE(contains(js, "\r")) << "a raw carriage return in the script";
}

TEST(DocsPage, CustomUrls) {
  AppSettings settings;
  settings.openapi_url = "/api/schema.json";
  settings.docs_url = "/api/docs";
  App app(settings);
  add_routes(app);
  TestClient client(app);
  EXPECT_EQ(client.get("/docs").send().status(), 404);
  EXPECT_EQ(client.get("/openapi.json").send().status(), 404);
  auto page = client.get("/api/docs").send();
  ASSERT_EQ(page.status(), 200);
  EXPECT_TRUE(contains(page.text(), R"(<script src="/api/docs/swagger-ui-bundle.js"></script>)")) << page.text();
  EXPECT_TRUE(contains(page.text(), R"(<script src="/api/docs/swagger-initializer.js"></script>)")) << page.text();
  auto init = client.get("/api/docs/swagger-initializer.js").send();
  ASSERT_EQ(init.status(), 200);
  EXPECT_TRUE(contains(init.text(), R"(url: "/api/schema.json")")) << init.text();
  EXPECT_EQ(client.get("/api/docs/swagger-ui-bundle.js").send().status(), 200);
  // What the initializer names is the document.
  auto doc = client.get("/api/schema.json").send();
  EXPECT_EQ(doc.status(), 200);
  EXPECT_EQ(doc.text(), app.openapi());
}

TEST(DocsPage, EmptyDocsUrlKeepsTheDocument) {
  AppSettings settings;
  settings.docs_url = "";
  App app(settings);
  add_routes(app);
  TestClient client(app);
  EXPECT_EQ(client.get("/docs").send().status(), 404);
  EXPECT_EQ(client.get("/docs/swagger-initializer.js").send().status(), 404);
  EXPECT_EQ(client.get("/openapi.json").send().status(), 200);
  EXPECT_FALSE(app.openapi().empty());
}

// ---- the embedded files -------------------------------------------------------------------------------------------

TEST(DocsAssets, BundleIsGzipWhenTheClientAcceptsIt) {
  App app;
  TestClient client(app);
  auto gz = client.get("/docs/swagger-ui-bundle.js").header("Accept-Encoding", "gzip, deflate").send();
  ASSERT_EQ(gz.status(), 200);
  EXPECT_EQ(header(gz, "content-encoding"), "gzip");
  EXPECT_TRUE(starts_with(header(gz, "content-type"), "application/javascript")) << header(gz, "content-type");
  EXPECT_TRUE(contains(header(gz, "vary"), "Accept-Encoding")) << header(gz, "vary");
  ASSERT_GE(gz.text().size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(gz.text()[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz.text()[1]), 0x8b);

  auto plain = client.get("/docs/swagger-ui-bundle.js").send();
  ASSERT_EQ(plain.status(), 200);
  EXPECT_EQ(gunzip(gz.text()), plain.text());
}

TEST(DocsAssets, BundleIsPlainJavaScriptOtherwise) {
  App app;
  TestClient client(app);
  auto gz = client.get("/docs/swagger-ui-bundle.js").header("Accept-Encoding", "gzip").send();
  for (const char* accept : {"", "identity", "br", "gzip;q=0"}) {
    auto req = client.get("/docs/swagger-ui-bundle.js");
    if (*accept != '\0') req.header("Accept-Encoding", accept);
    auto r = req.send();
    ASSERT_EQ(r.status(), 200) << accept;
    EXPECT_FALSE(r.header("content-encoding").has_value()) << accept;
    EXPECT_TRUE(starts_with(header(r, "content-type"), "application/javascript")) << accept;
    EXPECT_TRUE(starts_with(r.text(), "/*! For license information please see swagger-ui-bundle.js.LICENSE.txt */"))
        << accept << ": " << r.text().substr(0, 80);
    EXPECT_TRUE(contains(r.text().substr(0, 1000), "SwaggerUIBundle")) << accept;
    EXPECT_GT(r.text().size(), 3 * gz.text().size()) << accept;
  }
}

TEST(DocsAssets, StylesheetAndIconsWithTheirTypes) {
  App app;
  TestClient client(app);
  const std::map<std::string, std::string> types = {{"/docs/swagger-ui.css", "text/css"},
                                                    {"/docs/favicon-32x32.png", "image/png"},
                                                    {"/docs/favicon-16x16.png", "image/png"}};
  for (const auto& [path, type] : types) {
    auto plain = client.get(path).send();
    ASSERT_EQ(plain.status(), 200) << path;
    EXPECT_TRUE(starts_with(header(plain, "content-type"), type)) << path << ": " << header(plain, "content-type");
    EXPECT_FALSE(plain.text().empty()) << path;
    auto gz = client.get(path).header("Accept-Encoding", "gzip").send();
    EXPECT_EQ(header(gz, "content-encoding"), "gzip") << path;
    EXPECT_EQ(gunzip(gz.text()), plain.text()) << path;
  }
  EXPECT_TRUE(starts_with(client.get("/docs/favicon-32x32.png").send().text(), "\x89PNG"));
  EXPECT_EQ(client.get("/docs/nothing-here.js").send().status(), 404);
}

TEST(DocsAssets, GZipMiddlewareDoesNotCompressTheBundleTwice) {
  App app;
  app.add_middleware<GZip>();
  TestClient client(app);
  auto gz = client.get("/docs/swagger-ui-bundle.js").header("Accept-Encoding", "gzip").send();
  ASSERT_EQ(gz.status(), 200);
  EXPECT_EQ(gz.headers("content-encoding"), std::vector<std::string>{"gzip"});
  const std::string once = gunzip(gz.text());
  EXPECT_TRUE(starts_with(once, "/*! For license information")) << once.substr(0, 80);
  auto plain = client.get("/docs/swagger-ui-bundle.js").send();
  EXPECT_FALSE(plain.header("content-encoding").has_value());
  EXPECT_EQ(plain.text(), once);
}

// ---- Content-Security-Policy ------------------------------------------------------------------------------------

// directive -> sources, from a Content-Security-Policy value.
std::map<std::string, std::vector<std::string>> parse_csp(const std::string& policy) {
  std::map<std::string, std::vector<std::string>> out;
  std::stringstream directives(policy);
  std::string directive;
  while (std::getline(directives, directive, ';')) {
    std::stringstream words(directive);
    std::string name;
    if (!(words >> name)) continue;
    std::vector<std::string> sources;
    for (std::string s; words >> s;) sources.push_back(s);
    out.emplace(name, std::move(sources));
  }
  return out;
}

// The sources that govern `directive`: its own, else default-src's (CSP 3 fallback).
std::vector<std::string> effective(const std::map<std::string, std::vector<std::string>>& csp,
                                   const std::string& directive) {
  if (auto it = csp.find(directive); it != csp.end()) return it->second;
  if (auto it = csp.find("default-src"); it != csp.end()) return it->second;
  return {"*"};
}

bool allows(const std::vector<std::string>& sources, std::string_view source) {
  for (const auto& s : sources) {
    if (s == source || s == "*") return true;
  }
  return false;
}

// A URL the page loads from its own origin: an absolute path, not scheme-relative.
bool same_origin(const std::string& url) { return starts_with(url, "/") && !starts_with(url, "//"); }

TEST(DocsSecurity, DefaultContentSecurityPolicyLetsThePageRun) {
  App app;
  add_routes(app);
  TestClient client(app);
  auto page = client.get("/docs").send();
  ASSERT_EQ(page.status(), 200);
  const std::string policy = header(page, "content-security-policy");
  ASSERT_EQ(policy, SecurityHeadersSettings{}.content_security_policy);
  const auto csp = parse_csp(policy);
  const std::string& html = page.text();

  // Scripts: only same-origin files, no inline code (which 'self' alone would block).
  const auto script_src = effective(csp, "script-src");
  EXPECT_TRUE(allows(script_src, "'self'"));
  const std::regex script_tag(R"(<script\b([^>]*)>([\s\S]*?)</script>)", std::regex::icase);
  std::size_t scripts = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), script_tag); it != std::sregex_iterator(); ++it) {
    ++scripts;
    const std::string attributes = (*it)[1];
    const std::string body = (*it)[2];
    EXPECT_TRUE(body.empty()) << "inline script: " << it->str();
    std::smatch src;
    ASSERT_TRUE(std::regex_search(attributes, src, std::regex(R"|(src="([^"]*)")|"))) << it->str();
    EXPECT_TRUE(same_origin(src[1])) << src[1];
  }
  EXPECT_EQ(scripts, 2u) << html;
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)", std::regex::icase))) << "inline handler";
  EXPECT_FALSE(contains(html, "javascript:")) << html;

  // Stylesheet and icon from the same origin.
  EXPECT_TRUE(allows(effective(csp, "style-src"), "'self'"));
  EXPECT_TRUE(allows(effective(csp, "img-src"), "'self'"));
  const std::regex link_href(R"|(<link\b[^>]*href="([^"]*)")|", std::regex::icase);
  std::size_t links = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), link_href); it != std::sregex_iterator(); ++it) {
    ++links;
    EXPECT_TRUE(same_origin((*it)[1])) << (*it)[1];
  }
  EXPECT_GE(links, 1u);

  // The initializer fetches the document from the same origin, and uses no eval (no 'unsafe-eval').
  EXPECT_TRUE(allows(effective(csp, "connect-src"), "'self'"));
  auto init = client.get("/docs/swagger-initializer.js").send();
  std::smatch url;
  ASSERT_TRUE(std::regex_search(init.text(), url, std::regex(R"|(url: "([^"]*)")|"))) << init.text();
  EXPECT_TRUE(same_origin(url[1])) << url[1];
  EXPECT_FALSE(contains(init.text(), "eval(")) << init.text();
  EXPECT_FALSE(contains(init.text(), "new Function")) << init.text();

  // With nosniff, a script is only run when it is served as JavaScript.
  EXPECT_EQ(header(init, "x-content-type-options"), "nosniff");
  EXPECT_TRUE(starts_with(header(init, "content-type"), "application/javascript"));
  auto bundle = client.get("/docs/swagger-ui-bundle.js").header("Accept-Encoding", "gzip").send();
  EXPECT_TRUE(starts_with(header(bundle, "content-type"), "application/javascript"));
  auto css = client.get("/docs/swagger-ui.css").send();
  EXPECT_TRUE(starts_with(header(css, "content-type"), "text/css"));
}

}  // namespace
