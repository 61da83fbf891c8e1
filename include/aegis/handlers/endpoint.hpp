#pragma once

// The contract between a route and the app that serves it: an Endpoint is what a route's handler compiles
// to at registration; at boot the app prepares it (resolving its dependencies and state) into an Invoker,
// which answers requests.

#include <aegis/http/method.hpp>
#include <aegis/http/task.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace aegis {

class Request;
class Response;
class Validator;
class RequestValidationError;
struct EndpointDoc;

namespace detail {

/// A key identifying a C++ type without RTTI lookups on the request path.
using TypeKey = const void*;
template <class T>
struct TypeKeyOf {
  static constexpr char tag = 0;
};
template <class T>
constexpr TypeKey type_key() noexcept {
  return &TypeKeyOf<T>::tag;
}
/// A readable name of `type` for boot errors ("app::OrderService").
std::string type_name(const std::type_info& type);

/// Per-request storage for the values dependency providers produce. Values are constructed in an inline
/// buffer when they fit (no allocation for the common case) and destroyed in reverse order of creation
/// when the scope ends, which is after the response has been produced: that is where `Yield` cleanups and
/// destructors of dependency values run.
class DependencyScope {
 public:
  DependencyScope() = default;
  DependencyScope(const DependencyScope&) = delete;
  DependencyScope& operator=(const DependencyScope&) = delete;
  ~DependencyScope() {
    if (count_ != 0) destroy_all();
  }

  /// Destroys what the scope holds and reserves `slots` empty slots (one per step of the route's
  /// dependency plan). Slot values are destroyed in reverse slot order, the reverse of resolution.
  void reset(std::size_t slots) {
    if (count_ == 0 && slots == 0) return;  // a route without dependencies: nothing to do per request
    reset_slots(slots);
  }
  /// Constructs `V` in slot `slot` and records `value` (a pointer into it, or elsewhere) as what the slot
  /// provides.
  template <class V, class Get>
  void emplace(std::size_t slot, V&& v, Get get) {
    using D = std::remove_cvref_t<V>;
    std::size_t heap_align = 0;
    void* mem = allocate(sizeof(D), alignof(D), heap_align);
    D* obj = ::new (mem) D(std::forward<V>(v));
    Entry& e = entry(slot);
    e.storage = obj;
    e.value = get(*obj);
    e.destroy = [](void* p) noexcept { static_cast<D*>(p)->~D(); };
    e.heap_align = heap_align;
  }
  /// Records a value the scope does not own.
  void set(std::size_t slot, void* value) { entry(slot).value = value; }
  /// The value of `slot`, or null when its provider did not run (its parameters failed validation).
  void* value(std::size_t slot) const noexcept { return slot < count_ ? entries_[slot].value : nullptr; }

 private:
  // No default member initialisers: the inline slots are left uninitialised until reset() gives the
  // plan's slots a value-initialised (all null) Entry{}; only slots below count_ are ever read.
  struct Entry {
    void* value;
    void* storage;
    void (*destroy)(void*) noexcept;
    std::size_t heap_align;  // 0: in the inline buffer
  };
  static constexpr std::size_t kInlineBytes = 256;
  static constexpr std::size_t kInlineSlots = 8;

  void* allocate(std::size_t size, std::size_t align, std::size_t& heap_align);
  Entry& entry(std::size_t slot) { return slot < kInlineSlots ? entries_[slot] : overflow_[slot - kInlineSlots]; }
  void destroy_all() noexcept;
  void reset_slots(std::size_t slots);

