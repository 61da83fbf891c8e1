// GZip: when it compresses, what the headers say, and that the body inflates back to the handler's.
#include <aegis/aegis.hpp>
#include <aegis/middleware/gzip.hpp>
#include <aegis/testing/test_client.hpp>

#include <gtest/gtest.h>

#include <zlib.h>

#include <stdexcept>
#include <string>

namespace {

using namespace aegis;
using aegis::testing::TestClient;

// Inflates a gzip stream; throws when it is not one.
std::string gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2");
  std::string out;
  char buf[4096];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("not a complete gzip stream");
  return out;
}

// Varied but compressible text, `n` bytes.
std::string sample(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; s.size() < n; ++i) s += "line " + std::to_string(i) + " of the response body\n";
  s.resize(n);
  return s;
}

struct GZipApp {
  explicit GZipApp(GZipOptions options = {}) {
    app.router().get("/big", [] { return sample(4000); });
    app.router().get("/small", [] { return std::string("OK"); });
    app.router().get("/encoded", [](Response& res) {
      res.text(sample(4000));
      res.set_header("Content-Encoding", "text");
    });
    app.router().get("/events", [](Response& res) {
      res.text(sample(4000));
      res.set_header("Content-Type", "text/event-stream; charset=utf-8");
    });
    app.router().get("/image", [](Response& res) {
      res.text(sample(4000));
      res.set_header("Content-Type", "image/svg+xml");
    });
    app.router().get("/no-content", [](Response& res) {
      res.set_status(204);
      res.body() = sample(4000);
    });
    app.router().get("/etag", [](Response& res) {
      res.text(sample(4000));
      res.set_header("ETag", "\"v1\"");
    });
    app.router().get("/weak-etag", [](Response& res) {
      res.text(sample(4000));
      res.set_header("ETag", "W/\"v1\"");
    });
    app.router().get("/not-modified", [](Response& res) {
      res.set_status(304);
      res.set_header("ETag", "\"v1\"");
    });
    app.router().get("/vary", [](Response& res) {
      res.text(sample(4000));
      res.set_header("Vary", "Origin");
    });
    app.add_middleware<GZip>(std::move(options));
  }
  App app;
};

TEST(GZip, CompressesWhenGzipIsAccepted) {
  GZipApp a;
  TestClient client(a.app);
  const auto r = client.get("/big").header("Accept-Encoding", "gzip, deflate, br").send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.header("content-encoding"), "gzip");
  EXPECT_EQ(r.headers("vary"), std::vector<std::string>{"Accept-Encoding"});
  EXPECT_EQ(r.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_LT(r.text().size(), 4000u);
  EXPECT_EQ(gunzip(r.text()), sample(4000));
}

TEST(GZip, RepeatedResponsesReuseTheStreamAndStayCorrect) {
  GZipApp fast({.compress_level = 1});
  GZipApp best;
  TestClient fast_client(fast.app);
  TestClient best_client(best.app);
  for (int i = 0; i < 3; ++i) {
    const auto f = fast_client.get("/big").header("Accept-Encoding", "gzip").send();
    const auto b = best_client.get("/big").header("Accept-Encoding", "gzip").send();
    EXPECT_EQ(gunzip(f.text()), sample(4000));
    EXPECT_EQ(gunzip(b.text()), sample(4000));
    // The gzip header's XFL byte tells the level apart: 4 for the fastest, 2 for the best.
    ASSERT_GT(f.text().size(), 8u);
    ASSERT_GT(b.text().size(), 8u);
    EXPECT_EQ(f.text()[8], 4);
    EXPECT_EQ(b.text()[8], 2);
  }
}

TEST(GZip, LargeBodyRoundTrips) {
  App app;
  std::string big;
  for (int i = 0; i < 200000; ++i) big += static_cast<char>('a' + (i * 7919) % 26);
  app.router().get("/", [&big] { return big; });
  app.add_middleware<GZip>();
  TestClient client(app);
  const auto r = client.get("/").header("Accept-Encoding", "gzip").send();
  EXPECT_EQ(r.header("content-encoding"), "gzip");
  EXPECT_EQ(gunzip(r.text()), big);
}

