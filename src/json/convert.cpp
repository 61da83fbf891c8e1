#include <aegis/json/convert.hpp>


#include <charconv>
#include <cmath>
#include <memory>
#include <mutex>
#include <regex>
#include <stdexcept>

#include "http/url.hpp"

namespace aegis {

void append_json_string(std::string& out, std::string_view s) { detail::append_json_string(out, s); }

// Our own walk rather than Boost's serializer: numbers print as write_json prints them ("2.0", not
// "2E0"), and a non-finite double, which Boost would print as Infinity, stays valid JSON (null).
void append_json(std::string& out, const Json& v) {
  switch (v.kind()) {
    case boost::json::kind::null: out.append("null"); break;
    case boost::json::kind::bool_: out.append(v.get_bool() ? "true" : "false"); break;
    case boost::json::kind::int64: detail::append_int(out, v.get_int64()); break;
    case boost::json::kind::uint64: detail::append_uint(out, v.get_uint64()); break;
    case boost::json::kind::double_: detail::append_double(out, v.get_double()); break;
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      detail::append_json_string(out, {s.data(), s.size()});
      break;
    }
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, item);
      }
      out.push_back(']');
      break;
    }
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        detail::append_json_string(out, {kv.key().data(), kv.key().size()});
        out.push_back(':');
        append_json(out, kv.value());
      }
      out.push_back('}');
      break;
    }
  }
}

