#include <aegis/handlers/bind.hpp>

#include <boost/core/demangle.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <new>

#include "http/url.hpp"

namespace aegis::detail {

std::string type_name(const std::type_info& type) { return boost::core::demangle(type.name()); }

void log_cleanup_failure(std::exception_ptr e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("a dependency cleanup failed: {}", ex.what());
  } catch (...) {
    spdlog::error("a dependency cleanup failed with a non-standard exception");
  }
}

// ---- DependencyScope -------------------------------------------------------------------------------------

void DependencyScope::destroy_all() noexcept {
  for (std::size_t i = count_; i-- > 0;) {
    Entry& e = entry(i);
    if (e.destroy != nullptr) {
      e.destroy(e.storage);
      if (e.heap_align != 0) ::operator delete(e.storage, std::align_val_t(e.heap_align));
    }
  }
  count_ = 0;
  used_ = 0;
}

void DependencyScope::reset_slots(std::size_t slots) {
  destroy_all();
  if (slots > kInlineSlots) overflow_.resize(slots - kInlineSlots);
  for (std::size_t i = 0; i < slots; ++i) entry(i) = Entry{};
  count_ = slots;
}

void* DependencyScope::allocate(std::size_t size, std::size_t align, std::size_t& heap_align) {
  const std::size_t start = (used_ + align - 1) / align * align;
  if (align <= alignof(std::max_align_t) && start + size <= kInlineBytes) {
    used_ = start + size;
    heap_align = 0;
    return inline_ + start;
  }
  heap_align = std::max(align, alignof(std::max_align_t));
  return ::operator new(size, std::align_val_t(heap_align));
}

// ---- content types and bodies ----------------------------------------------------------------------------

namespace {
// The media type without parameters, trimmed.
std::string_view media_type(std::string_view v) noexcept {
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  return v;
}
}  // namespace

bool is_json_content_type(std::string_view content_type) noexcept {
  if (content_type == "application/json") return true;  // what nearly every client sends
  const std::string_view t = media_type(content_type);
  if (iequals(t, "application/json")) return true;
  constexpr std::string_view kApp = "application/";
  return t.size() > kApp.size() + 5 && iequals(t.substr(0, kApp.size()), kApp) &&
         iequals(t.substr(t.size() - 5), "+json");
}

bool is_form_content_type(std::string_view content_type) noexcept {
  return iequals(media_type(content_type), "application/x-www-form-urlencoded");
}

void parse_form(std::string_view body, std::string& storage, std::vector<QueryParam>& out) {
  parse_query(body, storage, out);
}

// ---- the raw endpoint ------------------------------------------------------------------------------------

namespace {
class RawInvoker final : public Invoker {
 public:
  explicit RawInvoker(const std::function<void(Request&, Response&)>& fn) : fn_(fn) {}
  Task<> invoke(Request& req, Response& res) const override {
    fn_(req, res);
    return {};
  }

 private:
  const std::function<void(Request&, Response&)>& fn_;
};
}  // namespace

RawEndpoint::RawEndpoint(std::function<void(Request&, Response&)> fn) : fn_(std::move(fn)) {
  if (!fn_) throw std::invalid_argument("the handler is empty");
}

std::unique_ptr<Invoker> RawEndpoint::prepare(const EndpointSetup& setup) const {
  if (!setup.dependencies.empty() || setup.blocking) {
    // Route dependencies and the blocking pool need the typed machinery; a raw handler has neither.
    throw std::invalid_argument("route " + std::string(setup.where) +
                                ": a raw (Request&, Response&) handler cannot have dependencies or be .blocking(); "
                                "declare typed parameters instead");
  }
  return std::make_unique<RawInvoker>(fn_);
}

// ---- dependency plans ------------------------------------------------------------------------------------

