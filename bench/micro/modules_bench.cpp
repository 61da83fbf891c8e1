// The module system's costs: booting many modules (sort, every phase, routes, freeze), and the two checks
// requests make against the registries, which must be lock-free reads.
#include <aegis/aegis.hpp>

#include <benchmark/benchmark.h>

#include <string>

namespace {

// "m12": built with append, which sidesteps a g++ 12 -Wrestrict false positive on "m" + std::string.
std::string named(const char* prefix, int i) { return std::string(prefix).append(std::to_string(i)); }

// A module with 10 routes and a dependency on the module before it in its group of ten.
class Generated final : public aegis::Module {
 public:
  explicit Generated(int index) : index_(index) {}
  aegis::ModuleMeta meta() const override {
    aegis::ModuleMeta m;
    m.name = named("m", index_);
    if (index_ % 10 != 0) m.depends_on = {named("m", index_ - 1)};
    return m;
  }
  void register_permissions(aegis::PermissionRegistry& registry) override {
    registry.add_group(named("M", index_), {named("m", index_).append(".view")});
  }
  void register_routes(aegis::Router& api, aegis::Router&) override {
    aegis::Router r;
    for (int j = 0; j < 10; ++j) {
      r.get(named("/r", j).append("/{id}"), [](aegis::Path<int, "id"> id) { return *id; });
    }
    api.include_router(r, {.prefix = named("/m", index_)});
  }

 private:
  int index_;
};

void BM_Boot200ModulesWith10RoutesEach(benchmark::State& state) {
  for (auto _ : state) {
    aegis::AppSettings settings;
    settings.access_log.format = "off";
    aegis::App app(settings);
    // Added in reverse so that the sort has work to do.
    for (int i = 199; i >= 0; --i) app.add_module<Generated>(i);
    aegis::create_backend_app(app, nullptr, aegis::BackendHooks{});
    app.freeze();
    benchmark::DoNotOptimize(app.routes().size());
  }
}
BENCHMARK(BM_Boot200ModulesWith10RoutesEach)->Unit(benchmark::kMillisecond);

void BM_FeatureFlagIsEnabled(benchmark::State& state) {
  aegis::FeatureFlagRegistry flags;
  for (int i = 0; i < 50; ++i) flags.add(named("module", i).append(".flag"), i % 2 == 0);
  flags.set_override(aegis::FlagScope::tenant, "acme", "module25.flag", true);
  flags.set_override(aegis::FlagScope::user, "u42", "module25.flag", false);
  aegis::Principal p;
  p.id = "u7";
  p.tenant = "acme";
  for (auto _ : state) benchmark::DoNotOptimize(flags.is_enabled("module25.flag", &p));
}
BENCHMARK(BM_FeatureFlagIsEnabled);

void BM_PermissionCheck(benchmark::State& state) {
  aegis::Principal p;
  p.permissions = {"orders.create", "orders.edit", "orders.view", "products.view", "users.view"};
  for (auto _ : state) benchmark::DoNotOptimize(p.has_permission("products.view"));
}
BENCHMARK(BM_PermissionCheck);

}  // namespace
