#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace aegis {

/// One entry of a 422 answer's `detail` list, in FastAPI's shape:
/// `{"type": "...", "loc": ["body", "items", 0, "qty"], "msg": "...", "input": ..., "ctx": {...}}`.
/// `loc`, `input` and `ctx` hold JSON text; `ctx` is empty when the issue has no context.
struct ValidationIssue {
  std::string type;
  std::string loc;
  std::string msg;
  std::string input = "null";
  std::string ctx;
};

/// Request data that did not validate. Handlers never see it: the framework answers 422 with every issue
/// found (`{"detail": [...]}`). An app can replace that answer with an exception handler for this type.
class RequestValidationError : public std::exception {
 public:
  explicit RequestValidationError(std::vector<ValidationIssue> issues) : issues_(std::move(issues)) {}
  const std::vector<ValidationIssue>& errors() const noexcept { return issues_; }
  /// The 422 body: `{"detail":[...]}`.
  std::string body() const;
  const char* what() const noexcept override { return "Request validation failed"; }

 private:
  std::vector<ValidationIssue> issues_;
};

/// Collects validation issues while request data is read, tracking where in the input the value being
/// read sits (`["body", "items", 0, "qty"]`). Keys are kept as views: what they point to must outlive the
/// Validator's use (they are the parameter names, member names and the keys of the parsed input).
class Validator {
 public:
  void push(std::string_view key) noexcept { push_part({key.data(), key.size(), false}); }
  void push(std::size_t index) noexcept { push_part({nullptr, index, true}); }
  void pop() noexcept { --depth_; }

  /// Records an issue at the current location. `input` and `ctx` are JSON text.
  void fail(std::string_view type, std::string msg, std::string input = "null", std::string ctx = {});

  bool ok() const noexcept { return issues_.empty(); }
  /// Drops the issues located at or under the current location + `key` (a duplicate key's earlier value
  /// is replaced by the later one, and so are its issues).
  void drop_under(std::string_view key);
  /// Drops the issues recorded after the first `count` (a parse that failed outright replaces them).
  void truncate(std::size_t count) { issues_.resize(std::min(count, issues_.size())); }
  std::size_t issue_count() const noexcept { return issues_.size(); }
  std::vector<ValidationIssue>& issues() noexcept { return issues_; }

  /// Pushes on construction, pops on destruction.
  class Scope {
   public:
    Scope(Validator& v, std::string_view key) noexcept : v_(v) { v_.push(key); }
    Scope(Validator& v, std::size_t index) noexcept : v_(v) { v_.push(index); }
    ~Scope() { v_.pop(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Validator& v_;
  };

 private:
  // Trivially constructible, so that a Validator costs nothing to create on the request path.
  struct Part {
    const char* key;
    std::size_t size_or_index;
    bool is_index;
  };
  static constexpr std::size_t kMaxDepth = 32;

  void push_part(Part p) noexcept {
    if (depth_ < kMaxDepth) loc_[depth_] = p;
    ++depth_;
  }

  Part loc_[kMaxDepth];
  std::size_t depth_ = 0;
  std::vector<ValidationIssue> issues_;
};

}  // namespace aegis
