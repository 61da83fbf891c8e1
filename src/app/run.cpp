#include <aegis/app/app.hpp>
#include <aegis/modules/settings.hpp>
#include <aegis/net/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aegis {

namespace {

constexpr std::string_view kUsageHead =
    "usage: {0} [serve] [--host HOST] [--port PORT] [--workers N]\n"
    "       {0} routes | check | health | openapi\n"
    "\n"
    "commands:\n"
    "  serve    run the startup hooks, serve HTTP until SIGINT/SIGTERM, drain, run the shutdown hooks (default)\n"
    "  routes   print the route table\n"
    "  check    print the middleware stack, the lifecycle and the diagnostics; exit 1 on errors\n"
    "  health   run the startup hooks and every health check once; exit 1 when a critical check fails\n"
    "  openapi  print the OpenAPI document\n";
constexpr std::string_view kUsageTail =
    "\n"
    "Settings come from AEGIS_* environment variables (AEGIS_HOST, AEGIS_PORT, AEGIS_WORKERS, ...) and a\n"
    ".env file in the working directory; flags override them.\n";

bool parse_uint(std::string_view text, unsigned long max, unsigned long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc{} && end == text.data() + text.size() && out <= max;
}

bool is_builtin_command(std::string_view name) {
  return name == "serve" || name == "routes" || name == "check" || name == "health" || name == "openapi";
}

// The usage text, the app's own commands listed with the built-in ones.
void print_usage(std::FILE* out, const std::string& program, const App& app) {
  fmt::print(out, fmt::runtime(kUsageHead), program);
  for (const auto& c : app.commands()) fmt::print(out, "  {:<8} {}\n", c.name, c.summary);
  fmt::print(out, "{}", kUsageTail);
}

struct CommandLine {
  std::string command = "serve";
  bool help = false;  // -h or --help among the arguments (not as a flag's value), or "help" as the command
};

// Reads the built-in command and its flags into `server`; every problem goes to `errors`. With
// `app_commands_known` false (the app's setup failed before it could add its commands) a first word that
// is not a built-in command is not reported: it may be one of the app's.
CommandLine parse_command_line(int argc, char** argv, ServerSettings& server, std::vector<std::string>& errors,
                               bool app_commands_known) {
  CommandLine line;
  std::string& command = line.command;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help" || (i == 1 && arg == "help")) {
      line.help = true;
      continue;
    }
    auto value = [&](std::string_view flag) -> std::optional<std::string_view> {
      if (i + 1 >= argc) {
        errors.push_back(std::string(flag) + ": missing value");
        return std::nullopt;
      }
      return std::string_view(argv[++i]);
    };
    unsigned long n = 0;
    if (arg == "--host") {
      if (const auto v = value(arg)) {
        if (v->empty()) {
          errors.push_back("--host: must not be empty");
        } else {
          server.host = *v;
        }
      }
    } else if (arg == "--port") {
      if (const auto v = value(arg)) {
        if (parse_uint(*v, 65535, n)) {
          server.port = static_cast<std::uint16_t>(n);
        } else {
          errors.push_back("--port: expected 0-65535, got '" + std::string(*v) + "'");
        }
      }
    } else if (arg == "--workers") {
      if (const auto v = value(arg)) {
        if (parse_uint(*v, 1024, n)) {
          server.workers = static_cast<unsigned>(n);
        } else {
          errors.push_back("--workers: expected 0-1024, got '" + std::string(*v) + "'");
        }
      }
    } else if (i == 1 && !arg.starts_with("-")) {
      command = arg;
    } else {
      errors.push_back("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (!is_builtin_command(command) && app_commands_known) errors.push_back("unknown command '" + command + "'");
  return line;
}

// "host:port" as a URL's authority: an IPv6 address goes in brackets.
std::string authority(const std::string& host, std::uint16_t port) {
  if (host.find(':') != std::string::npos && !host.starts_with('[')) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

// Installs the stderr logger at the level AEGIS_LOG_LEVEL names. An unknown name leaves the level at info
// and is returned as an error (spdlog alone would read it as "off" and silence the app's log).
std::string configure_logging() {
  // Logs go to stderr: stdout carries what a command prints (`./app health | jq`, `./app openapi > doc.json`).
  // A default logger the app installed under a name of its own stays.
  const auto& sinks = spdlog::default_logger()->sinks();
  if (spdlog::default_logger()->name().empty() && sinks.size() == 1 &&
      dynamic_cast<spdlog::sinks::stderr_color_sink_mt*>(sinks.front().get()) == nullptr) {
    // Unnamed, as the default logger it replaces: the lines read as before.
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
  }
  spdlog::set_level(spdlog::level::info);
  const auto name = detail::settings_value("AEGIS_LOG_LEVEL");
  if (!name) return {};
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug}, {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},   {"warning", spdlog::level::warn}, {"error", spdlog::level::err},
      {"err", spdlog::level::err},
      {"critical", spdlog::level::critical}, {"off", spdlog::level::off}};
  for (const auto& [level_name, level] : kLevels) {
    if (*name == level_name) {
      spdlog::set_level(level);
      return {};
    }
  }
  return "AEGIS_LOG_LEVEL: expected trace, debug, info, warn, error, critical or off, got '" + *name + "'";
}

// Runs a lifespan coroutine (startup or shutdown hooks, health checks) to completion on this thread.
template <class T>
T run_to_completion(Task<T> task) {
  boost::asio::io_context io(1);
  std::exception_ptr error;
  std::optional<T> result;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

void run_to_completion(Task<> task) {
  boost::asio::io_context io(1);
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
}

int print_routes(const App& app) {
  std::size_t method_w = 6, path_w = 4, name_w = 4, tags_w = 4;
  auto tags_of = [](const RouteInfo& info) {
    std::string tags;
    for (const auto& t : info.tags) tags += (tags.empty() ? "" : ",") + t;
    return tags.empty() ? std::string("-") : tags;
  };
  for (const auto& r : app.routes()) {
    path_w = std::max(path_w, r.info.path.size());
    name_w = std::max(name_w, r.info.name.size());
    tags_w = std::max(tags_w, tags_of(r.info).size());
  }
  fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", "METHOD", method_w, "PATH", path_w, "NAME", name_w, "TAGS",
             tags_w, "SOURCE");
  for (const auto& r : app.routes()) {
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}:{}\n", to_string(r.info.method), method_w, r.info.path, path_w,
               r.info.name, name_w, tags_of(r.info), tags_w, r.info.file, r.info.line);
  }
  return 0;
}

