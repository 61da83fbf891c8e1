#include <aegis/app/app.hpp>
#include <aegis/middleware/security_headers.hpp>
#include <aegis/modules/settings.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

namespace aegis {

namespace {

class EnvReader {
 public:
  explicit EnvReader(std::vector<std::string>& errors) : errors_(errors) {}

  // The environment first, then the working directory's .env file.
  std::optional<std::string> get(const char* name) const { return detail::settings_value(name); }

  void text(const char* name, std::string& out) const {
    if (auto v = get(name)) out = std::move(*v);
  }

  void boolean(const char* name, bool& out) const {
    const auto v = get(name);
    if (!v) return;
    const std::string_view b(*v);
    if (b == "1" || b == "true" || b == "yes" || b == "on") {
      out = true;
    } else if (b == "0" || b == "false" || b == "no" || b == "off") {
      out = false;
    } else {
      errors_.push_back(std::string(name) + ": expected true/false/1/0/yes/no/on/off, got '" + std::string(b) + "'");
    }
  }

  template <class N>
  void count(const char* name, std::size_t min, std::size_t max, N& out) const {
    const auto v = get(name);
    if (!v) return;
    const std::string_view text(*v);
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n < min || n > max) {
      errors_.push_back(std::string(name) + ": expected an integer from " + std::to_string(min) + " to " +
                        std::to_string(max) + ", got '" + std::string(text) + "'");
      return;
    }
    out = static_cast<N>(n);
  }

  void seconds(const char* name, double max, std::chrono::milliseconds& out) const {
    const auto v = get(name);
    if (!v) return;
    const std::string_view text(*v);
    double s = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), s);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !(s >= 0) || s > max) {
      errors_.push_back(std::string(name) + ": expected seconds from 0 to " + std::to_string(static_cast<long>(max)) +
                        ", got '" + std::string(text) + "'");
      return;
    }
    out = std::chrono::milliseconds(static_cast<long long>(std::llround(s * 1000)));
  }

  void list(const char* name, std::vector<std::string>& out) const {
    const auto v = get(name);
    if (!v) return;
    out.clear();
    for (const std::string_view item : detail::settings_list(*v)) out.emplace_back(item);
  }

  void fail(std::string message) const { errors_.push_back(std::move(message)); }

 private:
  std::vector<std::string>& errors_;
};

}  // namespace

AppSettings app_settings_from_env(AppSettings s, std::vector<std::string>& errors) {
  const EnvReader env(errors);
  env.text("AEGIS_TITLE", s.title);
  env.text("AEGIS_VERSION", s.version);
  env.text("AEGIS_DESCRIPTION", s.description);
  env.text("AEGIS_OPENAPI_URL", s.openapi_url);
  env.text("AEGIS_DOCS_URL", s.docs_url);
  for (const auto* url : {&s.openapi_url, &s.docs_url}) {
    if (!url->empty() && (url->front() != '/' || (url->size() > 1 && url->back() == '/'))) {
      env.fail(std::string(url == &s.openapi_url ? "AEGIS_OPENAPI_URL" : "AEGIS_DOCS_URL") +
               ": expected a path starting with '/' and not ending with '/' (or empty to turn it off), got '" + *url + "'");
    }
  }
  if (const auto v = env.get("AEGIS_ENVIRONMENT")) {
    const std::string_view e(*v);
    if (e == "development" || e == "production") {
      s.environment = e;
    } else {
      env.fail("AEGIS_ENVIRONMENT: expected 'development' or 'production', got '" + std::string(e) + "'");
    }
  }
  env.boolean("AEGIS_REDIRECT_SLASHES", s.redirect_slashes);
  env.count("AEGIS_BLOCKING_THREADS", 1, 1024, s.blocking_threads);
  env.count("AEGIS_BLOCKING_QUEUE", 0, 1'000'000, s.blocking_queue);
  env.boolean("AEGIS_DEBUG", s.debug);
  env.boolean("AEGIS_REQUEST_ID", s.request_id);
  if (const auto v = env.get("AEGIS_ACCESS_LOG")) {
    const std::string_view f(*v);
    if (f == "text" || f == "json" || f == "off") {
      s.access_log.format = f;
    } else {
      env.fail("AEGIS_ACCESS_LOG: expected 'text', 'json' or 'off', got '" + std::string(f) + "'");
    }
  }
  env.list("AEGIS_ACCESS_LOG_EXCLUDE", s.access_log.exclude);
  env.text("AEGIS_ACCESS_LOG_FILE", s.access_log.file);
  env.boolean("AEGIS_SECURITY_HEADERS", s.security_headers.enabled);
  env.text("AEGIS_CONTENT_SECURITY_POLICY", s.security_headers.content_security_policy);
  env.text("AEGIS_FRAME_OPTIONS", s.security_headers.frame_options);
  env.text("AEGIS_REFERRER_POLICY", s.security_headers.referrer_policy);
  env.text("AEGIS_STRICT_TRANSPORT_SECURITY", s.security_headers.strict_transport_security);
  if (s.security_headers.enabled) {
    for (auto& problem : detail::security_header_problems(s.security_headers)) env.fail(std::move(problem));
  }
  env.boolean("AEGIS_HEALTH_ENDPOINTS", s.health_endpoints);
  env.seconds("AEGIS_HEALTH_CACHE", 3600, s.health_cache);
  if (s.debug && s.environment != "development") {
    env.fail("AEGIS_DEBUG: debug answers expose exception messages and are refused outside development");
  }
  s.server = server_settings_from_env(std::move(s.server), errors);
  return s;
}

}  // namespace aegis
