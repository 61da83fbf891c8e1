#pragma once

#include <aegis/http/request.hpp>
#include <aegis/routing/router.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aegis::routing {

/// One method of one route, as the compiled table holds it.
struct Endpoint {
  const Router::Route* route = nullptr;
  std::vector<std::string> param_names;  // in template order
};

enum class MatchKind : std::uint8_t {
  found,               // endpoint set
  not_found,           // no route has this path
  method_not_allowed,  // allow set
  options,             // an OPTIONS request for a path without an OPTIONS route; allow set
  redirect,            // redirect_path is the registered form (the other trailing-slash variant)
};

struct Match {
  MatchKind kind = MatchKind::not_found;
  const Endpoint* endpoint = nullptr;
  std::string_view allow;  // "GET, HEAD, OPTIONS"
};

/// The routes compiled into a segment trie at boot: static segments are looked up by hash, so a lookup
/// costs the same with 10 routes or 10,000. Static segments win over parameters; among parameters `int`,
/// then `float`, then `uuid`, then `str` are tried, then `path`, with backtracking.
class RouteTable {
 public:
  /// Compiles `routes` (which must outlive the table). Throws `std::invalid_argument` naming the route(s)
  /// for a malformed template or a method and template registered twice.
  explicit RouteTable(std::span<const Router::Route> routes, bool redirect_slashes = true);

  /// Matches `method` and `path`; on `found`, fills `params` with the captured path parameters.
  Match match(Method method, std::string_view path, std::vector<PathParam>& params) const;

  /// For a `redirect` match: the path to redirect to.
  static std::string redirect_target(std::string_view path);

 private:
  enum class Converter : std::uint8_t { str, integer, floating, uuid, path };
  static constexpr std::uint32_t kNone = UINT32_MAX;

  using Keyed = std::vector<std::pair<std::string, std::uint32_t>>;
  // An open-addressing table over `entries`' keys, a power of two long; and a look-up through it.
  static std::vector<std::uint32_t> build_index(const Keyed& entries);
  static std::uint32_t probe(const Keyed& entries, const std::vector<std::uint32_t>& index,
                             std::string_view key) noexcept;

  struct Node {
    Keyed statics;
    std::vector<std::uint32_t> index;  // open-addressing table over statics (used when there are many)
    std::array<std::uint32_t, 4> params{kNone, kNone, kNone, kNone};  // int, float, uuid, str
    std::uint32_t path = kNone;  // terminal node of a {x:path} parameter
    std::array<std::int32_t, kMethodCount> endpoints{};
    std::string allow;
    bool has_endpoint = false;
  };

  std::uint32_t add_node();
  std::uint32_t find_static(const Node& node, std::string_view segment) const noexcept;
  bool walk(std::uint32_t node, std::string_view rest, Method method, std::vector<PathParam>& params,
            Match& result, const Node*& partial) const;
  bool path_exists(std::string_view path) const;
  void finish_node(Node& node);

  // The node a whole literal path leads to, e.g. "/api/health", found with one hash instead of a walk
  // segment by segment. The walk tries literal segments first, so when that node has the method the walk
  // would end there too; anything else (parameters, 405, redirects) is left to it.
  std::uint32_t find_literal_path(std::string_view path) const noexcept;
  // The endpoint of `node` for `method` (HEAD falls back to GET), or -1.
  static std::int32_t endpoint_for(const Node& node, Method method) noexcept;

  std::vector<Node> nodes_;
  std::vector<Endpoint> endpoints_;
  Keyed literal_paths_;
  std::vector<std::uint32_t> literal_index_;  // open addressing over literal_paths_, a power of two long
  // Bit n: some literal path is n bytes long (255: 255 or more). A path of another length skips the hash.
  std::array<std::uint64_t, 4> literal_lengths_{};
  bool redirect_slashes_;
};

}  // namespace aegis::routing