  alignas(std::max_align_t) unsigned char inline_[kInlineBytes];
  std::size_t used_ = 0;
  Entry entries_[kInlineSlots];
  std::vector<Entry> overflow_;
  std::size_t count_ = 0;
};

/// What a callable (a handler, a provider or a route dependency) was bound to at boot: the plan slots of
/// its `Depends<T>` parameters and the objects behind its `State<T>` parameters, in parameter order.
struct Bindings {
  std::vector<std::size_t> dependency_slots;
  std::vector<void*> states;
};

/// What extraction needs for one call.
struct CallContext {
  Request& request;
  Response& response;
  Validator& validator;
  DependencyScope& scope;
  const Bindings& bindings;
};

/// What a callable's parameters ask of the app, known at compile time.
struct Needs {
  std::vector<TypeKey> dependencies;  ///< the T of each Depends<T>, in order
  std::vector<const std::type_info*> dependency_types;
  std::vector<TypeKey> states;  ///< the T of each State<T>, in order
  std::vector<const std::type_info*> state_types;
  std::vector<std::string_view> path_params;  ///< the names of its Path<> parameters
};

/// A dependency provider: a callable that produces a value of one type for `Depends<T>`, or (for a route
/// dependency) runs for its effect. Its parameters are extracted like a handler's.
class Provider {
 public:
  virtual ~Provider() = default;
  /// The type it provides (for route dependencies: a key unique to this provider).
  virtual TypeKey key() const noexcept = 0;
  virtual const std::type_info& type() const noexcept = 0;
  virtual const Needs& needs() const noexcept = 0;
  virtual bool is_async() const noexcept = 0;
  /// Extracts the parameters and, when they validated, calls the provider and stores its value in `slot`.
  /// Returns false when a parameter failed validation (the issues are in the context's validator).
  virtual bool resolve(CallContext& ctx, std::size_t slot) const = 0;
  virtual Task<bool> resolve_async(CallContext& ctx, std::size_t slot) const = 0;
  /// For a permission guard: the permission it requires (introspection and diagnostics).
  virtual std::string_view required_permission() const noexcept { return {}; }
  /// Its parameters, for OpenAPI (null: none documented). Builds its parameters' rules on first use, so it
  /// throws `std::invalid_argument` for one that cannot be built (a Pattern that does not compile).
  virtual const EndpointDoc* doc() const { return nullptr; }
  /// Where it was registered, for boot errors.
  std::string where;
};

}  // namespace detail

/// A route dependency: a callable run before the handler of every route it is attached to, for its effect
/// (typically a guard that throws `HttpError`). Build one with `aegis::dependency(fn)`.
class Dependency {
 public:
  Dependency() = default;
  explicit Dependency(std::shared_ptr<const detail::Provider> p) : provider_(std::move(p)) {}
  const std::shared_ptr<const detail::Provider>& provider() const noexcept { return provider_; }

 private:
  std::shared_ptr<const detail::Provider> provider_;
};

namespace detail {

class BlockingPool;

/// What the app gives an endpoint when it prepares it at boot.
class EndpointHost {
 public:
  virtual ~EndpointHost() = default;
  /// The object registered as app state of type `key`, or null.
  virtual void* state(TypeKey key) const = 0;
  /// The pool that runs `.blocking()` routes.
  virtual BlockingPool& blocking_pool() const = 0;
  /// Answers a validation failure without throwing (through the app's exception handlers).
  virtual void render_validation_error(Request& req, Response& res, const RequestValidationError& e) const = 0;
};

/// One step of a route's dependency plan: a provider and its bindings. Steps run in order; a step's
/// dependencies always come before it.
struct PlanStep {
  const Provider* provider = nullptr;
  Bindings bindings;
};

/// Everything an endpoint is prepared with.
struct EndpointSetup {
  const EndpointHost& host;
  Method method;
  std::string_view path;  ///< the final template, prefixes applied
  std::string_view where;  ///< "GET /x (file:line)" for boot errors
  int status = 0;          ///< the route's `.status()`, 0 when unset
  bool blocking = false;
  /// Providers visible to the route, most specific first.
  std::span<const std::shared_ptr<const Provider>> providers;
  /// Route dependencies, outermost first.
  std::span<const Dependency> dependencies;
};

/// The prepared, request-answering form of a route.
class Invoker {
 public:
  virtual ~Invoker() = default;
  /// Answers the request into `res`. Returns an empty Task when it has answered already, or a Task to
  /// await. Runs on the I/O thread; throws what the handler throws.
  virtual Task<> invoke(Request& req, Response& res) const = 0;
  /// The providers the route resolves per request, in order (for OpenAPI and the Overseer).
  virtual std::vector<const Provider*> providers() const { return {}; }
};

}  // namespace detail

/// What a route's handler compiles to at registration. Immutable: one Endpoint can back several routes
/// (a router included twice).
class Endpoint {
 public:
  virtual ~Endpoint() = default;
  /// Resolves dependencies and state against the app and checks the handler against the final route
  /// template. Throws `std::invalid_argument` naming the route for what does not fit.
  virtual std::unique_ptr<detail::Invoker> prepare(const detail::EndpointSetup& setup) const = 0;
  /// The raw form (`void(Request&, Response&)`) takes its path parameters as it likes.
  virtual bool is_raw() const noexcept { return false; }
  /// The parameters, body and result for OpenAPI (null for a raw handler). Builds the parameters' rules on
  /// first use, so it throws `std::invalid_argument` for one that cannot be built (a Pattern that does not
  /// compile); the app calls it for every route when it freezes.
  virtual const EndpointDoc* doc() const { return nullptr; }
};

}  // namespace aegis
