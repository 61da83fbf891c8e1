#pragma once

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace aegis {

/// Thrown by handlers (and anything they call) to answer with `status` and the JSON body
/// `{"detail": detail}`. `headers` are added to the response (for example `WWW-Authenticate` on a 401 or
/// `Retry-After` on a 429). Header names and values must not contain CR, LF or NUL.
class HttpError : public std::exception {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  HttpError(int status, std::string detail, Headers headers = {});

  int status() const noexcept { return status_; }
  const std::string& detail() const noexcept { return detail_; }
  const Headers& headers() const noexcept { return headers_; }
  const char* what() const noexcept override { return detail_.c_str(); }

 private:
  int status_;
  std::string detail_;
  Headers headers_;
};

}  // namespace aegis
