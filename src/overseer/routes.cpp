// /overseer and /overseer/api/*.
#include <aegis/overseer/overseer.hpp>

#include <aegis/app/guards.hpp>
#include <aegis/auth/auth.hpp>
#include <aegis/http/http_error.hpp>
#include <aegis/json/convert.hpp>
#include <aegis/modules/module.hpp>

#include <boost/json.hpp>

#include <algorithm>

#include "openapi/assets.hpp"

namespace aegis {

namespace {

namespace json = boost::json;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::string page(const AppSettings& s) {
  using detail::html_escape;
  return "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" "
         "content=\"width=device-width, initial-scale=1\">\n<title>Overseer · " +
         html_escape(s.title) +
         "</title><link rel=\"stylesheet\" href=\"/overseer/assets/overseer.css\"></head>\n<body>\n"
         "<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header class=\"bar\"><span class=\"brand\">" +
         html_escape(s.title) + " <span class=\"muted\">Overseer</span></span><span class=\"env\">" +
         html_escape(s.environment) +
         "</span></header>\n<main id=\"main\" data-api=\"/overseer/api\" aria-busy=\"true\"><h1>Overseer</h1>"
         "<p class=\"loading\">Loading…</p></main>\n<script src=\"/overseer/assets/overseer.js\"></script>\n"
         "</body></html>\n";
}

// The components' cards with their live status, from the (cached) health report.
std::string components_json(const App& app, const Overseer& overseer, const HealthReport& report) {
  json::array checks;
  std::map<std::string, const HealthCheckResult*> by_name;
  for (const auto& c : report.checks) {
    by_name[c.name] = &c;
    checks.push_back(json::object{{"name", c.name},
                                  {"status", c.ok ? "healthy" : "failing"},
                                  {"critical", c.critical},
                                  {"detail", c.detail},
                                  {"duration_ms", c.duration_ms}});
  }
  json::array components;
  const Overseer::Summary s = overseer.summary();
  components.push_back(json::object{
      {"id", "backend"},
      {"name", "Backend"},
      {"kind", "backend"},
      {"status", "healthy"},  // it is answering this request
      {"detail", std::to_string(s.endpoints) + " endpoints · " + std::to_string(s.middleware) + " middleware · " +
                     std::to_string(s.security_layers) + " security layers"}});
  json::object database{{"id", "database"}, {"name", "Database"}, {"kind", "database"}};
  if (auto it = by_name.find("database"); it != by_name.end()) {
    database["status"] = it->second->ok ? "healthy" : "failing";
    database["detail"] = it->second->detail;
  } else {
    database["status"] = "unknown";
    database["detail"] = "No database is configured";
  }
  components.push_back(std::move(database));
  for (const auto& m : app.modules()) {
    const ModuleMeta meta = m->meta();
    const std::string prefix = lower(meta.name) + ".";
    json::array own;
    bool any = false;
    bool failing = false;
    for (const auto& c : report.checks) {
      if (!c.name.starts_with(prefix)) continue;
      own.emplace_back(c.name);
      any = true;
      failing = failing || !c.ok;
    }
    // A module that booted is running; its own checks, when it has some, say more.
    std::string detail = meta.version.empty() ? std::string() : "v" + meta.version;
    if (!any) detail += (detail.empty() ? "" : " · ") + std::string("no health checks");
    if (!meta.depends_on.empty()) {
      std::string deps;
      for (const auto& d : meta.depends_on) deps += (deps.empty() ? "" : ", ") + d;
      detail += (detail.empty() ? "" : " · ") + std::string("depends on ") + deps;
    }
    components.push_back(json::object{{"id", "module-" + lower(meta.name)},
                                      {"name", meta.name},
                                      {"kind", "module"},
                                      {"status", failing ? "failing" : "healthy"},
                                      {"detail", detail},
                                      {"checks", std::move(own)}});
  }
  DateTime at;
  at.time = std::chrono::time_point_cast<std::chrono::microseconds>(report.checked_at);
  at.offset_minutes = 0;
  json::object out{{"status", report.healthy ? "healthy" : "unhealthy"},
                   {"checked_at", at.to_string()},
                   {"components", std::move(components)},
                   {"checks", std::move(checks)}};
  std::string text;
  append_json(text, Json(std::move(out)));
  return text;
}

bool serves_login_page(const App& app) {
  const auto routes = app.routes();
  return std::any_of(routes.begin(), routes.end(), [](const auto& r) {
    return r.info.method == Method::get && r.info.path == "/settings/login";
  });
}

}  // namespace

Router overseer_router(App& app) {
  Overseer* overseer = app.state().find<Overseer>();
  if (overseer == nullptr) throw StartupError("overseer_router: call aegis::use_overseer(app) first");
  const std::string permission(kOverseerPermission);
  App* a = &app;
  Router r;

  r.get("/overseer", [a, permission](const Request& req, Response& res) {
     try {
       require_admin(req, a->settings(), permission);
     } catch (const HttpError& e) {
       // Anonymous: to the login page when the app serves one. Otherwise (no login page, or signed in
       // without the permission) the page itself with the refusal's status: its script finds the API
       // refused too and says why, in place of a JSON error.
       if (e.status() == 401 && serves_login_page(*a)) {
         res.set_status(303);
         res.set_header("Location", "/settings/login?next=/overseer");
         return;
       }
       if (e.status() != 401 && e.status() != 403) throw;
       res.set_status(e.status());
       for (const auto& [name, value] : e.headers()) res.set_header(name, value);  // WWW-Authenticate on a 401
     }
     res.set_header("Content-Type", "text/html; charset=utf-8");
     res.set_header("Cache-Control", "no-store");
     res.set_body(page(a->settings()));
   })
      .include_in_schema(false)
      .checks_permission(permission);

  for (const auto& asset : detail::overseer_assets()) {
    r.get("/overseer/assets/" + std::string(asset.name), [&asset](const Request& req, Response& res) {
       res.set_header("Cache-Control", "no-cache");
       detail::send_asset(req, res, asset);
     }).include_in_schema(false);
  }

  auto guard = require_admin_access(app, permission);
  r.get("/overseer/api/components", [a, overseer](Response& res) -> Task<void> {
     auto report = co_await a->health().cached(a->settings().health_cache);
     res.set_header("Cache-Control", "no-store");
     res.json_text(components_json(*a, *overseer, *report));
   })
      .dependencies({guard})
      .summary("The components with their live status and every health check")
      .tags({"overseer"});
  r.get("/overseer/api/metadata", [overseer](Response& res) {
     if (!overseer->captured()) {
       throw HttpError(503, "The app's structure has not been captured: call Overseer::capture(app) in a startup hook");
     }
     res.set_header("Cache-Control", "no-store");
     res.json_text(overseer->metadata_json());
   })
      .dependencies({guard})
      .summary("Routes, middleware, lifecycle hooks, modules and health checks, as captured at boot")
      .tags({"overseer"})
      .responses({{503, "Not captured yet"}});
  r.get("/overseer/api/metrics", [overseer](Response& res) {
     res.set_header("Cache-Control", "no-store");
     res.json_text(overseer->metrics_json());
   })
      .dependencies({guard})
      .summary("Host and process metrics, read now (CPU, memory, disk of the data folder, RSS, uptime)")
      .tags({"overseer"});
  return r;
}

}  // namespace aegis