namespace {

std::vector<std::string_view> template_params(std::string_view path) {
  std::vector<std::string_view> names;
  std::size_t pos = 0;
  while ((pos = path.find('{', pos)) != std::string_view::npos) {
    const std::size_t close = path.find('}', pos);
    if (close == std::string_view::npos) break;
    std::string_view name = path.substr(pos + 1, close - pos - 1);
    names.push_back(name.substr(0, name.find(':')));
    pos = close + 1;
  }
  return names;
}

bool contains(const std::vector<std::string_view>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class PlanBuilder {
 public:
  explicit PlanBuilder(const EndpointSetup& setup) : setup_(setup), params_(template_params(setup.path)) {}

  std::size_t visit(const Provider& p) {
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      if (steps_[i].provider->key() == p.key()) return i;
    }
    for (const Provider* active : stack_) {
      if (active->key() == p.key()) {
        std::string cycle;
        bool in = false;
        for (const Provider* s : stack_) {
          in = in || s == active;
          if (in) cycle += type_name(s->type()) + " -> ";
        }
        fail("dependency cycle: " + cycle + type_name(p.type()));
      }
    }
    stack_.push_back(&p);
    PlanStep step;
    step.provider = &p;
    bind(p.needs(), step.bindings, "the provider of " + type_name(p.type()) + " (" + p.where + ")");
    stack_.pop_back();
    steps_.push_back(std::move(step));
    return steps_.size() - 1;
  }

  void bind(const Needs& needs, Bindings& b, const std::string& who) {
    for (std::size_t i = 0; i < needs.dependencies.size(); ++i) {
      const Provider* provider = find(needs.dependencies[i]);
      if (provider == nullptr) {
        const std::string t = type_name(*needs.dependency_types[i]);
        fail(who + " needs Depends<" + t + ">, which has no provider; register one with app.provide<" + t +
             ">(...) or router.provide<" + t + ">(...)");
      }
      b.dependency_slots.push_back(visit(*provider));
    }
    for (std::size_t i = 0; i < needs.states.size(); ++i) {
      void* object = setup_.host.state(needs.states[i]);
      if (object == nullptr) {
        const std::string t = type_name(*needs.state_types[i]);
        fail(who + " needs State<" + t + ">, which nobody registered; add it with app.state().emplace<" + t +
             ">(name, ...) during boot");
      }
      b.states.push_back(object);
    }
    for (std::string_view p : needs.path_params) {
      if (!contains(params_, p)) {
        fail(who + " declares aegis::Path<..., \"" + std::string(p) + "\"> but the template has no {" +
             std::string(p) + "}");
      }
    }
  }

  void check_handler_covers_template(const Needs& needs) {
    for (std::string_view p : params_) {
      if (!contains(needs.path_params, p)) {
        fail("the template has {" + std::string(p) + "} but the handler declares no aegis::Path<..., \"" +
             std::string(p) + "\">");
      }
    }
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("route " + std::string(setup_.where) + ": " + what);
  }

  std::vector<PlanStep> take() { return std::move(steps_); }

 private:
  const Provider* find(TypeKey key) const noexcept {
    for (const auto& p : setup_.providers) {
      if (p->key() == key) return p.get();
    }
    return nullptr;
  }

  const EndpointSetup& setup_;
  std::vector<std::string_view> params_;
  std::vector<PlanStep> steps_;
  std::vector<const Provider*> stack_;
};

}  // namespace

std::vector<PlanStep> build_plan(const EndpointSetup& setup, const Needs& handler_needs, Bindings& handler,
                                 bool raw_handler) {
  PlanBuilder builder(setup);
  for (const auto& d : setup.dependencies) {
    if (d.provider()) builder.visit(*d.provider());
  }
  builder.bind(handler_needs, handler, "the handler");
  if (!raw_handler) builder.check_handler_covers_template(handler_needs);
  return builder.take();
}

void resolve_plan(const std::vector<PlanStep>& plan, Request& req, Response& res, Validator& val,
                  DependencyScope& scope) {
  for (std::size_t i = 0; i < plan.size(); ++i) {
    CallContext ctx{req, res, val, scope, plan[i].bindings};
    plan[i].provider->resolve(ctx, i);
  }
}

Task<> resolve_plan_async(const std::vector<PlanStep>& plan, Request& req, Response& res, Validator& val,
                          DependencyScope& scope) {
  for (std::size_t i = 0; i < plan.size(); ++i) {
    CallContext ctx{req, res, val, scope, plan[i].bindings};
    if (plan[i].provider->is_async()) {
      co_await plan[i].provider->resolve_async(ctx, i);
    } else {
      plan[i].provider->resolve(ctx, i);
    }
  }
}

}  // namespace aegis::detail
