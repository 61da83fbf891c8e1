// Router lookup cost as the route count grows: the compiled table hashes static segments, so a lookup
// at 10,000 routes should cost about what it costs at 10.
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/routing/router.hpp>

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "routing/route_table.hpp"

namespace {

// A realistic mix: resources with a static collection path, an int id and a nested static action.
std::vector<aegis::Router::Route> make_routes(int count) {
  aegis::Router r;
  auto noop = [](aegis::Request&, aegis::Response&) {};
  for (int i = 0; static_cast<int>(r.routes().size()) < count; ++i) {
    const std::string base = "/api/resource" + std::to_string(i);
    r.get(base + "/{id:int}/history", noop);
    r.get(base, noop);
    r.post(base, noop);
    r.get(base + "/{id:int}", noop);
  }
  return {r.routes().begin(), r.routes().end()};
}

void BM_RouterLookup(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const auto routes = make_routes(count);
  const aegis::routing::RouteTable table(routes);
  // Look up paths spread over the whole table so no single cache line is favoured.
  std::vector<std::string> paths;
  for (int i = 0; i < 64; ++i) {
    const int r = (i * 7919) % ((count + 3) / 4);
    paths.push_back("/api/resource" + std::to_string(r) + "/" + std::to_string(1000 + i) + "/history");
  }
  std::vector<aegis::PathParam> params;
  params.reserve(8);
  std::size_t i = 0;
  for (auto _ : state) {
    auto m = table.match(aegis::Method::get, paths[i++ & 63], params);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_RouterLookup)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
