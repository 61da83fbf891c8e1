#include <aegis/app/app.hpp>
#include <aegis/net/server.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace aegis {

namespace {

constexpr std::string_view kUsage =
    "usage: {0} [serve] [--host HOST] [--port PORT] [--workers N]\n"
    "       {0} routes\n"
    "\n"
    "commands:\n"
    "  serve    serve HTTP until SIGINT/SIGTERM (default)\n"
    "  routes   print the route table\n"
    "\n"
    "Settings come from AEGIS_* environment variables (AEGIS_HOST, AEGIS_PORT, AEGIS_WORKERS, ...);\n"
    "flags override them.\n";

bool parse_uint(std::string_view text, unsigned long max, unsigned long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc{} && end == text.data() + text.size() && out <= max;
}

void configure_logging() {
  const char* level = std::getenv("AEGIS_LOG_LEVEL");
  spdlog::set_level(level != nullptr ? spdlog::level::from_str(level) : spdlog::level::info);
}

int print_routes(const App& app) {
  std::size_t method_w = 6, path_w = 4, name_w = 4;
  for (const auto& r : app.routes()) {
    path_w = std::max(path_w, r.info.path.size());
    name_w = std::max(name_w, r.info.name.size());
  }
  fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<12}  {}\n", "METHOD", method_w, "PATH", path_w, "NAME", name_w, "TAGS",
             "SOURCE");
  for (const auto& r : app.routes()) {
    std::string tags;
    for (const auto& t : r.info.tags) tags += (tags.empty() ? "" : ",") + t;
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<12}  {}:{}\n", to_string(r.info.method), method_w, r.info.path, path_w,
               r.info.name, name_w, tags.empty() ? "-" : tags, r.info.file, r.info.line);
  }
  return 0;
}

}  // namespace

int run(int argc, char** argv, App& app) {
  configure_logging();
  const std::string program = argc > 0 ? argv[0] : "app";
  std::vector<std::string> errors;
  AppSettings settings = app_settings_from_env(app.settings(), errors);

  std::string command = "serve";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) -> std::string_view {
      if (i + 1 >= argc) {
        errors.push_back(std::string(flag) + ": missing value");
        return {};
      }
      return argv[++i];
    };
    unsigned long n = 0;
    if (arg == "-h" || arg == "--help" || arg == "help") {
      fmt::print(fmt::runtime(kUsage), program);
      return 0;
    } else if (arg == "--host") {
      settings.server.host = value(arg);
    } else if (arg == "--port") {
      std::string_view v = value(arg);
      if (parse_uint(v, 65535, n)) {
        settings.server.port = static_cast<std::uint16_t>(n);
      } else {
        errors.push_back("--port: expected 0-65535, got '" + std::string(v) + "'");
      }
    } else if (arg == "--workers") {
      std::string_view v = value(arg);
      if (parse_uint(v, 1024, n)) {
        settings.server.workers = static_cast<unsigned>(n);
      } else {
        errors.push_back("--workers: expected 0-1024, got '" + std::string(v) + "'");
      }
    } else if (i == 1 && !arg.starts_with("-")) {
      command = arg;
    } else {
      errors.push_back("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (command != "serve" && command != "routes") errors.push_back("unknown command '" + command + "'");
  if (!errors.empty()) {
    for (const auto& e : errors) fmt::print(stderr, "error: {}\n", e);
    fmt::print(stderr, "\n");
    fmt::print(stderr, fmt::runtime(kUsage), program);
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

  try {
    Server server(settings.server, [&app](Request& req, Response& res) { return app.handle(req, res); });
    server.start();
    spdlog::info("{} serving on http://{}:{} ({} worker{})", settings.title, settings.server.host, server.port(),
                 settings.server.workers == 0 ? std::string("auto") : std::to_string(settings.server.workers),
                 settings.server.workers == 1 ? "" : "s");
    server.run();
    spdlog::info("stopped");
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: cannot serve: {}\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace aegis