TEST(GZip, NoAcceptEncodingStillVaries) {
  GZipApp a;
  TestClient client(a.app);
  const auto r = client.get("/big").send();
  EXPECT_FALSE(r.header("content-encoding"));
  EXPECT_EQ(r.text(), sample(4000));
  EXPECT_EQ(r.headers("vary"), std::vector<std::string>{"Accept-Encoding"});
}

TEST(GZip, QZeroRefuses) {
  GZipApp a;
  TestClient client(a.app);
  for (const char* ae : {"gzip;q=0", "gzip; q=0.000, deflate", "*;q=0", "identity", "br", "*, gzip;q=0"}) {
    const auto r = client.get("/big").header("Accept-Encoding", ae).send();
    EXPECT_FALSE(r.header("content-encoding")) << ae;
    EXPECT_EQ(r.text(), sample(4000)) << ae;
    EXPECT_EQ(r.headers("vary"), std::vector<std::string>{"Accept-Encoding"}) << ae;
  }
  for (const char* ae : {"GZIP", "br;q=1.0, gzip;q=0.5", "*", "deflate, x-gzip;q=0.001", "gzip;q=1"}) {
    const auto r = client.get("/big").header("Accept-Encoding", ae).send();
    EXPECT_EQ(r.header("content-encoding"), "gzip") << ae;
  }
}

TEST(GZip, AcceptEncodingParsing) {
  EXPECT_TRUE(GZip::accepts_gzip("gzip"));
  EXPECT_TRUE(GZip::accepts_gzip(" deflate , gzip ;q=0.8"));
  EXPECT_TRUE(GZip::accepts_gzip("*;q=0.1"));
  EXPECT_TRUE(GZip::accepts_gzip("gzip;Q=1.000"));
  EXPECT_FALSE(GZip::accepts_gzip(""));
  EXPECT_FALSE(GZip::accepts_gzip("gzip;q=0."));
  EXPECT_FALSE(GZip::accepts_gzip("gzip;q=0.0"));
  EXPECT_FALSE(GZip::accepts_gzip("gzip;q=abc"));
  EXPECT_FALSE(GZip::accepts_gzip("gzip;q=1.5"));
  EXPECT_FALSE(GZip::accepts_gzip("gzipx, xgzip"));
  EXPECT_FALSE(GZip::accepts_gzip("*, gzip;q=0"));
}

TEST(GZip, SmallBodiesAreLeftAlone) {
  GZipApp a;
  TestClient client(a.app);
  const auto r = client.get("/small").header("Accept-Encoding", "gzip").send();
  EXPECT_EQ(r.text(), "OK");
  EXPECT_FALSE(r.header("content-encoding"));
  EXPECT_FALSE(r.header("vary"));

  GZipApp tiny({.minimum_size = 2});
  TestClient tiny_client(tiny.app);
  const auto t = tiny_client.get("/small").header("Accept-Encoding", "gzip").send();
  EXPECT_EQ(t.header("content-encoding"), "gzip");
  EXPECT_EQ(gunzip(t.text()), "OK");
}

TEST(GZip, AlreadyEncodedIsLeftAlone) {
  GZipApp a;
  TestClient client(a.app);
  const auto r = client.get("/encoded").header("Accept-Encoding", "gzip").send();
  EXPECT_EQ(r.headers("content-encoding"), std::vector<std::string>{"text"});
  EXPECT_EQ(r.text(), sample(4000));
  EXPECT_FALSE(r.header("vary"));
}

TEST(GZip, HeadIsNotCompressedButVaries) {
  GZipApp a;
  TestClient client(a.app);
  const auto r = client.head("/big").header("Accept-Encoding", "gzip").send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_FALSE(r.header("content-encoding"));
  EXPECT_EQ(r.headers("vary"), std::vector<std::string>{"Accept-Encoding"});
}

TEST(GZip, StatusWithoutBodyIsLeftAlone) {
  GZipApp a;
  TestClient client(a.app);
  const auto r = client.get("/no-content").header("Accept-Encoding", "gzip").send();
  EXPECT_EQ(r.status(), 204);
  EXPECT_FALSE(r.header("content-encoding"));
  EXPECT_FALSE(r.header("vary"));
}

