// ProxyHeaders: which peers are believed and which X-Forwarded-For entry becomes the client.
#include <aegis/aegis.hpp>
#include <aegis/middleware/proxy_headers.hpp>
#include <aegis/testing/test_client.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

using namespace aegis;
using aegis::testing::TestClient;

// An app answering "<client ip>:<port> <scheme>".
struct ProxyApp {
  explicit ProxyApp(std::vector<std::string> trusted) {
    app.router().get("/", [](const Request& req) {
      return std::string(req.client_ip()) + ":" + std::to_string(req.client_port()) + " " + std::string(req.scheme());
    });
    app.add_middleware<ProxyHeaders>({.trusted_proxies = std::move(trusted)});
  }
  App app;
};

TEST(ProxyHeaders, TrustsNobodyByDefault) {
  ProxyApp a({});
  TestClient client(a.app);
  client.set_client("127.0.0.1", 4000);
  const auto r = client.get("/").header("X-Forwarded-For", "1.2.3.4").header("X-Forwarded-Proto", "https").send();
  EXPECT_EQ(r.text(), "127.0.0.1:4000 http");
}

TEST(ProxyHeaders, UntrustedPeerIsIgnored) {
  ProxyApp a({"10.0.0.1"});
  TestClient client(a.app);
  client.set_client("10.0.0.2", 4000);
  const auto r = client.get("/").header("X-Forwarded-For", "1.2.3.4").header("X-Forwarded-Proto", "https").send();
  EXPECT_EQ(r.text(), "10.0.0.2:4000 http");
}

TEST(ProxyHeaders, TrustedSingleHop) {
  ProxyApp a({"10.0.0.1"});
  TestClient client(a.app);
  client.set_client("10.0.0.1", 4000);
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "1.2.3.4").header("X-Forwarded-Proto", "https").send().text(),
            "1.2.3.4:0 https");
  // Without the headers the peer stays the client.
  EXPECT_EQ(client.get("/").send().text(), "10.0.0.1:4000 http");
  // An entry a client forged to the left of the real one is never reached.
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "6.6.6.6, 1.2.3.4").send().text(), "1.2.3.4:0 http");
}

TEST(ProxyHeaders, ChainOfTrustedHops) {
  ProxyApp a({"10.0.0.1", "10.0.0.2", "10.0.0.3"});
  TestClient client(a.app);
  client.set_client("10.0.0.3", 4000);
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "6.6.6.6, 1.2.3.4, 10.0.0.1, 10.0.0.2").send().text(),
            "1.2.3.4:0 http");
  // Every hop trusted: the leftmost one is the client (uvicorn does the same).
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "10.0.0.2,10.0.0.1").send().text(), "10.0.0.2:0 http");
  // Lines are one list: the last line holds the nearest hops.
  EXPECT_EQ(client.get("/")
                .header("X-Forwarded-For", "6.6.6.6, 1.2.3.4")
                .header("X-Forwarded-For", "10.0.0.1")
                .send()
                .text(),
            "1.2.3.4:0 http");
}

TEST(ProxyHeaders, GarbageEndsTheWalk) {
  ProxyApp a({"10.0.0.1", "10.0.0.2"});
  TestClient client(a.app);
  client.set_client("10.0.0.1", 4000);
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "unknown").send().text(), "10.0.0.1:4000 http");
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "").send().text(), "10.0.0.1:4000 http");
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "1.2.3.4, bogus, 10.0.0.2").send().text(),
            "10.0.0.2:0 http");
  // Ports and brackets as some proxies write them.
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "1.2.3.4:5678").send().text(), "1.2.3.4:0 http");
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "[2001:db8::1]:443").send().text(), "2001:db8::1:0 http");
}

