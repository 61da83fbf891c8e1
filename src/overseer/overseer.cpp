// The Overseer's capture of the app's structure (once, at boot) and its host metrics (live).
#include <aegis/overseer/overseer.hpp>

#include <aegis/handlers/doc.hpp>
#include <aegis/json/convert.hpp>
#include <aegis/modules/module.hpp>
#include <aegis/registries/principal.hpp>
#include <aegis/storage/sql.hpp>

#include <boost/core/demangle.hpp>
#include <boost/json.hpp>

#include "openapi/document.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

namespace aegis {

namespace json = boost::json;

namespace {

std::string iso_now() {
  DateTime d;
  d.time = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  d.offset_minutes = 0;
  return d.to_string();
}

// "aegis::(anonymous namespace)::PermissionGuard" -> "aegis::PermissionGuard".
std::string type_label(const std::type_info& type) {
  std::string name = boost::core::demangle(type.name());
  for (std::size_t at; (at = name.find("(anonymous namespace)::")) != std::string::npos;) name.erase(at, 23);
  return name;
}

// What a guard is called where users write it.
std::string dependency_label(const detail::Provider& p) {
  const std::string type = type_label(p.type());
  if (type == "aegis::PermissionGuard") return "require_permission";
  if (type == "aegis::AdminGuard") return "require_admin_access";
  if (type == "aegis::RouteRateLimit") return "rate_limit";
  return type;
}

// "/orders/{id:int}" -> "/orders/{id}" (the OpenAPI form).
std::string openapi_path(std::string_view path) {
  std::string out;
  bool in_param = false;
  bool skipping = false;
  for (char c : path) {
    if (c == '{') in_param = true, skipping = false;
    if (c == '}') in_param = false, skipping = false;
    if (in_param && c == ':') skipping = true;
    if (!skipping) out.push_back(c);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> template_params(std::string_view path) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t open = path.find('{'); open != std::string_view::npos; open = path.find('{', open + 1)) {
    const std::size_t close = path.find('}', open);
    if (close == std::string_view::npos) break;
    const std::string_view inner = path.substr(open + 1, close - open - 1);
    const std::size_t colon = inner.find(':');
    out.emplace_back(std::string(inner.substr(0, colon)),
                     colon == std::string_view::npos ? "string" : std::string(inner.substr(colon + 1)));
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

// A schema as one readable label: "Order", "array<Order>", "map<string, integer>", "string | null".
std::string schema_label(const json::value& schema) {
  if (!schema.is_object()) return "any";
  const auto& o = schema.as_object();
  if (const auto* ref = o.if_contains("$ref"); ref && ref->is_string()) {
    const std::string_view r = ref->as_string();
    return std::string(r.substr(r.rfind('/') + 1));
  }
  if (const auto* any = o.if_contains("anyOf"); any && any->is_array()) {
    std::string out;
    for (const auto& s : any->as_array()) out += (out.empty() ? "" : " | ") + schema_label(s);
    return out;
  }
  const auto* type = o.if_contains("type");
  if (type == nullptr || !type->is_string()) return "any";
  const std::string_view t = type->as_string();
  if (t == "array") {
    const auto* items = o.if_contains("items");
    return "array<" + (items ? schema_label(*items) : std::string("any")) + ">";
  }
  if (t == "object") {
    if (const auto* extra = o.if_contains("additionalProperties"); extra && extra->is_object()) {
      return "map<string, " + schema_label(*extra) + ">";
    }
    return "object";
  }
  if (const auto* format = o.if_contains("format"); format && format->is_string()) {
    return std::string(t) + " (" + std::string(format->as_string()) + ")";
  }
  return std::string(t);
}

// The success response's model of an operation of the OpenAPI document, or null.
json::value response_model(const json::value& operation) {
  const auto* responses = operation.is_object() ? operation.as_object().if_contains("responses") : nullptr;
  if (responses == nullptr || !responses->is_object()) return nullptr;
  for (const auto& kv : responses->as_object()) {
    if (kv.key().empty() || kv.key()[0] != '2') continue;
    const auto* content = kv.value().as_object().if_contains("content");
    if (content == nullptr || !content->is_object() || content->as_object().empty()) return nullptr;
    const auto& first = *content->as_object().begin();
    if (first.key() != "application/json") return json::string(first.key());
    const auto* schema = first.value().as_object().if_contains("schema");
    return schema ? json::value(json::string(schema_label(*schema))) : json::value(nullptr);
  }
  return nullptr;
}

// ---- host metrics ----------------------------------------------------------------------------------------

struct CpuSample {
  unsigned long long busy = 0, total = 0;  // host, in clock ticks
  unsigned long long process = 0;          // this process's user + system ticks
  std::chrono::steady_clock::time_point at;
};

CpuSample read_cpu() {
  CpuSample s;
  s.at = std::chrono::steady_clock::now();
  std::ifstream stat("/proc/stat");
  std::string label;
  stat >> label;
  if (label == "cpu") {
    unsigned long long v[10] = {};
    for (auto& x : v) stat >> x;
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is inside user.
    const unsigned long long idle = v[3] + v[4];
    s.total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    s.busy = s.total - idle;
  }
  std::ifstream self("/proc/self/stat");
  std::string line;
  std::getline(self, line);
  // Fields after the command name (which may hold spaces, so parse from the last ')'): utime is the
  // 14th field overall, stime the 15th.
  const std::size_t close = line.rfind(')');
  if (close != std::string::npos) {
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14 || i == 15) s.process += std::stoull(field);
    }
  }
  return s;
}

std::map<std::string, unsigned long long> read_kb_fields(const char* path) {
  std::map<std::string, unsigned long long> out;
  std::ifstream in(path);
  std::string key;
  unsigned long long value = 0;
  std::string unit;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    if (l >> key >> value) {
      if (!key.empty() && key.back() == ':') key.pop_back();
      out[key] = value;
    }
  }
  return out;
}

double percent(double part, double whole) { return whole > 0 ? std::min(100.0, std::max(0.0, 100.0 * part / whole)) : 0.0; }

double round1(double v) { return static_cast<double>(static_cast<long long>(v * 10 + 0.5)) / 10; }

}  // namespace