// The compressed body is another representation: a strong validator would claim byte equality with the
// identity body (RFC 9110 §8.8.3), so it goes out weakened; the identity body keeps it as it was.
TEST(GZip, AStrongETagIsWeakenedOnTheCompressedBody) {
  GZipApp a;
  TestClient client(a.app);
  const auto gz = client.get("/etag").header("Accept-Encoding", "gzip").send();
  EXPECT_EQ(gz.header("content-encoding"), "gzip");
  EXPECT_EQ(gz.headers("etag"), std::vector<std::string>{"W/\"v1\""});
  EXPECT_EQ(gunzip(gz.text()), sample(4000));
  const auto identity = client.get("/etag").send();
  EXPECT_FALSE(identity.header("content-encoding"));
  EXPECT_EQ(identity.headers("etag"), std::vector<std::string>{"\"v1\""});
  const auto weak = client.get("/weak-etag").header("Accept-Encoding", "gzip").send();
  EXPECT_EQ(weak.headers("etag"), std::vector<std::string>{"W/\"v1\""});
}

// A 304 carries the Vary its 200 would (RFC 9110 §15.4.5), and nothing else changes.
TEST(GZip, NotModifiedVariesLikeItsFullAnswer) {
  GZipApp a;
  TestClient client(a.app);
  const auto r = client.get("/not-modified").header("Accept-Encoding", "gzip").send();
  EXPECT_EQ(r.status(), 304);
  EXPECT_EQ(r.headers("vary"), std::vector<std::string>{"Accept-Encoding"});
  EXPECT_FALSE(r.header("content-encoding"));
  EXPECT_TRUE(r.text().empty());
  // The validator the gzip client's 200 carried, weakened; a client without gzip keeps the strong one.
  EXPECT_EQ(r.headers("etag"), std::vector<std::string>{"W/\"v1\""});
  EXPECT_EQ(client.get("/not-modified").send().headers("etag"), std::vector<std::string>{"\"v1\""});
}

TEST(GZip, ExcludedContentTypes) {
  GZipApp a;
  TestClient client(a.app);
  const auto events = client.get("/events").header("Accept-Encoding", "gzip").send();
  EXPECT_FALSE(events.header("content-encoding"));
  EXPECT_EQ(events.text(), sample(4000));
  EXPECT_FALSE(events.header("vary"));
  EXPECT_EQ(client.get("/image").header("Accept-Encoding", "gzip").send().header("content-encoding"), "gzip");

  GZipApp images({.exclude_content_types = {"image/*", "TEXT/EVENT-STREAM; charset=utf-8"}});
  TestClient images_client(images.app);
  EXPECT_FALSE(images_client.get("/image").header("Accept-Encoding", "gzip").send().header("content-encoding"));
  EXPECT_FALSE(images_client.get("/events").header("Accept-Encoding", "gzip").send().header("content-encoding"));
  EXPECT_EQ(images_client.get("/big").header("Accept-Encoding", "gzip").send().header("content-encoding"), "gzip");
}

TEST(GZip, VaryIsAppendedToTheHandlersVary) {
  GZipApp a;
  TestClient client(a.app);
  const auto r = client.get("/vary").header("Accept-Encoding", "gzip").send();
  EXPECT_EQ(r.header("content-encoding"), "gzip");
  EXPECT_EQ(r.headers("vary"), std::vector<std::string>{"Origin, Accept-Encoding"});
}

TEST(GZip, InvalidOptionsAreRejected) {
  EXPECT_THROW(GZip({.compress_level = 0}), std::invalid_argument);
  EXPECT_THROW(GZip({.compress_level = 10}), std::invalid_argument);
  EXPECT_THROW(GZip({.exclude_content_types = {" "}}), std::invalid_argument);
  EXPECT_NO_THROW(GZip({.compress_level = 1}));
}

TEST(GZip, IntrospectionReportsOptions) {
  const GZip gzip;
  EXPECT_FALSE(gzip.security_layer());
  EXPECT_EQ(gzip.options_json(),
            R"({"minimum_size":500,"compress_level":9,"exclude_content_types":["text/event-stream"]})");
}

}  // namespace
