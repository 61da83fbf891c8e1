#include <aegis/modules/settings.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>

namespace aegis::detail {

namespace {
bool blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// KEY=VALUE lines; blank lines and '#' comments skipped; an optional "export "; spaces and tabs around the
// key and the value ignored; surrounding quotes removed.
std::map<std::string, std::string> read_dotenv() {
  std::map<std::string, std::string> out;
  std::ifstream in(".env");
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l = trim(line);
    if (l.empty() || l.front() == '#') continue;
    if (l.starts_with("export") && l.size() > 6 && blank(l[6])) l = trim(l.substr(6));
    const std::size_t eq = l.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = trim(l.substr(0, eq));
    std::string_view value = trim(l.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out[std::string(key)] = std::string(value);
  }
  return out;
}
}  // namespace

std::optional<std::string> settings_value(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  static const std::map<std::string, std::string> dotenv = read_dotenv();
  if (auto it = dotenv.find(name); it != dotenv.end()) return it->second;
  return std::nullopt;
}

std::vector<std::string_view> settings_list(std::string_view text) {
  std::vector<std::string_view> items;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::string settings_variable(std::string_view prefix, std::string_view member) {
  std::string out = "AEGIS_";
  auto add = [&out](std::string_view part) {
    for (char c : part) {
      if (c >= 'a' && c <= 'z') {
        out.push_back(static_cast<char>(c - 'a' + 'A'));
      } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        out.push_back(c);
      } else {
        out.push_back('_');
      }
    }
  };
  add(prefix);
  out.push_back('_');
  add(member);
  return out;
}

}  // namespace aegis::detail
