#include "support/raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace aegis::test {

namespace {
bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}
}  // namespace

std::optional<std::string> HttpReply::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequal(n, name)) return v;
  }
  return std::nullopt;
}

std::size_t HttpReply::header_count(std::string_view name) const {
  std::size_t count = 0;
  for (const auto& h : headers) count += iequal(h.first, name) ? 1 : 0;
  return count;
}

RawClient::RawClient(std::uint16_t port, const char* host) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, host, &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd_);
    throw std::runtime_error("connect: " + std::string(std::strerror(err)));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

void RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("send: " + std::string(std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void RawClient::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

bool RawClient::fill(Ms timeout) {
  if (eof_) return false;
  pollfd p{fd_, POLLIN, 0};
  const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (r == 0) throw std::runtime_error("timed out waiting for the server");
  if (r < 0) throw std::runtime_error("poll: " + std::string(std::strerror(errno)));
  char chunk[16384];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    eof_ = true;  // EOF or reset: either way the server is gone
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

bool RawClient::closed_by_server(Ms timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!eof_) {
    const auto left = std::chrono::duration_cast<Ms>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    try {
      fill(left);
    } catch (const std::runtime_error&) {
      return false;
    }
  }
  return true;
}

HttpReply RawClient::read_response(bool head_request, Ms timeout) {
  std::size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(timeout)) throw std::runtime_error("connection closed before a response header: '" + buffer_ + "'");
  }
  HttpReply reply;
  std::string_view head(buffer_.data(), header_end);
  std::size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  const std::size_t sp1 = status_line.find(' ');
  if (sp1 == std::string_view::npos || status_line.size() < sp1 + 4) {
    throw std::runtime_error("malformed status line: '" + std::string(status_line) + "'");
  }
  reply.version = status_line.substr(0, sp1);
  reply.status = std::stoi(std::string(status_line.substr(sp1 + 1, 3)));
  if (status_line.size() > sp1 + 5) reply.reason = status_line.substr(sp1 + 5);
  std::size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(pos, end - pos);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw std::runtime_error("malformed header line: '" + std::string(line) + "'");
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    reply.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    pos = end + 2;
  }
  buffer_.erase(0, header_end + 4);

  const bool no_body = head_request || reply.status / 100 == 1 || reply.status == 204 || reply.status == 304;
  if (!no_body) {
    if (auto cl = reply.header("content-length")) {
      const std::size_t length = std::stoul(*cl);
      while (buffer_.size() < length) {
        if (!fill(timeout)) throw std::runtime_error("connection closed inside a response body");
      }
      reply.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
    } else {
      while (fill(timeout)) {
      }
      reply.body = std::move(buffer_);
      buffer_.clear();
    }
  }
  return reply;
}

HttpReply RawClient::roundtrip(std::string_view request, Ms timeout) {
  send(request);
  return read_response(false, timeout);
}

std::string get_request(std::string_view path, std::string_view extra_headers) {
  std::string r = "GET ";
  r.append(path);
  r.append(" HTTP/1.1\r\nHost: localhost\r\n");
  r.append(extra_headers);
  r.append("\r\n");
  return r;
}

}  // namespace aegis::test
