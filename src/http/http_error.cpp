#include <aegis/http/http_error.hpp>

namespace aegis {

HttpError::HttpError(int status, std::string detail, Headers headers)
    : status_(status), detail_(std::move(detail)), headers_(std::move(headers)) {}

}  // namespace aegis