int print_check(const App& app) {
  fmt::print("middleware (outermost first):\n");
  for (const auto& m : app.middleware_stack()) {
    fmt::print("  {:<28} {:<9} {}{}\n", m.type, m.builtin ? "built-in" : "", m.file,
               m.security_layer ? "  [security]" : "");
  }
  fmt::print("lifecycle:\n");
  for (const auto& h : app.lifecycle()) {
    fmt::print("  {:<9} {:<24} {}  {}\n", h.kind == LifecycleHook::Kind::startup ? "startup" : "shutdown", h.name,
               h.file, h.description);
  }
  fmt::print("routes: {}\n", app.routes().size());
  const auto diagnostics = app.diagnostics();
  int errors = 0;
  fmt::print("diagnostics: {}\n", diagnostics.size());
  for (const auto& d : diagnostics) {
    if (d.level == Diagnostic::Level::error) ++errors;
    fmt::print("  {} {:<7} {}: {}\n", d.code, to_string(d.level), d.where, d.message);
  }
  return errors == 0 ? 0 : 1;
}

int print_health(App& app) {
  try {
    run_to_completion(app.start());
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  // The report is printed when it is ready: a check that ran past its timeout without stopping (a blocking
  // job) may still be running, and is waited for only before the app's state goes.
  boost::asio::io_context io(1);
  std::optional<HealthReport> report;
  std::exception_ptr error;
  boost::asio::co_spawn(io, app.health().run(), [&](std::exception_ptr e, HealthReport r) {
    error = e;
    if (!e) report.emplace(std::move(r));
  });
  while (!report && !error && io.run_one() > 0) {
  }
  if (error) std::rethrow_exception(error);
  fmt::print("{}\n", report->to_json());
  std::fflush(stdout);
  run_to_completion(app.stop());
  io.run();
  return report->healthy ? 0 : 1;
}

}  // namespace

