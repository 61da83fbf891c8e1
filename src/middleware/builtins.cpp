// The fixed layers around the LIFO stack (ARCHITECTURE section 4), as the settings configure them.
#include <aegis/app/app.hpp>
#include <aegis/middleware/correlation_id.hpp>
#include <aegis/middleware/request_logging.hpp>
#include <aegis/middleware/security_headers.hpp>

#include "app/chain.hpp"

namespace aegis::detail {

std::vector<ChainEntry> builtin_middleware(const AppSettings& settings) {
  std::vector<ChainEntry> out;
  auto add = [&out](std::shared_ptr<Middleware> m, std::string type, std::string description) {
    ChainEntry e;
    e.sync = m.get();
    e.info.type = std::move(type);
    e.info.file = "aegis (built-in)";
    e.info.options = m->options_json();
    e.info.security_layer = m->security_layer();
    e.info.builtin = true;
    e.info.description = std::move(description);
    e.object = std::move(m);
    out.push_back(std::move(e));
  };
  if (settings.request_id) {
    add(std::make_shared<CorrelationId>(), "aegis::CorrelationId", "X-Request-ID in and out, generated when absent");
  }
  if (settings.access_log.format != "off") {
    add(std::make_shared<RequestLogging>(settings.access_log), "aegis::RequestLogging",
        "one structured line per request to an asynchronous sink");
  }
  if (settings.security_headers.enabled) {
    add(std::make_shared<SecurityHeaders>(settings.security_headers), "aegis::SecurityHeaders",
        "nosniff, frame and referrer policies, CSP; HSTS over https");
  }
  return out;
}

}  // namespace aegis::detail