struct Overseer::Impl {
  OverseerOptions options;
  std::string data_dir;  // resolved at capture
  std::string metadata;
  Summary summary;
  bool captured = false;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  // CPU use is measured between two readings: the previous one and now. Readings closer than 250 ms
  // reuse the last result, so that many viewers do not measure noise.
  mutable std::mutex cpu_mutex;
  mutable CpuSample last_sample = read_cpu();
  mutable double host_cpu = 0;
  mutable double process_cpu = 0;
};

Overseer::Overseer(OverseerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->data_dir = impl_->options.data_dir;
}

Overseer::~Overseer() = default;

bool Overseer::captured() const noexcept { return impl_->captured; }
Overseer::Summary Overseer::summary() const noexcept { return impl_->summary; }
double Overseer::uptime_seconds() const noexcept {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - impl_->started).count();
}
const std::string& Overseer::metadata_json() const noexcept { return impl_->metadata; }
const OverseerOptions& Overseer::options() const noexcept { return impl_->options; }

void Overseer::capture(const App& app) {
  if (!app.frozen()) throw std::logic_error("Overseer::capture: the app is not frozen yet (call it from a startup hook)");
  if (impl_->captured) throw std::logic_error("Overseer::capture: the app was captured already (capture it once, at boot)");
  const AppSettings& settings = app.settings();
  // The route details (models, statuses, parameter types) come from the OpenAPI document, built here when
  // the app does not publish one.
  const json::value openapi = json::parse(app.openapi().empty() ? detail::build_openapi(app) : app.openapi());

  // The data folder: the one given, else the SQLite file's, else the working directory.
  if (impl_->options.data_dir.empty()) {
    std::string dir = std::filesystem::current_path().string();
    if (const auto* db = app.state().find<sql::Database>()) {
      const std::string url = db->url();
      if (url.starts_with("sqlite:///")) {
        std::filesystem::path file(url.substr(10));
        dir = std::filesystem::absolute(file).parent_path().string();
      }
    }
    impl_->data_dir = dir;
  }

  json::object doc;
  doc["app"] = json::object{{"title", settings.title}, {"version", settings.version}, {"environment", settings.environment}};
  doc["captured_at"] = iso_now();

  Summary summary;
  std::map<std::string, std::size_t> methods;
  std::set<std::string> paths;
  struct RouteEntry {
    std::string path;
    std::string method;
    json::object value;
  };
  std::vector<RouteEntry> entries;
  const auto routes = app.routes();
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const RouteInfo& info = routes[i].info;
    const std::string method(to_string(info.method));
    paths.insert(info.path);
    ++methods[method];
    json::object r;
    r["method"] = method;
    r["path"] = info.path;
    r["name"] = info.name;
    r["summary"] = info.summary;
    json::array tags;
    for (const auto& t : info.tags) tags.emplace_back(t);
    r["tags"] = std::move(tags);

    const json::value* operation = nullptr;
    if (openapi.is_object()) {
      if (const auto* p = openapi.at("paths").as_object().if_contains(openapi_path(info.path))) {
        operation = p->as_object().if_contains(lower(method));
      }
    }
    // Path parameters: the typed schema from the document when there is one, else the template's converter.
    json::array params;
    for (const auto& [name, converter] : template_params(info.path)) {
      std::string type = converter;
      if (operation != nullptr) {
        if (const auto* list = operation->as_object().if_contains("parameters")) {
          for (const auto& p : list->as_array()) {
            if (p.at("in") == "path" && p.at("name").as_string() == std::string_view(name)) type = schema_label(p.at("schema"));
          }
        }
      }
      params.push_back(json::object{{"name", name}, {"type", type}});
    }
    r["path_params"] = std::move(params);
    r["response_model"] = operation != nullptr ? response_model(*operation) : json::value(nullptr);
    // The success status: the route's, else the documented one; unknown for an undocumented raw route.
    json::value status = nullptr;
    if (info.status != 0) {
      status = info.status;
    } else if (operation != nullptr) {
      for (const auto& kv : operation->at("responses").as_object()) {
        if (!kv.key().empty() && kv.key()[0] == '2') {
          status = std::stoi(std::string(kv.key()));
          break;
        }
      }
    }
    r["status"] = status;

    json::array deps;
    bool secured = false;
    for (const detail::Provider* p : app.route_providers(i)) {
      const std::string_view permission = p->required_permission();
      const bool principal = p->type() == typeid(Principal);
      secured = secured || !permission.empty() || principal;
      deps.push_back(json::object{{"kind", permission.empty() ? "depends" : "guard"},
                                  {"name", dependency_label(*p)},
                                  {"permission", permission.empty() ? json::value(nullptr) : json::value(permission)}});
    }
    if (!info.checked_permission.empty()) {
      secured = true;
      deps.push_back(json::object{
          {"kind", "guard"}, {"name", "checked by the handler"}, {"permission", info.checked_permission}});
    }
    r["dependencies"] = std::move(deps);
    r["secured"] = secured;
    r["source"] = info.file + ":" + std::to_string(info.line);
    r["in_schema"] = info.include_in_schema;
    entries.push_back({info.path, method, std::move(r)});
  }
  std::sort(entries.begin(), entries.end(), [](const RouteEntry& a, const RouteEntry& b) {
    return a.path != b.path ? a.path < b.path : a.method < b.method;
  });
  json::array route_list;
  for (auto& e : entries) route_list.push_back(std::move(e.value));
  summary.routes = paths.size();
  summary.endpoints = routes.size();

  json::array middleware;
  std::size_t position = 0;
  for (const auto& m : app.middleware_stack()) {
    json::value options;
    boost::system::error_code ec;
    options = json::parse(m.options, ec);
    if (ec) options = json::string(m.options);
    middleware.push_back(json::object{{"position", ++position},
                                      {"type", m.type},
                                      {"description", m.description},
                                      {"file", m.file},
                                      {"options", std::move(options)},
                                      {"security_layer", m.security_layer},
                                      {"builtin", m.builtin}});
    ++summary.middleware;
    if (m.security_layer) ++summary.security_layers;
  }

  json::array startup;
  json::array shutdown;
  for (const auto& h : app.lifecycle()) {
    json::object hook{{"name", h.name}, {"description", h.description}, {"file", h.file}};
    (h.kind == LifecycleHook::Kind::startup ? startup : shutdown).push_back(std::move(hook));
  }

  json::array modules;
  for (const auto& m : app.modules()) {
    const ModuleMeta meta = m->meta();
    json::array depends;
    for (const auto& d : meta.depends_on) depends.emplace_back(d);
    modules.push_back(json::object{{"name", meta.name},
                                   {"version", meta.version},
                                   {"depends_on", std::move(depends)},
                                   {"route_prefix", meta.route_prefix},
                                   {"view_prefix", meta.view_prefix}});
  }

  json::array checks;
  for (const auto& name : app.health().names()) {
    checks.push_back(json::object{{"name", name}, {"critical", app.health().critical(name)}});
  }

  json::object method_counts;
  for (const auto& [m, n] : methods) method_counts[m] = n;
  doc["overview"] = json::object{{"routes", summary.routes},
                                 {"endpoints", summary.endpoints},
                                 {"middleware", summary.middleware},
                                 {"security_layers", summary.security_layers},
                                 {"methods", std::move(method_counts)},
                                 {"startup_hooks", startup.size()},
                                 {"shutdown_hooks", shutdown.size()},
                                 {"modules", modules.size()},
                                 {"health_checks", checks.size()}};
  doc["routes"] = std::move(route_list);
  doc["middleware"] = std::move(middleware);
  doc["startup_hooks"] = std::move(startup);
  doc["shutdown_hooks"] = std::move(shutdown);
  doc["modules"] = std::move(modules);
  doc["health_checks"] = std::move(checks);

  std::string out;
  append_json(out, Json(std::move(doc)));
  impl_->metadata = std::move(out);
  impl_->summary = summary;
  impl_->captured = true;
}