TEST(ProxyHeaders, CidrRangesV4AndV6) {
  ProxyApp a({"10.0.0.0/8", "fd00::/8", "192.168.1.128/25"});
  TestClient client(a.app);
  client.set_client("10.200.3.4", 1);
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "203.0.113.9, 10.9.9.9").send().text(), "203.0.113.9:0 http");
  client.set_client("fd12:3456::1", 1);
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "2001:db8::7, fdff::2").send().text(), "2001:db8::7:0 http");
  client.set_client("192.168.1.200", 1);
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "203.0.113.9").send().text(), "203.0.113.9:0 http");
  client.set_client("192.168.1.100", 1);
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "203.0.113.9").send().text(), "192.168.1.100:1 http");
  client.set_client("11.0.0.1", 1);
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "203.0.113.9").send().text(), "11.0.0.1:1 http");
  client.set_client("fe80::1", 1);
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "203.0.113.9").send().text(), "fe80::1:1 http");
}

TEST(ProxyHeaders, Ipv4MappedPeersCountAsIpv4) {
  ProxyHeaders p({.trusted_proxies = {"10.0.0.0/8", "::1"}});
  EXPECT_TRUE(p.is_trusted("10.1.2.3"));
  EXPECT_TRUE(p.is_trusted("::ffff:10.1.2.3"));
  EXPECT_TRUE(p.is_trusted("::1"));
  EXPECT_TRUE(p.is_trusted("0:0:0:0:0:0:0:1"));
  EXPECT_FALSE(p.is_trusted("::2"));
  EXPECT_FALSE(p.is_trusted("127.0.0.1"));
  EXPECT_FALSE(p.is_trusted(""));
  EXPECT_FALSE(p.is_trusted("localhost"));
}

TEST(ProxyHeaders, StarTrustsEveryoneAndTakesTheLeftmost) {
  ProxyApp a({"*"});
  TestClient client(a.app);
  client.set_client("198.51.100.1", 4000);
  EXPECT_EQ(client.get("/").header("X-Forwarded-For", "1.2.3.4, 5.6.7.8").send().text(), "1.2.3.4:0 http");
}

TEST(ProxyHeaders, ForwardedProtoSetsTheScheme) {
  ProxyApp a({"127.0.0.1"});
  TestClient client(a.app);
  EXPECT_EQ(client.get("/").header("X-Forwarded-Proto", "https").send().text(), "127.0.0.1:50000 https");
  EXPECT_EQ(client.get("/").header("X-Forwarded-Proto", " HTTPS ").send().text(), "127.0.0.1:50000 https");
  EXPECT_EQ(client.get("/").header("X-Forwarded-Proto", "http").send().text(), "127.0.0.1:50000 http");
  EXPECT_EQ(client.get("/").header("X-Forwarded-Proto", "ftp").send().text(), "127.0.0.1:50000 http");
  EXPECT_EQ(client.get("/").header("X-Forwarded-Proto", "wss").send().text(), "127.0.0.1:50000 https");
  // The nearest proxy's line counts.
  EXPECT_EQ(client.get("/").header("X-Forwarded-Proto", "http").header("X-Forwarded-Proto", "https").send().text(),
            "127.0.0.1:50000 https");
}

TEST(ProxyHeaders, InvalidConfigIsRejected) {
  for (const char* bad : {"localhost", "10.0.0.256", "10.0.0.0/33", "10.0.0.0/", "fd00::/129", "10.0.0.1/8",
                          "fd00::1/8", "", "1.2.3.4:80", "10.0.0.0/8x"}) {
    EXPECT_THROW(ProxyHeaders({.trusted_proxies = {bad}}), std::invalid_argument) << bad;
  }
  try {
    ProxyHeaders({.trusted_proxies = {"10.0.0.1/8"}});
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("10.0.0.0/8"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(ProxyHeaders({.trusted_proxies = {"*", "::1", "0.0.0.0/0", " 10.0.0.1 ", "::ffff:10.0.0.0/104"}}));
}

TEST(ProxyHeaders, IntrospectionReportsOptionsAndSecurityLayer) {
  const ProxyHeaders p({.trusted_proxies = {"10.0.0.0/8"}});
  EXPECT_TRUE(p.security_layer());
  EXPECT_EQ(p.options_json(), R"({"trusted_proxies":["10.0.0.0/8"]})");
}

}  // namespace