std::string RequestValidationError::body() const {
  std::string out = "{\"detail\":[";
  bool first = true;
  for (const auto& issue : issues_) {
    if (!first) out.push_back(',');
    first = false;
    out.append("{\"type\":");
    detail::append_json_string(out, issue.type);
    out.append(",\"loc\":");
    out.append(issue.loc);
    out.append(",\"msg\":");
    detail::append_json_string(out, issue.msg);
    out.append(",\"input\":");
    out.append(issue.input);
    if (!issue.ctx.empty()) {
      out.append(",\"ctx\":");
      out.append(issue.ctx);
    }
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

void Validator::fail(std::string_view type, std::string msg, std::string input, std::string ctx) {
  ValidationIssue issue;
  issue.type = type;
  issue.loc.push_back('[');
  const std::size_t depth = std::min(depth_, kMaxDepth);
  for (std::size_t i = 0; i < depth; ++i) {
    if (i != 0) issue.loc.push_back(',');
    if (loc_[i].is_index) {
      detail::append_uint(issue.loc, loc_[i].size_or_index);
    } else {
      detail::append_json_string(issue.loc, {loc_[i].key, loc_[i].size_or_index});
    }
  }
  issue.loc.push_back(']');
  issue.msg = std::move(msg);
  issue.input = std::move(input);
  issue.ctx = std::move(ctx);
  issues_.push_back(std::move(issue));
}

void Validator::drop_under(std::string_view key) {
  if (issues_.empty()) return;
  push(key);
  std::string prefix = "[";
  const std::size_t depth = std::min(depth_, kMaxDepth);
  for (std::size_t i = 0; i < depth; ++i) {
    if (i != 0) prefix.push_back(',');
    if (loc_[i].is_index) {
      detail::append_uint(prefix, loc_[i].size_or_index);
    } else {
      detail::append_json_string(prefix, {loc_[i].key, loc_[i].size_or_index});
    }
  }
  pop();
  std::erase_if(issues_, [&](const ValidationIssue& issue) {
    if (!issue.loc.starts_with(prefix)) return false;
    const char next = issue.loc.size() > prefix.size() ? issue.loc[prefix.size()] : '\0';
    return next == ']' || next == ',';
  });
}

namespace detail {

struct Pattern {
  std::string source;
  std::regex regex;
};

const Pattern* compile_pattern(std::string_view pattern) {
  // Patterns are compiled at boot and live as long as the process; the same text compiles once.
  static std::mutex mutex;
  static std::vector<std::unique_ptr<Pattern>> patterns;
  std::lock_guard lock(mutex);
  for (const auto& p : patterns) {
    if (p->source == pattern) return p.get();
  }
  try {
    auto p = std::make_unique<Pattern>(Pattern{std::string(pattern), std::regex(std::string(pattern))});
    patterns.push_back(std::move(p));
    return patterns.back().get();
  } catch (const std::regex_error& e) {
    throw std::invalid_argument("invalid pattern '" + std::string(pattern) + "': " + e.what());
  }
}

bool pattern_matches(const Pattern* pattern, std::string_view text) {
  return std::regex_search(text.begin(), text.end(), pattern->regex);
}

void append_int(std::string& out, long long v) {
  if (v >= 0 && v < 10) {  // small counts and flags are the common case
    out.push_back(static_cast<char>('0' + v));
    return;
  }
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  // (pointer, count): append(first, last) with two pointers is the iterator overload, which goes through replace().
  out.append(buf, static_cast<std::size_t>(end - buf));
}

void append_uint(std::string& out, unsigned long long v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, static_cast<std::size_t>(end - buf));
  // Keep a float a float in JSON ("2.0", not "2"), as Python's json does.
  if (std::string_view(buf, static_cast<std::size_t>(end - buf)).find_first_of(".eEn") == std::string_view::npos) {
    out.append(".0");
  }
}

std::string json_text(const Json& v) {
  std::string out;
  append_json(out, v);
  return out;
}

std::string json_quote(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string format_bound(double v) {
  std::string out;
  if (v == std::floor(v) && std::fabs(v) < 9e15) {
    append_int(out, static_cast<long long>(v));
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out.append(buf, static_cast<std::size_t>(end - buf));
  }
  return out;
}

std::size_t code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

namespace {
std::string ctx_of(std::string_view key, const std::string& value_json) {
  std::string ctx = "{";
  append_json_string(ctx, key);
  ctx.push_back(':');
  ctx.append(value_json);
  ctx.push_back('}');
  return ctx;
}

std::string plural(std::size_t n, std::string_view word) {
  std::string out = std::to_string(n);
  out.push_back(' ');
  out.append(word);
  if (n != 1) out.push_back('s');
  return out;
}
}  // namespace

std::string IssueInput::render() const {
  if (json_ != nullptr) return json_text(*json_);
  if (number_) {
    double d = 0;
    auto [end, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), d);
    (void)end;
    if (ec == std::errc::result_out_of_range && text_.find_first_of("eE") != std::string_view::npos) {
      // An exponent beyond a double: too large is not a number JSON readers accept; too small is 0.
      const std::size_t e = text_.find_first_of("eE");
      return text_.size() > e + 1 && text_[e + 1] == '-' ? std::string("0") : std::string("null");
    }
    return std::string(text_);
  }
  if (raw_) return std::string(text_);
  return json_quote(text_);
}

void check_number(const Rules& r, double v, const IssueInput& in, Validator& val) {
  if (r.has_minimum + r.has_maximum + r.has_exclusive_minimum + r.has_exclusive_maximum == 0) return;
  const bool ok = (!r.has_minimum || v >= r.minimum) && (!r.has_maximum || v <= r.maximum) &&
                  (!r.has_exclusive_minimum || v > r.exclusive_minimum) &&
                  (!r.has_exclusive_maximum || v < r.exclusive_maximum);
  if (ok) return;
  // One issue per value, the first bound broken in pydantic's order (le, lt, ge, gt): a NaN breaks every
  // bound but is reported once.
  const std::string input = in.render();
  if (r.has_maximum && !(v <= r.maximum)) {
    return val.fail("less_than_equal", "Input should be less than or equal to " + format_bound(r.maximum), input,
                    ctx_of("le", format_bound(r.maximum)));
  }
  if (r.has_exclusive_maximum && !(v < r.exclusive_maximum)) {
    return val.fail("less_than", "Input should be less than " + format_bound(r.exclusive_maximum), input,
                    ctx_of("lt", format_bound(r.exclusive_maximum)));
  }
  if (r.has_minimum && !(v >= r.minimum)) {
    return val.fail("greater_than_equal", "Input should be greater than or equal to " + format_bound(r.minimum),
                    input, ctx_of("ge", format_bound(r.minimum)));
  }
  if (r.has_exclusive_minimum && !(v > r.exclusive_minimum)) {
    return val.fail("greater_than", "Input should be greater than " + format_bound(r.exclusive_minimum), input,
                    ctx_of("gt", format_bound(r.exclusive_minimum)));
  }
}

void check_string(const Rules& r, std::string_view s, const IssueInput& in, Validator& val) {
  if (r.has_lengths()) {
    const std::size_t n = code_points(s);
    // One issue per value, as pydantic reports it: a length broken is that issue, the pattern unchecked.
    if (n < r.min_length) {
      const std::string input = in.render();
      return val.fail("string_too_short", "String should have at least " + plural(r.min_length, "character"),
                      input, ctx_of("min_length", std::to_string(r.min_length)));
    }
    if (n > r.max_length) {
      const std::string input = in.render();
      return val.fail("string_too_long", "String should have at most " + plural(r.max_length, "character"), input,
                      ctx_of("max_length", std::to_string(r.max_length)));
    }
  }
  if (r.compiled != nullptr && !pattern_matches(r.compiled, s)) {
    const std::string input = in.render();
    val.fail("string_pattern_mismatch", "String should match pattern '" + std::string(r.pattern) + "'", input,
             ctx_of("pattern", json_quote(r.pattern)));
  }
}

void check_size(const Rules& r, std::size_t n, const IssueInput& in, Validator& val, std::string_view field_type) {
  if (n >= r.min_length && n <= r.max_length) return;
  const std::string input = in.render();
  const std::string type(field_type);
  if (n < r.min_length) {
    val.fail("too_short",
             type + " should have at least " + plural(r.min_length, "item") + " after validation, not " + std::to_string(n),
             input, "{\"field_type\":\"" + type + "\",\"min_length\":" + std::to_string(r.min_length) +
                        ",\"actual_length\":" + std::to_string(n) + "}");
  } else if (n > r.max_length) {
    val.fail("too_long",
             type + " should have at most " + plural(r.max_length, "item") + " after validation, not " + std::to_string(n),
             input, "{\"field_type\":\"" + type + "\",\"max_length\":" + std::to_string(r.max_length) +
                        ",\"actual_length\":" + std::to_string(n) + "}");
  }
}

void fail_int_range(Validator& val, bool too_small, long long min, unsigned long long max, const std::string& input) {
  if (too_small) {
    std::string bound;
    append_int(bound, min);
    val.fail("greater_than_equal", "Input should be greater than or equal to " + bound, input, ctx_of("ge", bound));
  } else {
    std::string bound;
    append_uint(bound, max);
    val.fail("less_than_equal", "Input should be less than or equal to " + bound, input, ctx_of("le", bound));
  }
}

void fail_int_beyond(Validator& val, bool too_small, long long min, unsigned long long max, double value,
                     const Rules* rules, const IssueInput& input) {
  if (rules != nullptr && rules->has_bounds()) {
    const std::size_t before = val.issue_count();
    check_number(*rules, value, input, val);
    if (val.issue_count() > before) return;
  }
  fail_int_range(val, too_small, min, max, input.render());
}

std::optional<bool> parse_bool_text(std::string_view text) noexcept {
  auto is = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] | 0x20) : text[i];
      if (c != word[i]) return false;
    }
    return true;
  };
  if (is("true") || is("1") || is("yes") || is("on")) return true;
  if (is("false") || is("0") || is("no") || is("off")) return false;
  return std::nullopt;
}

void fail_enum(Validator& val, const std::vector<std::string_view>& names, const std::string& input) {
  std::string expected;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i != 0) expected.append(i + 1 == names.size() ? " or " : ", ");
    expected.push_back('\'');
    expected.append(names[i]);
    expected.push_back('\'');
  }
  val.fail("enum", "Input should be " + expected, input, ctx_of("expected", json_quote(expected)));
}

}  // namespace detail
}  // namespace aegis
