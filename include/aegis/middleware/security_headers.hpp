#pragma once

#include <aegis/app/app.hpp>
#include <aegis/app/middleware.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace aegis {

/// Adds X-Content-Type-Options: nosniff, X-Frame-Options, Referrer-Policy and Content-Security-Policy to
/// every response (a header the handler set itself is left alone), and Strict-Transport-Security when the
/// request came over https. A fixed built-in layer configured by AppSettings::security_headers.
namespace detail {
/// What is wrong with `s`, one message per problem, each naming the setting and its AEGIS_* variable:
/// X-Frame-Options other than DENY or SAMEORIGIN, a Referrer-Policy token browsers do not know (they would
/// ignore the header and fall back to their default), control characters, or SAMEORIGIN framing that the
/// Content-Security-Policy's frame-ancestors 'none' overrides (browsers follow the CSP). Empty when none.
std::vector<std::string> security_header_problems(const SecurityHeadersSettings& s);
}  // namespace detail

class SecurityHeaders final : public Middleware {
 public:
  using Options = SecurityHeadersSettings;
  explicit SecurityHeaders(Options options = {});

  void on_response(Request& req, Response& res) override;
  std::string options_json() const override;
  bool security_layer() const override { return true; }

 private:
  struct Line {
    std::string name;
    std::string text;  // "Name: value\r\n"
  };
  void add_missing(Response& res) const;

  Options options_;
  std::vector<Line> lines_;
  std::string block_;  // every line but HSTS, appended in one go when the handler set none of them
  std::uint64_t block_names_ = 0;  // the Response name mask of block_'s lines
  std::string hsts_;
};

}  // namespace aegis
