// The boot sequence (ARCHITECTURE section 5): modules sorted by dependency, their registration hooks run
// phase by phase, then middleware, routes and the lifespan hooks, in that order.
#include <aegis/app/app.hpp>
#include <aegis/app/backend.hpp>
#include <aegis/modules/module.hpp>
#include <aegis/modules/settings.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

namespace aegis {

namespace {

std::atomic<App*> configured_app{nullptr};

// The folder and file ("middleware/cors.cpp") that messages and introspection show.
std::string short_file(std::string_view path) {
  const std::size_t last = path.find_last_of('/');
  if (last == std::string_view::npos || last == 0) return std::string(path);
  const std::size_t before = path.find_last_of('/', last - 1);
  return std::string(before == std::string_view::npos ? path : path.substr(before + 1));
}

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
  return s;
}

struct Entry {
  std::shared_ptr<Module> module;
  ModuleMeta meta;
  std::string origin;  // the type, and the file for discovered modules
};

// Names in AEGIS_MODULES_ENABLED, or none when it is unset (all enabled). A value naming no module (an
// empty placeholder in .env) is an error rather than a boot without any.
std::optional<std::set<std::string>> enabled_modules() {
  const auto v = detail::settings_value("AEGIS_MODULES_ENABLED");
  if (!v) return std::nullopt;
  std::set<std::string> names;
  for (const std::string_view name : detail::settings_list(*v)) names.emplace(name);
  if (names.empty()) {
    throw StartupError("AEGIS_MODULES_ENABLED names no module: unset it to enable every module, or list the ones to "
                       "enable");
  }
  return names;
}

std::vector<Entry> collect(App& app) {
  std::vector<Entry> all;
  for (const auto& m : app.modules()) {
    const Module& module = *m;  // typeid of a plain reference: no call inside typeid's operand
    all.push_back({m, m->meta(), detail::module_type_name(typeid(module).name())});
  }
  for (const auto& r : detail::discovered_modules()) {
    std::shared_ptr<Module> m = r.make();
    all.push_back({m, m->meta(), r.type_name + " (" + short_file(r.file) + ")"});
  }
  if (auto enabled = enabled_modules()) {
    for (const auto& name : *enabled) {
      const bool known = std::any_of(all.begin(), all.end(), [&](const Entry& e) { return e.meta.name == name; });
      if (!known) throw StartupError("AEGIS_MODULES_ENABLED names module '" + name + "', which does not exist");
    }
    std::erase_if(all, [&](const Entry& e) { return enabled->count(e.meta.name) == 0; });
  }
  std::map<std::string, const Entry*> by_name;
  for (const auto& e : all) {
    if (e.meta.name.empty()) throw StartupError("module " + e.origin + " has an empty name in its ModuleMeta");
    auto [it, inserted] = by_name.emplace(e.meta.name, &e);
    if (!inserted) {
      throw StartupError("SM001 duplicate module name '" + e.meta.name + "': " + it->second->origin + " and " +
                         e.origin);
    }
  }
  for (const auto& e : all) {
    for (const auto& dep : e.meta.depends_on) {
      if (by_name.count(dep) == 0) {
        throw StartupError("SM002 module '" + e.meta.name + "' (" + e.origin + ") depends on '" + dep +
                           "', which is not registered" +
                           (enabled_modules() ? " (or not in AEGIS_MODULES_ENABLED)" : ""));
      }
    }
  }
  return all;
}

// The path of a cycle among the modules Kahn's algorithm could not sort: "A -> B -> C -> A".
std::string cycle_path(const std::vector<Entry>& left) {
  std::map<std::string, const Entry*> by_name;
  for (const auto& e : left) by_name[e.meta.name] = &e;
  std::vector<std::string> path;
  std::string at = by_name.begin()->first;
  while (std::find(path.begin(), path.end(), at) == path.end()) {
    path.push_back(at);
    for (const auto& dep : by_name[at]->meta.depends_on) {
      if (by_name.count(dep) != 0) {
        at = dep;
        break;
      }
    }
  }
  std::string out;
  bool in_cycle = false;
  for (const auto& name : path) {
    in_cycle = in_cycle || name == at;
    if (in_cycle) out += name + " -> ";
  }
  return out + at;
}

// Kahn's algorithm over a queue sorted by name: deterministic, ties broken by name.
std::vector<Entry> sort_by_dependency(std::vector<Entry> all) {
  std::vector<Entry> sorted;
  std::set<std::string> done;
  while (!all.empty()) {
    std::vector<std::size_t> ready;
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto& deps = all[i].meta.depends_on;
      if (std::all_of(deps.begin(), deps.end(), [&](const std::string& d) { return done.count(d) != 0; })) {
        ready.push_back(i);
      }
    }
    if (ready.empty()) throw StartupError("SM003 module dependency cycle: " + cycle_path(all));
    // One at a time, the smallest name first, so that a module freed by it competes on name only.
    const std::size_t pick = *std::min_element(ready.begin(), ready.end(), [&](std::size_t a, std::size_t b) {
      return all[a].meta.name < all[b].meta.name;
    });
    done.insert(all[pick].meta.name);
    sorted.push_back(std::move(all[pick]));
    all.erase(all.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  return sorted;
}

template <class F>
void run_phase(const std::vector<Entry>& modules, const char* hook, F&& f) {
  for (const auto& e : modules) {
    spdlog::debug("module {}: {}", e.meta.name, hook);
    try {
      f(*e.module);
    } catch (const StartupError&) {
      throw;
    } catch (const std::exception& ex) {
      throw StartupError("module '" + e.meta.name + "': " + hook + " failed: " + ex.what());
    } catch (...) {
      throw StartupError("module '" + e.meta.name + "': " + hook + " failed: a non-standard exception");
    }
  }
}

}  // namespace

App& create_backend_app(App& app, IncludeRouters include_routers) {
  return create_backend_app(app, include_routers, BackendHooks::discovered());
}

App& create_backend_app(App& app, IncludeRouters include_routers, const BackendHooks& hooks) {
  configured_app.store(&app);

  // 2. Modules: collected, checked, sorted.
  const std::vector<Entry> modules = sort_by_dependency(collect(app));
  {
    std::vector<std::shared_ptr<Module>> sorted;
    for (const auto& e : modules) sorted.push_back(e.module);
    app.set_modules(std::move(sorted));
  }

  // 3. Registration phases, each over every module before the next begins.
  run_phase(modules, "register_settings", [&](Module& m) { m.register_settings(app); });
  run_phase(modules, "register_menu_items", [&](Module& m) { m.register_menu_items(app.menus()); });
  run_phase(modules, "register_permissions", [&](Module& m) { m.register_permissions(app.permissions()); });
  run_phase(modules, "register_feature_flags", [&](Module& m) { m.register_feature_flags(app.feature_flags()); });
  run_phase(modules, "register_event_handlers", [&](Module& m) { m.register_event_handlers(app.events()); });
  run_phase(modules, "register_health_checks", [&](Module& m) { m.register_health_checks(app.health()); });
  run_phase(modules, "register_exception_handlers", [&](Module& m) { m.register_exception_handlers(app); });

  // 4. Middleware: the app's discovered files in file order, then each module's.
  for (const auto& hook : hooks.of(BackendHook::Kind::middleware)) {
    const std::string file = short_file(hook.file);
    spdlog::debug("middleware file {}", file);
    app.set_registration_source(file, hook.description);
    try {
      hook.install(app);
    } catch (const std::exception& e) {
      app.set_registration_source({});
      throw StartupError("middleware file " + file + " (" + hook.name + ") failed: " + e.what());
    } catch (...) {
      app.set_registration_source({});
      throw StartupError("middleware file " + file + " (" + hook.name + ") failed: a non-standard exception");
    }
    app.set_registration_source({});
  }
  for (const auto& e : modules) {
    app.set_registration_source("module " + e.meta.name, "Added by the " + e.meta.name + " module");
    try {
      e.module->register_middleware(app);
    } catch (const StartupError&) {
      app.set_registration_source({});
      throw;
    } catch (const std::exception& ex) {
      app.set_registration_source({});
      throw StartupError("module '" + e.meta.name + "': register_middleware failed: " + ex.what());
    } catch (...) {
      app.set_registration_source({});
      throw StartupError("module '" + e.meta.name + "': register_middleware failed: a non-standard exception");
    }
    app.set_registration_source({});
  }

  // 5. Routes: the explicit registry, then the modules' routers.
  if (include_routers != nullptr) include_routers(app);
  Router api;
  Router views;
  run_phase(modules, "register_routes", [&](Module& m) { m.register_routes(api, views); });
  if (!api.routes().empty()) app.include_router(api, {.prefix = "/api"});
  if (!views.routes().empty()) app.include_router(views);

  // 7 (registered now, run at serve time). Startup: discovered hooks in file order, then modules in
  // dependency order. Shutdown runs its list backwards: modules in reverse order first, then the
  // discovered shutdown hooks in reverse file order.
  for (const auto& hook : hooks.of(BackendHook::Kind::startup)) {
    app.add_startup_hook({LifecycleHook::Kind::startup, hook.name, hook.description, short_file(hook.file), 0, hook.run});
  }
  for (const auto& hook : hooks.of(BackendHook::Kind::shutdown)) {
    app.add_shutdown_hook({LifecycleHook::Kind::shutdown, hook.name, hook.description, short_file(hook.file), 0, hook.run});
  }
  auto started = std::make_shared<std::vector<char>>(modules.size(), 0);
  for (std::size_t i = 0; i < modules.size(); ++i) {
    const auto module = modules[i].module;
    const std::string name = modules[i].meta.name;
    app.add_startup_hook({LifecycleHook::Kind::startup, "module " + name, "on_startup of module " + name,
                          modules[i].origin, 0, [module, started, i](App&) -> Task<> {
                            co_await module->on_startup();
                            (*started)[i] = 1;
                          }});
  }
  for (std::size_t i = 0; i < modules.size(); ++i) {
    const auto module = modules[i].module;
    const std::string name = modules[i].meta.name;
    // A module whose on_startup never completed is not shut down.
    app.add_shutdown_hook({LifecycleHook::Kind::shutdown, "module " + name, "on_shutdown of module " + name,
                           modules[i].origin, 0, [module, started, i](App&) -> Task<> {
                             if ((*started)[i] == 0) co_return;
                             (*started)[i] = 0;
                             co_await module->on_shutdown();
                           }});
  }

  // Diagnostics the boot can tell: SM007 and SM012 (the seed's meanings).
  for (const auto& e : modules) {
    // Probing the lifespan hooks: the default bodies record themselves; an override (a coroutine) does
    // not start until awaited, so the Tasks are dropped unrun.
    { Task<> probe = e.module->on_startup(); }
    { Task<> probe = e.module->on_shutdown(); }
    const std::uint16_t ran = e.module->defaults_ran();
    if ((ran & Module::kAll) == Module::kAll) {
      app.add_diagnostic({"SM007", Diagnostic::Level::info,
                          "module '" + e.meta.name + "' overrides no hook; is it still doing anything useful?",
                          e.origin});
    }
    if ((ran & Module::kSettings) == 0 && !app.state().contains(lower(e.meta.name))) {
      app.add_diagnostic({"SM012", Diagnostic::Level::warning,
                          "module '" + e.meta.name + "' overrides register_settings but registers no state under '" +
                              lower(e.meta.name) + "' (app.state().emplace<T>(\"" + lower(e.meta.name) + "\", ...))",
                          e.origin});
    }
  }
  return app;
}

App* get_configured_app() noexcept { return configured_app.load(); }

}  // namespace aegis
