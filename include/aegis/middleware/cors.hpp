#pragma once

#include <aegis/app/middleware.hpp>

#include <memory>
#include <string>
#include <vector>

namespace aegis {

/// What Cors allows; the members and their defaults are those of Starlette's CORSMiddleware.
struct CorsOptions {
  /// Origins allowed to read responses ("https://app.example", no trailing slash); "*" allows every origin.
  std::vector<std::string> allow_origins;
  /// Methods a preflight may ask for (compared as sent: "GET", not "get"); "*" means DELETE, GET, HEAD,
  /// OPTIONS, PATCH, POST and PUT.
  std::vector<std::string> allow_methods = {"GET"};
  /// Request headers a preflight may ask for, besides the CORS-safelisted Accept, Accept-Language,
  /// Content-Language and Content-Type; "*" allows whatever is asked for.
  std::vector<std::string> allow_headers;
  /// Lets browsers send cookies and authorization: the origin is then always reflected, never "*".
  bool allow_credentials = false;
  /// An ECMAScript regular expression an origin may match as a whole instead of being listed; empty for none.
  std::string allow_origin_regex;
  /// Answers private-network preflights (`Access-Control-Request-Private-Network`); refused when false.
  bool allow_private_network = false;
  /// Response headers scripts may read (`Access-Control-Expose-Headers`).
  std::vector<std::string> expose_headers;
  /// How long (seconds) browsers may cache a preflight answer.
  int max_age = 600;
};

/// Cross-origin resource sharing, as Starlette's CORSMiddleware does it.
///
/// A request without `Origin` passes untouched. A preflight (OPTIONS with `Origin` and
/// `Access-Control-Request-Method`) is answered here without reaching the router: 200 "OK" with the
/// `Access-Control-Allow-*` headers when origin, method and headers are all allowed, else 400 "Disallowed
/// CORS origin, method, headers" naming what failed. Any other request with an allowed `Origin` gets
/// `Access-Control-Allow-Origin` (the origin itself, with `Vary: Origin` appended, unless every origin is
/// allowed without credentials, where it is "*"), `Access-Control-Allow-Credentials` and
/// `Access-Control-Expose-Headers` as configured; a disallowed origin gets none of them.
///
/// Everything that does not depend on the request is prepared by the constructor, which throws
/// `std::invalid_argument` for an option that is not valid (a bad regex, a method or header that is not a
/// token, a negative max_age). Thread-safe: one instance serves every I/O thread.
class Cors final : public Middleware {
 public:
  using Options = CorsOptions;
  explicit Cors(Options options = {});
  ~Cors() override;

  bool on_request(Request& req, Response& res) override;
  void on_response(Request& req, Response& res) override;
  std::string options_json() const override;
  bool security_layer() const override { return true; }

 private:
  struct Impl;
  std::unique_ptr<const Impl> impl_;
};

}  // namespace aegis
