// use_database and use_auth: what they register, the framework's migrations, and the `users` command.
#include <aegis/auth/auth.hpp>

#include <aegis/app/guards.hpp>
#include <aegis/modules/settings.hpp>

#include <spdlog/spdlog.h>

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <optional>

#include "auth/internal.hpp"

namespace aegis {

sql::Database& use_database(App& app, std::optional<std::string> url) {
  if (app.state().find<sql::Database>() != nullptr) return app.state().get<sql::Database>();
  const std::string chosen = url ? *url : detail::settings_value("AEGIS_DATABASE_URL").value_or("sqlite:///./aegis.db");
  std::shared_ptr<sql::Database> db;
  try {
    db = sql::Database::open(chosen);
  } catch (const std::exception& e) {
    throw StartupError(std::string("cannot open the database: ") + e.what());
  }
  app.state().emplace<sql::Migrations>("aegis.migrations");
  sql::Database& ref = app.state().put<sql::Database>("aegis.database", db);
  // Before every other startup hook: the schema must be current before anything uses it.
  app.add_startup_hook({LifecycleHook::Kind::startup, "database", "Apply the pending database migrations",
                        "aegis (built-in)", 0, [db](App& a) -> Task<> {
                          const auto& m = a.state().get<sql::Migrations>();
                          const int applied = co_await db->run([&m](sql::Connection& c) { return m.apply(c); });
                          if (applied > 0) spdlog::info("database {}: {} migration(s) applied", db->url(), applied);
                        }});
  // Ready only while the database answers.
  app.health().add("database", [db]() -> Task<HealthStatus> {
    try {
      co_await db->run([](sql::Connection& c) { c.query("SELECT 1"); });
      co_return HealthStatus::healthy(std::string(db->dialect()));
    } catch (const std::exception& e) {
      // /health/ready is public: the error (which may name files) goes to the log, not to the answer.
      spdlog::warn("health check database: {}", e.what());
      co_return HealthStatus::failing("the database did not answer a query");
    }
  });
  return ref;
}

sql::Migrations& migrations(App& app) {
  auto* m = app.state().find<sql::Migrations>();
  if (m == nullptr) throw std::logic_error("migrations(app): call aegis::use_database(app) first");
  return *m;
}

namespace detail {

void add_auth_migrations(sql::Migrations& m) {
  m.add({"aegis", 1, "users, roles, sessions, tokens, flag overrides", R"sql(
CREATE TABLE aegis_users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE aegis_roles (name TEXT PRIMARY KEY);
CREATE TABLE aegis_role_permissions (
  role TEXT NOT NULL REFERENCES aegis_roles(name) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  PRIMARY KEY (role, permission)
);
CREATE TABLE aegis_user_roles (
  user_id INTEGER NOT NULL REFERENCES aegis_users(id) ON DELETE CASCADE,
  role TEXT NOT NULL REFERENCES aegis_roles(name) ON DELETE CASCADE,
  PRIMARY KEY (user_id, role)
);
CREATE TABLE aegis_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES aegis_users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX aegis_sessions_user ON aegis_sessions(user_id);
CREATE TABLE aegis_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES aegis_users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE aegis_flag_overrides (
  scope TEXT NOT NULL CHECK (scope IN ('system', 'tenant', 'user')),
  subject TEXT NOT NULL,
  name TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (scope, subject, name)
);
INSERT INTO aegis_roles (name) VALUES ('admin');
INSERT INTO aegis_role_permissions (role, permission) VALUES ('admin', '*');
)sql"});
  // Every login deletes the expired sessions; without the index that is a scan of the whole table.
  m.add({"aegis", 2, "index sessions by expiry", "CREATE INDEX aegis_sessions_expires ON aegis_sessions(expires_at);"});
  // The roles modules declare are copied in once: a role an administrator deleted stays deleted. The roles
  // stored so far count as copied.
  m.add({"aegis", 3, "remember which declared roles were copied in", R"sql(
CREATE TABLE aegis_seeded_roles (name TEXT PRIMARY KEY);
INSERT INTO aegis_seeded_roles (name) SELECT name FROM aegis_roles;
)sql"});
}

void load_persisted_state(sql::Connection& c, App& app) {
  c.transaction([&] {
    for (const auto& [role, grants] : app.permissions().roles()) {
      // Once: administrators may have changed or deleted it since.
      if (c.query_one("SELECT 1 FROM aegis_seeded_roles WHERE name = ?", role)) continue;
      c.execute("INSERT INTO aegis_seeded_roles (name) VALUES (?)", role);
      if (c.query_one("SELECT 1 FROM aegis_roles WHERE name = ?", role)) continue;  // an administrator's own
      c.execute("INSERT INTO aegis_roles (name) VALUES (?)", role);
      for (const auto& p : grants) c.execute("INSERT INTO aegis_role_permissions (role, permission) VALUES (?, ?)", role, p);
    }
  });
  auto& flags = app.feature_flags();
  std::vector<FeatureFlagOverride> stored;
  for (const auto& r : c.query("SELECT scope, subject, name, value FROM aegis_flag_overrides ORDER BY scope, subject, name")) {
    const std::string scope = r.get<std::string>(0);
    std::string name = r.get<std::string>(2);
    if (!flags.declared(name)) {
      spdlog::warn("a stored override of feature flag '{}' is ignored: no module declares the flag", name);
      continue;
    }
    const FlagScope s = scope == "system" ? FlagScope::system : scope == "tenant" ? FlagScope::tenant : FlagScope::user;
    stored.push_back({s, r.get<std::string>(1), std::move(name), r.get<bool>(3)});
  }
  flags.set_overrides(stored);  // one snapshot for all of them
}

}  // namespace detail

namespace {

// Reads a password without echo when standard input is a terminal.
std::string read_password(const std::string& prompt, bool from_stdin) {
  std::string line;
  if (!from_stdin && ::isatty(STDIN_FILENO) != 0) {
    std::cerr << prompt << std::flush;
    termios old{};
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, line);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  } else {
    std::getline(std::cin, line);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int users_command(App& app, std::span<const std::string> args) {
  constexpr const char* kUsage =
      "usage: app users create-admin [--username NAME] [--password-stdin]\n"
      "       app users create --username NAME [--role ROLE]... [--password-stdin]\n"
      "  create-admin makes a user holding the admin role (named admin unless --username says otherwise);\n"
      "  create makes a user with the given roles (which must exist). The password is asked for twice on a\n"
      "  terminal, or read as one line from standard input with --password-stdin (or when standard input is\n"
      "  not a terminal).\n";
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    std::cout << kUsage;
    return 0;
  }
  const bool admin = !args.empty() && args[0] == "create-admin";
  if (args.empty() || (!admin && args[0] != "create")) {
    if (!args.empty()) std::cerr << "error: unknown users command '" << args[0] << "'\n";
    std::cerr << kUsage;
    return 2;
  }
  std::string username = admin ? "admin" : "";
  std::vector<std::string> roles;
  if (admin) roles.emplace_back("admin");
  bool from_stdin = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--username" && i + 1 < args.size()) {
      username = args[++i];
    } else if (!admin && args[i] == "--role" && i + 1 < args.size()) {
      roles.push_back(args[++i]);
    } else if (args[i] == "--password-stdin") {
      from_stdin = true;
    } else if ((args[i] == "--username" || (!admin && args[i] == "--role")) && i + 1 == args.size()) {
      std::cerr << "error: " << args[i] << " needs a value\n" << kUsage;
      return 2;
    } else {
      std::cerr << "error: unknown argument '" << args[i] << "'\n" << kUsage;
      return 2;
    }
  }
  if (username.empty()) {
    std::cerr << "error: --username is required\n" << kUsage;
    return 2;
  }
  std::string password = read_password("Password for " + username + ": ", from_stdin);
  if (!from_stdin && ::isatty(STDIN_FILENO) != 0 && read_password("Repeat it: ", false) != password) {
    std::cerr << "error: the passwords differ\n";
    return 1;
  }
  auto& db = app.state().get<sql::Database>();
  db.with_connection([&](sql::Connection& c) {
    app.state().get<sql::Migrations>().apply(c);
    detail::load_persisted_state(c, app);
  });
  if (!admin) {
    const bool all_exist = db.with_connection([&](sql::Connection& c) {
      for (const auto& r : roles) {
        if (!c.query_one("SELECT 1 FROM aegis_roles WHERE name = ?", r)) {
          std::cerr << "error: no role named '" << r << "'\n";
          return false;
        }
      }
      return true;
    });
    if (!all_exist) return 1;
  }
  try {
    app.state().get<AuthService>().create_user(username, password, roles);
  } catch (const sql::SqlError& e) {
    std::cerr << "error: " << (e.constraint() ? "a user named '" + username + "' exists already" : std::string(e.what()))
              << "\n";
    return 1;
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  if (admin) {
    std::cout << "created administrator '" << username << "'\n";
  } else {
    std::string list;
    for (const auto& r : roles) list += (list.empty() ? "" : ", ") + r;
    std::cout << "created user '" << username << "'" << (roles.empty() ? std::string() : " with the roles " + list) << "\n";
  }
  return 0;
}

}  // namespace

AuthService& use_auth(App& app, std::optional<AuthSettings> settings) {
  auto* db_state = app.state().find<sql::Database>();
  if (db_state == nullptr) throw StartupError("use_auth: call aegis::use_database(app) first");
  std::vector<std::string> errors;
  AuthSettings s = settings ? *settings : auth_settings_from_env(AuthSettings{}, errors);
  if (!errors.empty()) {
    std::string all;
    for (const auto& e : errors) all += "\n  " + e;
    throw StartupError("invalid authentication settings:" + all);
  }
  detail::add_auth_migrations(migrations(app));
  // The service shares ownership of the database with the state store.
  std::shared_ptr<sql::Database> db;
  for (const auto& e : app.state().entries()) {
    if (e.object.get() == db_state) db = std::shared_ptr<sql::Database>(e.object, db_state);
  }
  auto& service = app.state().emplace<AuthService>("aegis.auth", app, db, std::move(s));
  // What the startup hook will refuse in production is a diagnostic too, so that `./app check` reports it
  // before anything starts (the environment as the command line will read it: AEGIS_ENVIRONMENT or .env
  // over the app's own setting).
  const std::optional<std::string> environment = detail::settings_value("AEGIS_ENVIRONMENT");
  if (environment.value_or(app.settings().environment) == "production") {
    AppSettings production = app.settings();
    production.environment = "production";
    AuthSettings copy = service.settings();
    try {
      detail::check_secret_key(production, copy);
    } catch (const std::exception& e) {
      app.add_diagnostic({"AE201", Diagnostic::Level::error, e.what(), "auth"});
    }
  }
  app.add_startup_hook({LifecycleHook::Kind::startup, "auth", "Check the secret key; load roles and flag overrides",
                        "aegis (built-in)", 0, [&service](App& a) -> Task<> { co_await service.start(a); }});
  app.add_command({"users", "create-admin | create: add a user from the command line", users_command});
  return service;
}

}  // namespace aegis