int run(int argc, char** argv, App& app, const std::function<void(App&)>& setup) {
  configure_logging();
  try {
    setup(app);
  } catch (const std::exception& e) {
    const std::string program = argc > 0 ? argv[0] : "app";
    // The core settings' and the command line's errors are listed too: one run names every invalid value
    // it can. An app command's arguments are its own: they are not read here.
    std::vector<std::string> errors;
    if (std::string level = configure_logging(); !level.empty()) errors.push_back(std::move(level));
    AppSettings settings = app_settings_from_env(app.settings(), errors);
    const bool app_command = argc > 1 && !std::string_view(argv[1]).starts_with("-") &&
                             std::string_view(argv[1]) != "help" && !is_builtin_command(argv[1]);
    std::vector<std::string> flag_errors;
    if (!app_command && parse_command_line(argc, argv, settings.server, flag_errors, false).help) {
      // Help does not depend on the environment: it is printed, and the setup's error follows as a note
      // (the app's commands it did not get to add are missing from the list).
      print_usage(stdout, program, app);
      fmt::print(stderr, "note: the app's setup failed, so its own commands may be missing above: {}\n", e.what());
      return 0;
    }
    errors.insert(errors.end(), flag_errors.begin(), flag_errors.end());
    for (const auto& error : errors) fmt::print(stderr, "error: {}\n", error);
    fmt::print(stderr, "error: {}\n", e.what());
    return errors.empty() ? 1 : 2;
  }
  return run(argc, argv, app);
}

int run(int argc, char** argv, App& app) {
  const std::string program = argc > 0 ? argv[0] : "app";
  std::vector<std::string> errors;
  if (std::string level = configure_logging(); !level.empty()) errors.push_back(std::move(level));
  AppSettings settings = app_settings_from_env(app.settings(), errors);

  // The app's own commands take their arguments as they are.
  if (argc > 1) {
    for (const auto& c : app.commands()) {
      if (c.name != argv[1]) continue;
      if (!errors.empty()) {
        for (const auto& e : errors) fmt::print(stderr, "error: {}\n", e);
        return 2;
      }
      app.settings() = settings;
      try {
        app.freeze();
        const std::vector<std::string> args(argv + 2, argv + argc);
        return c.run(app, args);
      } catch (const std::exception& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return 1;
      }
    }
  }

  const CommandLine line = parse_command_line(argc, argv, settings.server, errors, true);
  if (line.help) {
    print_usage(stdout, program, app);
    return 0;
  }
  const std::string& command = line.command;
  if (!errors.empty()) {
    for (const auto& e : errors) fmt::print(stderr, "error: {}\n", e);
    fmt::print(stderr, "\n");
    print_usage(stderr, program, app);
    return 2;
  }
  app.settings() = settings;

  try {
    app.freeze();
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: the app failed to boot: {}\n", e.what());
    return 1;
  }
  if (command == "routes") return print_routes(app);
  if (command == "check") return print_check(app);
  if (command == "health") return print_health(app);
  if (command == "openapi") {
    if (app.openapi().empty()) {
      fmt::print(stderr, "error: the OpenAPI document is turned off (AEGIS_OPENAPI_URL is empty)\n");
      return 1;
    }
    fmt::print("{}\n", app.openapi());
    return 0;
  }

  // An error diagnostic (AE201: a secret key production refuses) stops the boot before any startup hook
  // runs, so that nothing (a migration, a connection) is done for a boot that cannot succeed.
  bool diagnostic_errors = false;
  for (const auto& d : app.diagnostics()) {
    if (d.level == Diagnostic::Level::error) {
      fmt::print(stderr, "error: {} {}: {}\n", d.code, d.where, d.message);
      diagnostic_errors = true;
    } else if (d.level == Diagnostic::Level::warning) {
      spdlog::warn("{} {}: {}", d.code, d.where, d.message);
    }
  }
  if (diagnostic_errors) return 1;

  try {
    run_to_completion(app.start());
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  int code = 0;
  try {
    Server server(settings.server, [&app](Request& req, Response& res) { return app.handle(req, res); });
    server.run([&] {
      spdlog::info("{} serving on http://{} ({} worker{})", settings.title,
                   authority(settings.server.host, server.port()),
                   settings.server.workers == 0 ? std::string("auto") : std::to_string(settings.server.workers),
                   settings.server.workers == 1 ? "" : "s");
    });
    spdlog::info("stopped: every connection is closed");
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: cannot serve: {}\n", e.what());
    code = 1;
  }
  run_to_completion(app.stop());
  return code;
}

}  // namespace aegis
