// The admin pages /settings/permissions and /settings/feature-flags, the login page, and the JSON API under
// /api/settings/ they use. The pages are rendered here with the data in them; admin.js (web/admin) sends
// the changes.
#include <aegis/auth/auth.hpp>

#include <aegis/app/guards.hpp>
#include <aegis/handlers/params.hpp>
#include <aegis/http/http_error.hpp>
#include <aegis/json/convert.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "auth/internal.hpp"
#include "openapi/assets.hpp"

namespace aegis {
namespace settings_api {

struct PermissionGroupView {
  std::string name;
  std::vector<std::string> permissions;
};
BOOST_DESCRIBE_STRUCT(PermissionGroupView, (), (name, permissions))

struct RoleView {
  std::string name;
  std::vector<std::string> permissions;
};
BOOST_DESCRIBE_STRUCT(RoleView, (), (name, permissions))

/// What /settings/permissions shows: the declared permissions by group, the roles and the users.
struct PermissionsView {
  std::vector<PermissionGroupView> groups;
  std::vector<RoleView> roles;
  std::vector<UserInfo> users;
};
BOOST_DESCRIBE_STRUCT(PermissionsView, (), (groups, roles, users))

struct RolePermissions {
  /// Declared permissions, or "*" for all.
  std::vector<std::string> permissions;
};
BOOST_DESCRIBE_STRUCT(RolePermissions, (), (permissions))

struct UserRoles {
  std::vector<std::string> roles;
};
BOOST_DESCRIBE_STRUCT(UserRoles, (), (roles))

struct FlagOverride {
  /// "system", "tenant" or "user".
  std::string scope;
  /// The tenant or the user id; empty for the system scope.
  std::string subject;
  bool value = false;
};
BOOST_DESCRIBE_STRUCT(FlagOverride, (), (scope, subject, value))

struct FlagView {
  std::string name;
  std::string description;
  bool default_value = false;
  /// The system-wide override, when one is set.
  std::optional<bool> system;
  /// The tenant and user overrides.
  std::vector<FlagOverride> overrides;
  /// On for a request without tenant or user overrides (system override, else the default).
  bool enabled = false;
};
BOOST_DESCRIBE_STRUCT(FlagView, (), (name, description, default_value, system, overrides, enabled))

AEGIS_FIELD_RULES(FlagOverride, (scope, Pattern<"^(system|tenant|user)$">), (subject, Optional, MaxLength<128>))

}  // namespace settings_api

namespace {

using namespace settings_api;

constexpr std::string_view kAdminRole = "admin";

bool valid_role_name(std::string_view r) noexcept {
  if (r.empty() || r.size() > 64) return false;
  for (char c : r) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

FlagView flag_view(const FeatureFlag& f) {
  FlagView v{f.name, f.description, f.default_value, f.system_override, {}, f.system_override.value_or(f.default_value)};
  for (const auto& [tenant, value] : f.tenant_overrides) v.overrides.push_back({"tenant", tenant, value});
  for (const auto& [user, value] : f.user_overrides) v.overrides.push_back({"user", user, value});
  return v;
}

std::optional<FlagView> find_flag(const FeatureFlagRegistry& flags, std::string_view name) {
  for (const auto& f : flags.flags()) {
    if (f.name == name) return flag_view(f);
  }
  return std::nullopt;
}

FlagScope parse_scope(std::string_view s) {
  if (s == "system") return FlagScope::system;
  if (s == "tenant") return FlagScope::tenant;
  if (s == "user") return FlagScope::user;
  throw HttpError(422, "scope must be system, tenant or user");
}

// Roles with their permissions, users with their roles (one read transaction's worth).
// Nobody hands out more than they hold: a caller allowed to edit roles could otherwise grant itself "*"
// (or the admin role). A request without a principal passed its guard as a development loopback client,
// which is trusted with everything. Returns the first permission the caller lacks, or empty.
std::string first_not_held(const MaybePrincipal& who, const std::vector<std::string>& permissions) {
  if (!who) return {};
  for (const auto& p : permissions) {
    if (!who->has_permission(p)) return p;
  }
  return {};
}

std::vector<std::string> role_permissions(sql::Connection& c, std::string_view role) {
  std::vector<std::string> out;
  for (const auto& r : c.query("SELECT permission FROM aegis_role_permissions WHERE role = ?", role)) {
    out.push_back(r.get<std::string>(0));
  }
  return out;
}

PermissionsView load_permissions(sql::Connection& c, const PermissionRegistry& registry) {
  PermissionsView v;
  for (const auto& g : registry.groups()) v.groups.push_back({g.name, g.permissions});
  std::map<std::string, std::vector<std::string>> roles;
  for (const auto& r : c.query("SELECT name FROM aegis_roles ORDER BY name")) roles[r.get<std::string>(0)];
  for (const auto& r : c.query("SELECT role, permission FROM aegis_role_permissions ORDER BY role, permission")) {
    roles[r.get<std::string>(0)].push_back(r.get<std::string>(1));
  }
  for (auto& [name, perms] : roles) v.roles.push_back({name, std::move(perms)});
  for (const auto& r : c.query("SELECT id FROM aegis_users ORDER BY username")) {
    if (auto p = detail::load_principal_for(c, r.get<std::int64_t>(0))) {
      v.users.push_back({r.get<std::int64_t>(0), p->name, p->roles, p->permissions});
    }
  }
  return v;
}

// ---- HTML ------------------------------------------------------------------------------------------------

using detail::html_escape;

struct PageContext {
  std::string title;        // the app's
  std::string who;          // "admin", or how an anonymous loopback client got in
  bool signed_in = false;
  std::string csrf_cookie;
  std::string auth_prefix;
};

std::string page_head(const PageContext& ctx, std::string_view page_title, std::string_view current) {
  std::string h =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  h += html_escape(page_title) + " · " + html_escape(ctx.title);
  h += "</title>\n<meta name=\"aegis-csrf-cookie\" content=\"" + html_escape(ctx.csrf_cookie) + "\">\n";
  h += "<meta name=\"aegis-auth\" content=\"" + html_escape(ctx.auth_prefix) + "\">\n";
  h += "<link rel=\"stylesheet\" href=\"/settings/assets/admin.css\">\n</head>\n<body>\n";
  h += "<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header class=\"bar\">\n<span class=\"brand\">" +
       html_escape(ctx.title) + " <span class=\"muted\">settings</span></span>\n";
  if (!current.empty()) {
    h += "<nav aria-label=\"Settings\">\n";
    for (auto [href, label] : {std::pair<std::string_view, std::string_view>{"/settings/permissions", "Permissions"},
                               {"/settings/feature-flags", "Feature flags"}}) {
      h += "<a href=\"" + std::string(href) + "\"";
      if (href == current) h += " aria-current=\"page\"";
      h += ">" + std::string(label) + "</a>\n";
    }
    h += "</nav>\n<span class=\"who\">";
    if (ctx.signed_in) {
      h += "Signed in as <strong>" + html_escape(ctx.who) + "</strong> <button type=\"button\" id=\"logout\">Log out</button>";
    } else {
      h += html_escape(ctx.who) + " <a href=\"/settings/login?next=" + std::string(current) + "\">Log in</a>";
    }
    h += "</span>\n";
  }
  h += "</header>\n<main id=\"main\">\n";
  return h;
}

std::string page_tail() {
  return "<p id=\"status\" class=\"status\" role=\"status\" aria-live=\"polite\"></p>\n</main>\n"
         "<script src=\"/settings/assets/admin.js\"></script>\n</body>\n</html>\n";
}

std::string permissions_page(const PageContext& ctx, const PermissionsView& v) {
  std::string h = page_head(ctx, "Permissions", "/settings/permissions");
  h += "<h1>Permissions</h1>\n<section aria-labelledby=\"roles-h\">\n<h2 id=\"roles-h\">Roles</h2>\n"
       "<p class=\"hint\">Each column is a role; tick the permissions it grants. The <code>admin</code> role holds "
       "every permission and cannot be changed.</p>\n"
       "<form id=\"new-role\" class=\"inline\">\n<label for=\"new-role-name\">New role</label>\n"
       "<input id=\"new-role-name\" name=\"role\" required maxlength=\"64\" pattern=\"[a-z0-9_.\\-]+\" "
       "placeholder=\"clerk\" autocomplete=\"off\">\n<button type=\"submit\">Add role</button>\n</form>\n"
       "<div class=\"table-wrap\">\n<table class=\"matrix\" id=\"roles\">\n<thead>\n<tr><th scope=\"col\">Permission</th>";
  std::map<std::string, std::set<std::string>> grants;
  for (const auto& r : v.roles) grants[r.name].insert(r.permissions.begin(), r.permissions.end());
  for (const auto& r : v.roles) {
    h += "<th scope=\"col\"><span class=\"role-name\">" + html_escape(r.name) + "</span>";
    if (r.name != kAdminRole) {
      h += " <button type=\"button\" class=\"link danger\" data-delete-role=\"" + html_escape(r.name) +
           "\" aria-label=\"Delete role " + html_escape(r.name) + "\">Delete</button>";
    }
    h += "</th>";
  }
  h += "</tr>\n</thead>\n";
  // Declared permissions by group, then any a role holds that no module declares (so they can be removed).
  std::set<std::string> declared;
  auto row = [&](const std::string& perm) {
    h += "<tr><th scope=\"row\"><code>" + html_escape(perm) + "</code></th>";
    for (const auto& r : v.roles) {
      const bool all = grants[r.name].contains("*");
      const bool on = all || grants[r.name].contains(perm);
      h += "<td><input type=\"checkbox\" data-role=\"" + html_escape(r.name) + "\" data-permission=\"" +
           html_escape(perm) + "\" aria-label=\"" + html_escape(r.name) + ": " + html_escape(perm) + "\"";
      if (on) h += " checked";
      if (r.name == kAdminRole || all) h += " disabled";
      h += "></td>";
    }
    h += "</tr>\n";
  };
  for (const auto& g : v.groups) {
    h += "<tbody>\n<tr class=\"group\"><th scope=\"rowgroup\" colspan=\"" + std::to_string(v.roles.size() + 1) + "\">" +
         html_escape(g.name) + "</th></tr>\n";
    for (const auto& p : g.permissions) {
      declared.insert(p);
      row(p);
    }
    h += "</tbody>\n";
  }
  std::set<std::string> stray;
  for (const auto& r : v.roles) {
    for (const auto& p : r.permissions) {
      if (p != "*" && !declared.contains(p)) stray.insert(p);
    }
  }
  if (!stray.empty()) {
    h += "<tbody>\n<tr class=\"group\"><th scope=\"rowgroup\" colspan=\"" + std::to_string(v.roles.size() + 1) +
         "\">Not declared by any module</th></tr>\n";
    for (const auto& p : stray) row(p);
    h += "</tbody>\n";
  }
  h += "</table>\n</div>\n</section>\n";

  h += "<section aria-labelledby=\"users-h\">\n<h2 id=\"users-h\">Users</h2>\n";
  if (v.users.empty()) {
    h += "<p class=\"hint\">No users yet: create one with <code>./app users create-admin</code>.</p>\n";
  } else {
    h += "<div class=\"table-wrap\">\n<table class=\"matrix\" id=\"users\">\n<thead>\n<tr><th scope=\"col\">User</th>";
    for (const auto& r : v.roles) h += "<th scope=\"col\">" + html_escape(r.name) + "</th>";
    h += "</tr>\n</thead>\n<tbody>\n";
    for (const auto& u : v.users) {
      const std::string id = std::to_string(u.id);
      h += "<tr><th scope=\"row\">" + html_escape(u.username) + " <span class=\"muted\">#" + id + "</span></th>";
      for (const auto& r : v.roles) {
        const bool on = std::find(u.roles.begin(), u.roles.end(), r.name) != u.roles.end();
        h += "<td><input type=\"checkbox\" data-user-id=\"" + id + "\" data-user-role=\"" + html_escape(r.name) +
             "\" aria-label=\"" + html_escape(u.username) + ": role " + html_escape(r.name) + "\"" +
             (on ? " checked" : "") + "></td>";
      }
      h += "</tr>\n";
    }
    h += "</tbody>\n</table>\n</div>\n";
  }
  h += "</section>\n";
  return h + page_tail();
}

std::string flags_page(const PageContext& ctx, const std::vector<FlagView>& flags) {
  std::string h = page_head(ctx, "Feature flags", "/settings/feature-flags");
  h += "<h1>Feature flags</h1>\n<p class=\"hint\">A user override beats a tenant override, which beats the "
       "system-wide setting, which beats the module's default.</p>\n";
  if (flags.empty()) h += "<p>No module declares a feature flag.</p>\n";
  for (const auto& f : flags) {
    const std::string name = html_escape(f.name);
    const std::string id = "flag-" + std::to_string(&f - flags.data());
    h += "<section class=\"card flag\" data-flag=\"" + name + "\" aria-labelledby=\"" + id + "\">\n<div class=\"flag-head\">\n"
         "<h2 id=\"" + id + "\"><code>" + name + "</code></h2>\n<span class=\"pill " + (f.enabled ? "on" : "off") +
         "\" data-effective>" + (f.enabled ? "On" : "Off") + "</span>\n</div>\n";
    if (!f.description.empty()) h += "<p>" + html_escape(f.description) + "</p>\n";
    h += "<div class=\"inline\">\n<label for=\"" + id + "-system\">System-wide</label>\n<select id=\"" + id +
         "-system\" data-flag-system=\"" + name + "\">\n";
    h += std::string("<option value=\"\"") + (!f.system ? " selected" : "") + ">Default (" +
         (f.default_value ? "on" : "off") + ")</option>\n";
    h += std::string("<option value=\"on\"") + (f.system && *f.system ? " selected" : "") + ">On</option>\n";
    h += std::string("<option value=\"off\"") + (f.system && !*f.system ? " selected" : "") + ">Off</option>\n";
    h += "</select>\n</div>\n";
    h += "<table class=\"overrides\">\n<caption>Tenant and user overrides</caption>\n<thead><tr><th scope=\"col\">Scope</th>"
         "<th scope=\"col\">Subject</th><th scope=\"col\">Value</th><th scope=\"col\"><span class=\"sr-only\">Actions"
         "</span></th></tr></thead>\n<tbody>\n";
    if (f.overrides.empty()) h += "<tr><td colspan=\"4\" class=\"muted\">None</td></tr>\n";
    for (const auto& o : f.overrides) {
      h += "<tr><td>" + html_escape(o.scope) + "</td><td><code>" + html_escape(o.subject) + "</code></td><td>" +
           (o.value ? "On" : "Off") + "</td><td><button type=\"button\" class=\"link danger\" data-remove-override "
           "data-flag=\"" + name + "\" data-scope=\"" + html_escape(o.scope) + "\" data-subject=\"" +
           html_escape(o.subject) + "\">Remove</button></td></tr>\n";
    }
    h += "</tbody>\n</table>\n";
    h += "<form class=\"inline add-override\" data-flag=\"" + name + "\">\n"
         "<label for=\"" + id + "-scope\">Scope</label><select id=\"" + id + "-scope\" name=\"scope\">"
         "<option value=\"user\">User</option><option value=\"tenant\">Tenant</option></select>\n"
         "<label for=\"" + id + "-subject\">User id or tenant</label><input id=\"" + id + "-subject\" name=\"subject\" "
         "required maxlength=\"128\" autocomplete=\"off\">\n"
         "<label for=\"" + id + "-value\">Value</label><select id=\"" + id + "-value\" name=\"value\">"
         "<option value=\"on\">On</option><option value=\"off\">Off</option></select>\n"
         "<button type=\"submit\">Add override</button>\n</form>\n</section>\n";
  }
  return h + page_tail();
}

// What a signed-in user without the page's permission sees (with status 403), rather than a JSON error.
std::string forbidden_page(const PageContext& ctx, std::string_view page_title, std::string_view here,
                           std::string_view permission) {
  std::string h = page_head(ctx, page_title, here);
  h += "<section class=\"card narrow\" aria-labelledby=\"denied-h\">\n<h1 id=\"denied-h\">You may not see this "
       "page</h1>\n<p>Your account does not hold the permission <code>" +
       html_escape(permission) +
       "</code>. Ask an administrator to grant it to one of your roles, then reload this page.</p>\n</section>\n";
  return h + page_tail();
}

std::string login_page(const PageContext& ctx) {
  std::string h = page_head(ctx, "Log in", "");
  h += "<section class=\"card narrow\" aria-labelledby=\"login-h\">\n<h1 id=\"login-h\">Log in</h1>\n"
       "<form id=\"login\">\n<label for=\"username\">Username</label>\n"
       "<input id=\"username\" name=\"username\" required autocomplete=\"username\" maxlength=\"64\">\n"
       "<label for=\"password\">Password</label>\n"
       "<input id=\"password\" name=\"password\" type=\"password\" required autocomplete=\"current-password\">\n"
       "<button type=\"submit\">Log in</button>\n</form>\n</section>\n";
  return h + page_tail();
}

}  // namespace

Router settings_router(App& app, SettingsRouterOptions options) {
  auto* service = app.state().find<AuthService>();
  if (service == nullptr) throw StartupError("settings_router: call aegis::use_auth(app) first");
  if (options.auth_prefix.empty() || options.auth_prefix.front() != '/') {
    throw std::invalid_argument("settings_router: auth_prefix must start with '/'");
  }
  const std::string perms_permission(kSettingsPermissionsPermission);
  const std::string flags_permission(kSettingsFlagsPermission);
  Router r;
  App* a = &app;

  // Who is looking at a page; an anonymous visitor who may not (production, or not loopback) is sent to
  // the login page instead of a bare 401, and a signed-in user without the permission gets a page that
  // says so (403).
  auto page_context = [a, service, options](const Request& req, Response& res, std::string_view permission,
                                            std::string_view title,
                                            std::string_view here) -> std::optional<PageContext> {
    PageContext ctx{a->settings().title, {}, req.principal() != nullptr, service->settings().csrf_cookie,
                    options.auth_prefix};
    try {
      require_admin(req, a->settings(), permission);
    } catch (const HttpError& e) {
      if (e.status() == 403 && req.principal() != nullptr) {
        ctx.who = req.principal()->name;
        res.set_status(403);
        res.set_header("Content-Type", "text/html; charset=utf-8");
        res.set_header("Cache-Control", "no-store");
        res.set_body(forbidden_page(ctx, title, here, permission));
        return std::nullopt;
      }
      if (e.status() != 401) throw;
      res.set_status(303);
      res.set_header("Location", "/settings/login?next=" + std::string(here));
      return std::nullopt;
    }
    ctx.who = req.principal() != nullptr ? req.principal()->name : "Development: open to this computer";
    return ctx;
  };

  r.get("/settings/permissions", [page_context, perms_permission, a](const Request& req, Response& res,
                                                                   State<sql::Database> db) -> Task<void> {
     auto ctx = page_context(req, res, perms_permission, "Permissions", "/settings/permissions");
     if (!ctx) co_return;
     const PermissionRegistry& registry = a->permissions();
     PermissionsView v = co_await db->run([&](sql::Connection& c) { return load_permissions(c, registry); });
     res.set_header("Content-Type", "text/html; charset=utf-8");
     res.set_header("Cache-Control", "no-store");
     res.set_body(permissions_page(*ctx, v));
   })
      .include_in_schema(false)
      .checks_permission(perms_permission);

  r.get("/settings/feature-flags", [page_context, flags_permission, a](const Request& req, Response& res) {
     auto ctx = page_context(req, res, flags_permission, "Feature flags", "/settings/feature-flags");
     if (!ctx) return;
     std::vector<FlagView> flags;
     for (const auto& f : a->feature_flags().flags()) flags.push_back(flag_view(f));
     res.set_header("Content-Type", "text/html; charset=utf-8");
     res.set_header("Cache-Control", "no-store");
     res.set_body(flags_page(*ctx, flags));
   })
      .include_in_schema(false)
      .checks_permission(flags_permission);

  r.get("/settings/login", [a, service, options](Response& res) {
     PageContext ctx{a->settings().title, {}, false, service->settings().csrf_cookie, options.auth_prefix};
     res.set_header("Content-Type", "text/html; charset=utf-8");
     res.set_body(login_page(ctx));
   }).include_in_schema(false);

  for (const auto& asset : detail::admin_assets()) {
    r.get("/settings/assets/" + std::string(asset.name), [&asset](const Request& req, Response& res) {
       res.set_header("Cache-Control", "no-cache");
       detail::send_asset(req, res, asset);
     }).include_in_schema(false);
  }

  // ---- roles and users ----
  auto perms_guard = require_admin_access(app, perms_permission);
  auto flags_guard = require_admin_access(app, flags_permission);

  r.get("/api/settings/permissions", [a](State<sql::Database> db) -> Task<PermissionsView> {
     const PermissionRegistry& registry = a->permissions();
     co_return co_await db->run([&](sql::Connection& c) { return load_permissions(c, registry); });
   })
      .dependencies({perms_guard})
      .summary("Permissions by group, roles with their permissions, users with their roles")
      .tags({"settings"});

  r.put("/api/settings/roles/{role}",
        [a](Path<std::string, "role"> role, Body<RolePermissions> body, State<sql::Database> db,
           State<AuthService> auth, Depends<MaybePrincipal> who) -> Task<RoleView> {
          if (!valid_role_name(*role)) {
            throw HttpError(422, "A role name has 1 to 64 lower-case letters, digits, '_', '-' or '.'");
          }
          if (*role == kAdminRole) throw HttpError(409, "The admin role holds every permission and cannot be changed");
          std::set<std::string> perms;
          // A permission no module declares (any more) may stay on a role that holds it, so that the role's
          // other permissions can still be edited; it cannot be granted anew.
          std::vector<std::string> undeclared;
          for (const auto& p : body->permissions) {
            if (p != "*" && !a->permissions().declared(p)) undeclared.push_back(p);
            perms.insert(p);
          }
          if (const auto lacking = first_not_held(*who, body->permissions); !lacking.empty()) {
            throw HttpError(403, "You cannot grant '" + lacking + "': you do not hold it");
          }
          std::string lacking;
          std::string unknown;
          co_await db->run([&](sql::Connection& c) {
            c.transaction([&] {
              const std::vector<std::string> held = role_permissions(c, *role);
              for (const auto& p : undeclared) {
                if (std::find(held.begin(), held.end(), p) == held.end()) {
                  unknown = p;
                  return;
                }
              }
              // Nor take away what one does not hold, from a role others may rely on.
              lacking = first_not_held(*who, held);
              if (!lacking.empty()) return;
              c.execute("INSERT OR IGNORE INTO aegis_roles (name) VALUES (?)", *role);
              c.execute("DELETE FROM aegis_role_permissions WHERE role = ?", *role);
              for (const auto& p : perms) c.execute("INSERT INTO aegis_role_permissions (role, permission) VALUES (?, ?)", *role, p);
            });
          });
          if (!unknown.empty()) throw HttpError(422, "Permission '" + unknown + "' is not declared by any module");
          if (!lacking.empty()) {
            throw HttpError(403, "You cannot change a role that holds '" + lacking + "': you do not hold it");
          }
          auth->invalidate_principals();
          co_return RoleView{*role, std::vector<std::string>(perms.begin(), perms.end())};
        })
      .dependencies({perms_guard})
      .summary("Create a role or replace its permissions")
      .responses({{403, "The role would grant a permission the caller does not hold"},
                  {409, "The admin role cannot be changed"}})
      .tags({"settings"});

  r.del("/api/settings/roles/{role}",
        [](Path<std::string, "role"> role, State<sql::Database> db, State<AuthService> auth,
           Depends<MaybePrincipal> who) -> Task<void> {
          if (*role == kAdminRole) throw HttpError(409, "The admin role cannot be deleted");
          std::string lacking;
          const auto removed = co_await db->run([&](sql::Connection& c) {
            return c.transaction([&]() -> std::int64_t {
              lacking = first_not_held(*who, role_permissions(c, *role));
              if (!lacking.empty()) return 0;
              return c.execute("DELETE FROM aegis_roles WHERE name = ?", *role);
            });
          });
          if (!lacking.empty()) {
            throw HttpError(403, "You cannot delete a role that holds '" + lacking + "': you do not hold it");
          }
          if (removed == 0) throw HttpError(404, "No such role");
          auth->invalidate_principals();
        })
      .dependencies({perms_guard})
      .summary("Delete a role (its users lose it)")
      .responses({{403, "The role holds a permission the caller does not hold"},
                  {404, "No such role"},
                  {409, "The admin role cannot be deleted"}})
      .tags({"settings"});

  r.put("/api/settings/users/{id:int}/roles",
        [](Path<std::int64_t, "id"> id, Body<UserRoles> body, State<sql::Database> db,
           State<AuthService> auth, Depends<MaybePrincipal> who) -> Task<UserInfo> {
          const std::set<std::string> roles(body->roles.begin(), body->roles.end());
          enum class Outcome { ok, no_user, unknown_role, last_admin, not_held };
          std::string unknown;
          std::string lacking;
          UserInfo info;
          const Outcome outcome = co_await db->run([&](sql::Connection& c) {
            return c.transaction([&] {
              if (!c.query_one("SELECT 1 FROM aegis_users WHERE id = ?", *id)) return Outcome::no_user;
              for (const auto& r : roles) {
                if (!c.query_one("SELECT 1 FROM aegis_roles WHERE name = ?", r)) {
                  unknown = r;
                  return Outcome::unknown_role;
                }
              }
              // Every role given or taken away must grant nothing the caller lacks.
              std::set<std::string> changed = roles;
              for (const auto& r : c.query("SELECT role FROM aegis_user_roles WHERE user_id = ?", *id)) {
                auto name = r.get<std::string>(0);
                if (!changed.erase(name)) changed.insert(std::move(name));
              }
              for (const auto& r : changed) {
                lacking = first_not_held(*who, role_permissions(c, r));
                if (!lacking.empty()) {
                  unknown = r;
                  return Outcome::not_held;
                }
              }
              if (!roles.contains(std::string(kAdminRole))) {
                // Someone must be able to come back here.
                auto others = c.query_one("SELECT COUNT(*) FROM aegis_user_roles WHERE role = ? AND user_id <> ?",
                                          kAdminRole, *id);
                auto self = c.query_one("SELECT 1 FROM aegis_user_roles WHERE role = ? AND user_id = ?", kAdminRole, *id);
                if (self && others && others->get<std::int64_t>(0) == 0) return Outcome::last_admin;
              }
              c.execute("DELETE FROM aegis_user_roles WHERE user_id = ?", *id);
              for (const auto& r : roles) c.execute("INSERT INTO aegis_user_roles (user_id, role) VALUES (?, ?)", *id, r);
              auto p = detail::load_principal_for(c, *id);
              info = UserInfo{*id, p->name, p->roles, p->permissions};
              return Outcome::ok;
            });
          });
          switch (outcome) {
            case Outcome::no_user: throw HttpError(404, "No such user");
            case Outcome::unknown_role: throw HttpError(422, "No role named '" + unknown + "'");
            case Outcome::last_admin: throw HttpError(409, "The last administrator cannot lose the admin role");
            case Outcome::not_held:
              throw HttpError(403, "You cannot give or take the role '" + unknown + "': it holds '" + lacking +
                                       "', which you do not hold");
            case Outcome::ok: break;
          }
          auth->invalidate_principals();
          co_return info;
        })
      .dependencies({perms_guard})
      .summary("Replace a user's roles")
      .responses({{403, "A role given or taken grants a permission the caller does not hold"},
                  {404, "No such user"},
                  {409, "The last administrator cannot lose the admin role"}})
      .tags({"settings"});

  // ---- feature flags ----
  r.get("/api/settings/flags", [a]() {
     std::vector<FlagView> out;
     for (const auto& f : a->feature_flags().flags()) out.push_back(flag_view(f));
     return out;
   })
      .dependencies({flags_guard})
      .summary("Every feature flag with its default and overrides")
      .tags({"settings"});

  r.put("/api/settings/flags/{name}",
        [a](Path<std::string, "name"> name, Body<FlagOverride> body, State<sql::Database> db) -> Task<FlagView> {
          FeatureFlagRegistry& flags = a->feature_flags();
          if (!flags.declared(*name)) throw HttpError(404, "No feature flag named '" + *name + "'");
          const FlagScope scope = parse_scope(body->scope);
          const std::string subject = scope == FlagScope::system ? std::string() : body->subject;
          if (scope != FlagScope::system && subject.empty()) {
            throw HttpError(422, "A " + body->scope + " override needs a subject (the " + body->scope + ")");
          }
          const bool value = body->value;
          // Stored first: what the registry serves is always what a restart would load.
          co_await db->run([&](sql::Connection& c) {
            c.execute("INSERT INTO aegis_flag_overrides (scope, subject, name, value) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (scope, subject, name) DO UPDATE SET value = excluded.value",
                      body->scope, subject, *name, value);
          });
          flags.set_override(scope, subject, *name, value);
          co_return *find_flag(flags, *name);
        })
      .dependencies({flags_guard})
      .summary("Set a system, tenant or user override of a flag")
      .responses({{404, "No such flag"}})
      .tags({"settings"});

  r.del("/api/settings/flags/{name}",
        [a](Path<std::string, "name"> name, Query<std::string, "scope", Pattern<"^(system|tenant|user)$">> scope_name,
           Query<std::optional<std::string>, "subject", MaxLength<128>> subject_param,
           State<sql::Database> db) -> Task<void> {
          FeatureFlagRegistry& flags = a->feature_flags();
          if (!flags.declared(*name)) throw HttpError(404, "No feature flag named '" + *name + "'");
          const FlagScope scope = parse_scope(*scope_name);
          const std::string subject = scope == FlagScope::system ? std::string() : subject_param->value_or("");
          if (scope != FlagScope::system && subject.empty()) {  // as the PUT answers it
            throw HttpError(422, "A " + *scope_name + " override needs a subject (the " + *scope_name + ")");
          }
          const auto removed = co_await db->run([&](sql::Connection& c) {
            return c.execute("DELETE FROM aegis_flag_overrides WHERE scope = ? AND subject = ? AND name = ?", *scope_name,
                             subject, *name);
          });
          if (removed == 0) throw HttpError(404, "No such override");
          flags.clear_override(scope, subject, *name);
        })
      .dependencies({flags_guard})
      .summary("Remove an override of a flag")
      .responses({{404, "No such flag or override"}})
      .tags({"settings"});
  return r;
}

}  // namespace aegis
