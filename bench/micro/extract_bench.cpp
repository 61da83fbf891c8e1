// The cost of typed extraction: a typed handler that takes a path parameter, a query parameter and a
// validated JSON body and returns a model, against a raw handler that does the same work by hand (reads
// the parameters, parses the body with Boost.JSON, checks it, builds the JSON answer). Both run through
// App::handle on a request parsed by the server's own parser; BM_ParseOnly is that shared parsing cost.
#include <aegis/aegis.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>

#include <benchmark/benchmark.h>

#include <charconv>
#include <string>

#include "http/access.hpp"
#include "net/request_parser.hpp"

namespace {

struct OrderIn {
  std::string item;
  int quantity = 0;
};
BOOST_DESCRIBE_STRUCT(OrderIn, (), (item, quantity))
AEGIS_FIELD_RULES(OrderIn, (item, aegis::MinLength<1>, aegis::MaxLength<100>), (quantity, aegis::Min<1>, aegis::Max<1000>))

struct OrderOut {
  std::int64_t id = 0;
  std::string item;
  int quantity = 0;
  bool expand = false;
};
BOOST_DESCRIBE_STRUCT(OrderOut, (), (id, item, quantity, expand))

const std::string kBody = R"({"item":"pen","quantity":2})";
std::string message(std::string_view path) {
  return "POST " + std::string(path) +
         "?expand=true HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
}

aegis::App& app() {
  static aegis::App* a = [] {
    aegis::AppSettings settings;
    settings.access_log.format = "off";  // measured: extraction, not the terminal
    auto* app = new aegis::App(settings);
    app->router().post("/typed/{id}", [](aegis::Path<std::int64_t, "id"> id,
                                          aegis::Query<bool, "expand", aegis::Default<false>> expand,
                                          aegis::Body<OrderIn> order) {
      return OrderOut{*id, std::move(order->item), order->quantity, *expand};
    });
    app->router().post("/raw/{id}", [](aegis::Request& req, aegis::Response& res) {
      std::int64_t id = 0;
      const auto idv = req.path_param("id");
      if (std::from_chars(idv.data(), idv.data() + idv.size(), id).ec != std::errc{}) {
        throw aegis::HttpError(422, "bad id");
      }
      const bool expand = req.query("expand").value_or("false") == "true";
      boost::system::error_code ec;
      const auto body = boost::json::parse(req.body(), ec);
      if (ec || !body.is_object()) throw aegis::HttpError(422, "bad body");
      const auto* item = body.as_object().if_contains("item");
      const auto* quantity = body.as_object().if_contains("quantity");
      if (item == nullptr || !item->is_string() || quantity == nullptr || !quantity->is_int64()) {
        throw aegis::HttpError(422, "bad body");
      }
      const auto q = quantity->get_int64();
      const auto& name = item->get_string();
      if (name.empty() || name.size() > 100 || q < 1 || q > 1000) throw aegis::HttpError(422, "invalid");
      std::string out = "{\"id\":" + std::to_string(id) + ",\"item\":";
      aegis::append_json_string(out, std::string_view(name.data(), name.size()));
      out += ",\"quantity\":" + std::to_string(q) + ",\"expand\":" + (expand ? "true" : "false") + "}";
      res.json_text(out);
    });
    app->freeze();
    return app;
  }();
  return *a;
}

// Parses `raw` into `req` the way a connection does.
void parse(const std::string& raw, aegis::Request& req, std::string& chunks, const aegis::ServerSettings& s) {
  aegis::detail::RequestAccess::reset(req);
  aegis::net::RequestParser parser(req, chunks, s, raw.data(), raw.data() + raw.size());
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(raw), ec);
  if (ec || !parser.is_done()) throw std::runtime_error("benchmark request did not parse");
}

void run(benchmark::State& state, std::string_view path, bool handle) {
  const std::string raw = message(path);
  aegis::ServerSettings settings;
  aegis::Request req;
  aegis::Response res;
  std::string chunks;
  aegis::App& a = app();
  for (auto _ : state) {
    parse(raw, req, chunks, settings);
    if (handle) {
      res.clear();
      auto pending = a.handle(req, res);
      if (pending.valid() || res.status() != 200) state.SkipWithError("unexpected answer");
      benchmark::DoNotOptimize(res.body().data());
    }
  }
}

void BM_ParseOnly(benchmark::State& state) { run(state, "/typed/7", false); }
void BM_TypedHandler(benchmark::State& state) { run(state, "/typed/7", true); }
void BM_RawHandler(benchmark::State& state) { run(state, "/raw/7", true); }

BENCHMARK(BM_ParseOnly);
BENCHMARK(BM_TypedHandler);
BENCHMARK(BM_RawHandler);

}  // namespace
