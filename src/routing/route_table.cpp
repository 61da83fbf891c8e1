#include "routing/route_table.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace aegis::routing {

namespace {

enum class SegKind : std::uint8_t { literal, param };

struct Segment {
  SegKind kind = SegKind::literal;
  std::string text;  // literal text or parameter name
  int converter = 0;  // index into kConverterNames
};

constexpr std::string_view kConverterNames[] = {"str", "int", "float", "uuid", "path"};

std::string where(const Router::Route& r) {
  return std::string(to_string(r.info.method)) + " " + r.info.path + " (" + r.info.file + ":" +
         std::to_string(r.info.line) + ")";
}

bool is_identifier(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::vector<Segment> parse_template(const Router::Route& route) {
  const std::string& path = route.info.path;
  if (path.empty() || path.front() != '/') {
    throw std::invalid_argument("route " + where(route) + ": the path must start with '/'");
  }
  std::vector<Segment> segments;
  std::size_t pos = 1;
  for (;;) {
    std::size_t end = path.find('/', pos);
    const bool last = end == std::string::npos;
    if (last) end = path.size();
    std::string_view seg(path.data() + pos, end - pos);
    Segment s;
    if (!seg.empty() && seg.front() == '{' && seg.back() == '}') {
      std::string_view inner = seg.substr(1, seg.size() - 2);
      std::string_view name = inner;
      std::string_view conv = "str";
      if (const std::size_t colon = inner.find(':'); colon != std::string_view::npos) {
        name = inner.substr(0, colon);
        conv = inner.substr(colon + 1);
      }
      if (!is_identifier(name)) {
        throw std::invalid_argument("route " + where(route) + ": '" + std::string(name) +
                                    "' is not a valid parameter name");
      }
      int index = -1;
      for (int i = 0; i < 5; ++i) {
        if (kConverterNames[i] == conv) index = i;
      }
      if (index < 0) {
        throw std::invalid_argument("route " + where(route) + ": unknown converter '" + std::string(conv) +
                                    "' (use str, int, float, uuid or path)");
      }
      if (index == 4 && !last) {
        throw std::invalid_argument("route " + where(route) + ": a {" + std::string(name) +
                                    ":path} parameter must be the last segment");
      }
      for (const auto& other : segments) {
        if (other.kind == SegKind::param && other.text == name) {
          throw std::invalid_argument("route " + where(route) + ": parameter '" + std::string(name) +
                                      "' appears twice");
        }
      }
      s.kind = SegKind::param;
      s.text = name;
      s.converter = index;
    } else if (seg.find_first_of("{}") != std::string_view::npos) {
      throw std::invalid_argument("route " + where(route) + ": a parameter must fill a whole segment ('" +
                                  std::string(seg) + "')");
    } else {
      s.text = seg;
    }
    segments.push_back(std::move(s));
    if (last) break;
    pos = end + 1;
  }
  return segments;
}

std::uint64_t load(const char* p, std::size_t bytes) noexcept {  // bytes: 4 or 8
  std::uint64_t w = 0;
  std::memcpy(&w, p, bytes);
  return w;
}

// Hashes a path or segment eight bytes at a time (a byte at a time cost more than the walk it replaces).
// The last word overlaps the one before it, and short keys load their first and last bytes: equal keys
// hash equally, and the length is mixed in. The final mix (MurmurHash3's) spreads every input bit over the
// low bits the tables index by: keys differing only in their last characters ("resource17", "resource18")
// must not crowd into a few slots.
std::uint64_t hash_segment(std::string_view s) noexcept {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t h = (n + 1) * 0x9E3779B97F4A7C15ull;
  const auto mix = [&h](std::uint64_t w) {
    h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  };
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) mix(load(p + i, 8));
    mix(load(p + n - 8, 8));
  } else if (n >= 4) {
    mix(load(p, 4) | load(p + n - 4, 4) << 32);
  } else if (n > 0) {
    mix(static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[n / 2]) << 8 |
        static_cast<unsigned char>(p[n - 1]) << 16);
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

bool is_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_float(std::string_view s) noexcept {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return is_digits(s);
  return is_digits(s.substr(0, dot)) && is_digits(s.substr(dot + 1));
}

bool is_uuid(std::string_view s) noexcept {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

// Parameter slots in the order they are tried; each maps to a converter index of kConverterNames.
constexpr int kSlotConverter[4] = {1, 2, 3, 0};  // int, float, uuid, str

bool slot_accepts(int slot, std::string_view seg) noexcept {
  switch (slot) {
    case 0: return is_digits(seg);
    case 1: return is_float(seg);
    case 2: return is_uuid(seg);
    default: return !seg.empty();
  }
}

}  // namespace

std::uint32_t RouteTable::add_node() {
  nodes_.emplace_back();
  nodes_.back().endpoints.fill(-1);
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

RouteTable::RouteTable(std::span<const Router::Route> routes, bool redirect_slashes)
    : redirect_slashes_(redirect_slashes) {
  add_node();  // root
  endpoints_.reserve(routes.size());
  for (const auto& route : routes) {
    const auto segments = parse_template(route);
    std::uint32_t node = 0;
    Endpoint endpoint;
    endpoint.route = &route;
    bool literal = true;
    for (const auto& seg : segments) {
      literal = literal && seg.kind == SegKind::literal;
      std::uint32_t next = kNone;
      if (seg.kind == SegKind::literal) {
        for (const auto& [text, child] : nodes_[node].statics) {
          if (text == seg.text) next = child;
        }
        if (next == kNone) {
          next = add_node();
          nodes_[node].statics.emplace_back(seg.text, next);
        }
      } else {
        endpoint.param_names.push_back(seg.text);
        if (seg.converter == 4) {
          next = nodes_[node].path;
          if (next == kNone) {
            next = add_node();
            nodes_[node].path = next;
          }
        } else {
          int slot = 0;
          while (kSlotConverter[slot] != seg.converter) ++slot;
          next = nodes_[node].params[static_cast<std::size_t>(slot)];
          if (next == kNone) {
            next = add_node();
            nodes_[node].params[static_cast<std::size_t>(slot)] = next;
          }
        }
      }
      node = next;
    }
    auto& slot = nodes_[node].endpoints[static_cast<std::size_t>(route.info.method)];
    if (slot >= 0) {
      const auto& first = *endpoints_[static_cast<std::size_t>(slot)].route;
      throw std::invalid_argument("AE001 route " + where(route) + " duplicates " + where(first));
    }
    slot = static_cast<std::int32_t>(endpoints_.size());
    endpoints_.push_back(std::move(endpoint));
    if (literal && !nodes_[node].has_endpoint) literal_paths_.emplace_back(route.info.path, node);
    nodes_[node].has_endpoint = true;
  }
  for (auto& node : nodes_) finish_node(node);
  if (!literal_paths_.empty()) literal_index_ = build_index(literal_paths_);
  for (const auto& [path, node] : literal_paths_) {
    const std::size_t n = std::min<std::size_t>(path.size(), 255);
    literal_lengths_[n >> 6] |= std::uint64_t{1} << (n & 63);
  }
}

std::vector<std::uint32_t> RouteTable::build_index(const Keyed& entries) {
  std::size_t size = 16;
  while (size < entries.size() * 2) size *= 2;
  std::vector<std::uint32_t> index(size, kNone);
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    std::size_t h = hash_segment(entries[i].first) & (size - 1);
    while (index[h] != kNone) h = (h + 1) & (size - 1);
    index[h] = i;
  }
  return index;
}

std::uint32_t RouteTable::probe(const Keyed& entries, const std::vector<std::uint32_t>& index,
                                std::string_view key) noexcept {
  const std::size_t mask = index.size() - 1;
  for (std::size_t h = hash_segment(key) & mask;; h = (h + 1) & mask) {
    const std::uint32_t i = index[h];
    if (i == kNone) return kNone;
    if (entries[i].first == key) return entries[i].second;
  }
}

std::int32_t RouteTable::endpoint_for(const Node& node, Method method) noexcept {
  const std::int32_t ep = node.endpoints[static_cast<std::size_t>(method)];
  return ep < 0 && method == Method::head ? node.endpoints[static_cast<std::size_t>(Method::get)] : ep;
}

std::uint32_t RouteTable::find_literal_path(std::string_view path) const noexcept {
  const std::size_t n = std::min<std::size_t>(path.size(), 255);
  if ((literal_lengths_[n >> 6] >> (n & 63) & 1) == 0) return kNone;
  return probe(literal_paths_, literal_index_, path);
}

void RouteTable::finish_node(Node& node) {
  if (node.statics.size() > 8) node.index = build_index(node.statics);
  if (!node.has_endpoint) return;
  const auto has = [&](Method m) { return node.endpoints[static_cast<std::size_t>(m)] >= 0; };
  for (std::size_t m = 0; m < kMethodCount; ++m) {
    const auto method = static_cast<Method>(m);
    const bool listed = has(method) || (method == Method::head && has(Method::get)) || method == Method::options;
    if (!listed) continue;
    if (!node.allow.empty()) node.allow += ", ";
    node.allow += to_string(method);
  }
}

std::uint32_t RouteTable::find_static(const Node& node, std::string_view segment) const noexcept {
  if (node.index.empty()) {
    for (const auto& [text, child] : node.statics) {
      if (text == segment) return child;
    }
    return kNone;
  }
  return probe(node.statics, node.index, segment);
}

bool RouteTable::walk(std::uint32_t index, std::string_view rest, Method method, std::vector<PathParam>& params,
                      Match& result, const Node*& partial) const {
  const Node& node = nodes_[index];
  if (rest.empty()) {
    if (!node.has_endpoint) return false;
    if (const std::int32_t ep = endpoint_for(node, method); ep >= 0) {
      result.kind = MatchKind::found;
      result.endpoint = &endpoints_[static_cast<std::size_t>(ep)];
      return true;
    }
    if (partial == nullptr) partial = &node;
    return false;
  }
  // rest is "/segment..." here.
  const std::string_view after_slash = rest.substr(1);
  const std::size_t slash = after_slash.find('/');
  const std::string_view seg = after_slash.substr(0, slash);
  const std::string_view remaining = slash == std::string_view::npos ? std::string_view{} : after_slash.substr(slash);

  if (const std::uint32_t child = find_static(node, seg); child != kNone) {
    if (walk(child, remaining, method, params, result, partial)) return true;
  }
  if (!seg.empty()) {
    for (int slot = 0; slot < 4; ++slot) {
      const std::uint32_t child = node.params[static_cast<std::size_t>(slot)];
      if (child == kNone || !slot_accepts(slot, seg)) continue;
      params.push_back({{}, seg});
      if (walk(child, remaining, method, params, result, partial)) return true;
      params.pop_back();
    }
  }
  if (node.path != kNone) {
    params.push_back({{}, after_slash});
    if (walk(node.path, {}, method, params, result, partial)) return true;
    params.pop_back();
  }
  return false;
}

Match RouteTable::match(Method method, std::string_view path, std::vector<PathParam>& params) const {
  Match result;
  params.clear();
  if (const std::uint32_t literal = find_literal_path(path); literal != kNone) {
    if (const std::int32_t ep = endpoint_for(nodes_[literal], method); ep >= 0) {
      result.kind = MatchKind::found;
      result.endpoint = &endpoints_[static_cast<std::size_t>(ep)];
      return result;
    }
  }
  const Node* partial = nullptr;
  if (!path.empty() && path.front() == '/' && walk(0, path, method, params, result, partial)) {
    const auto& names = result.endpoint->param_names;
    for (std::size_t i = 0; i < params.size() && i < names.size(); ++i) params[i].name = names[i];
    return result;
  }
  params.clear();
  if (partial != nullptr) {
    result.kind = method == Method::options ? MatchKind::options : MatchKind::method_not_allowed;
    result.allow = partial->allow;
    return result;
  }
  // A path starting "//" is never redirected: browsers read such a Location as another host.
  if (redirect_slashes_ && path.size() > 1 && path[1] != '/' && path_exists(redirect_target(path))) {
    result.kind = MatchKind::redirect;
  }
  return result;
}

bool RouteTable::path_exists(std::string_view path) const {
  std::vector<PathParam> params;
  Match result;
  const Node* partial = nullptr;
  return walk(0, path, Method::get, params, result, partial) || partial != nullptr;
}

std::string RouteTable::redirect_target(std::string_view path) {
  if (!path.empty() && path.back() == '/') return std::string(path.substr(0, path.size() - 1));
  std::string out(path);
  out.push_back('/');
  return out;
}

}  // namespace aegis::routing