std::string Overseer::metrics_json() const {
  const Impl& impl = *impl_;
  double host_cpu = 0;
  double process_cpu = 0;
  {
    std::lock_guard lock(impl.cpu_mutex);
    const CpuSample now = read_cpu();
    if (now.at - impl.last_sample.at >= std::chrono::milliseconds(250) && now.total > impl.last_sample.total) {
      const double ticks = static_cast<double>(now.total - impl.last_sample.total);
      impl.host_cpu = percent(static_cast<double>(now.busy - impl.last_sample.busy), ticks);
      // Process ticks against wall time on all CPUs.
      const double seconds = std::chrono::duration<double>(now.at - impl.last_sample.at).count();
      const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
      const double cpus = static_cast<double>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
      impl.process_cpu = percent(static_cast<double>(now.process - impl.last_sample.process) / hz, seconds * cpus);
      impl.last_sample = now;
    }
    host_cpu = impl.host_cpu;
    process_cpu = impl.process_cpu;
  }

  const auto mem = read_kb_fields("/proc/meminfo");
  const auto status = read_kb_fields("/proc/self/status");
  auto kb = [](const std::map<std::string, unsigned long long>& m, const char* key) -> unsigned long long {
    auto it = m.find(key);
    return it == m.end() ? 0 : it->second * 1024;
  };
  const unsigned long long mem_total = kb(mem, "MemTotal");
  const unsigned long long mem_available = kb(mem, "MemAvailable");
  const unsigned long long mem_used = mem_total > mem_available ? mem_total - mem_available : 0;

  json::object disk{{"path", impl.data_dir.empty() ? std::filesystem::current_path().string() : impl.data_dir}};
  struct statvfs fs {};
  if (::statvfs(disk["path"].as_string().c_str(), &fs) == 0) {
    const double block = static_cast<double>(fs.f_frsize);
    const double total = static_cast<double>(fs.f_blocks) * block;
    const double free_bytes = static_cast<double>(fs.f_bavail) * block;
    const double used = total - static_cast<double>(fs.f_bfree) * block;
    disk["total_bytes"] = static_cast<std::uint64_t>(total);
    disk["free_bytes"] = static_cast<std::uint64_t>(free_bytes);  // what unprivileged users may still fill
    // Blocks only root may use: total = used + free + reserved.
    disk["reserved_bytes"] = static_cast<std::uint64_t>(static_cast<double>(fs.f_bfree - fs.f_bavail) * block);
    disk["used_bytes"] = static_cast<std::uint64_t>(used);
    // As df counts it: used over what non-root users can fill.
    disk["used_percent"] = round1(percent(used, used + free_bytes));
  } else {
    disk["error"] = "statvfs failed";
  }

  double host_uptime = 0;
  {
    std::ifstream up("/proc/uptime");
    up >> host_uptime;
  }
  double load[3] = {0, 0, 0};
  {
    std::ifstream in("/proc/loadavg");
    in >> load[0] >> load[1] >> load[2];
  }
  const auto threads = status.find("Threads");

  json::object out{
      {"cpu_percent", round1(host_cpu)},
      {"process_cpu_percent", round1(process_cpu)},
      {"cpus", std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN))},
      {"load_average", json::array{load[0], load[1], load[2]}},
      {"memory", json::object{{"total_bytes", mem_total},
                              {"available_bytes", mem_available},
                              {"used_bytes", mem_used},
                              {"used_percent", round1(percent(static_cast<double>(mem_used), static_cast<double>(mem_total)))}}},
      {"disk", std::move(disk)},
      {"process", json::object{{"pid", ::getpid()},
                               {"rss_bytes", kb(status, "VmRSS")},
                               {"threads", threads == status.end() ? 0 : threads->second}}},
      {"uptime", json::object{{"process_seconds", round1(std::chrono::duration<double>(std::chrono::steady_clock::now() - impl.started).count())},
                              {"host_seconds", round1(host_uptime)}}},
      {"sampled_at", iso_now()}};
  std::string text;
  append_json(text, Json(std::move(out)));
  return text;
}

Overseer& use_overseer(App& app, OverseerOptions options) {
  if (auto* existing = app.state().find<Overseer>()) return *existing;
  return app.state().emplace<Overseer>("aegis.overseer", std::move(options));
}

}  // namespace aegis
