#pragma once

// Typed settings from the environment: a described struct whose members are read from
// AEGIS_<PREFIX>_<MEMBER> variables (upper-cased), falling back to a `.env` file in the working directory,
// then to the member's default. Every invalid value is reported at once, by variable name.
//
//     struct OrdersSettings { int page_size = 20; bool new_checkout_beta = false; std::string currency = "EUR"; };
//     BOOST_DESCRIBE_STRUCT(OrdersSettings, (), (page_size, new_checkout_beta, currency))
//     AEGIS_FIELD_RULES(OrdersSettings, (page_size, aegis::Min<1>, aegis::Max<500>))
//     auto settings = aegis::load_settings<OrdersSettings>("ORDERS");   // AEGIS_ORDERS_PAGE_SIZE=50 ...

#include <aegis/app/lifecycle.hpp>
#include <aegis/json/convert.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aegis {

namespace detail {
/// The value of `name` from the environment, else from `.env` in the working directory (read once).
std::optional<std::string> settings_value(const std::string& name);
/// AEGIS_<PREFIX>_<MEMBER>, upper-cased, non-identifier characters turned into '_'.
std::string settings_variable(std::string_view prefix, std::string_view member);
/// The items of a comma-separated setting, each without the spaces and tabs around it; empty ones skipped.
std::vector<std::string_view> settings_list(std::string_view text);
}  // namespace detail

/// Reads T from the environment over `defaults` (see the file comment). Throws StartupError listing every
/// invalid value as "AEGIS_ORDERS_PAGE_SIZE: Input should be ...".
template <class T>
T load_settings(std::string_view prefix, T defaults = {}) {
  static_assert(detail::Described<T>, "aegis::load_settings: T must be described with BOOST_DESCRIBE_STRUCT");
  T out = std::move(defaults);
  std::string errors;
  const auto& rules = detail::member_rules<T>();
  std::size_t index = 0;
  boost::mp11::mp_for_each<detail::MembersOf<T>>([&](auto D) {
    const Rules* member_rules = rules[index++];
    using M = std::remove_cvref_t<decltype(out.*D.pointer)>;
    const std::string variable = detail::settings_variable(prefix, D.name);
    const std::optional<std::string> text = detail::settings_value(variable);
    if (!text) return;
    Validator val;
    if constexpr (detail::IsOptional<M>::value) {
      read_text(*text, (out.*D.pointer).emplace(), val, member_rules);
    } else if constexpr (detail::IsVector<M>::value) {
      // A comma-separated list, each item trimmed, empty ones skipped. As for a list parameter, the
      // bounds and pattern apply to each item and the lengths to the list.
      auto& list = out.*D.pointer;
      list.clear();
      const Rules item_rules = detail::item_rules(member_rules != nullptr ? *member_rules : Rules{});
      for (const std::string_view item : detail::settings_list(*text)) {
        Validator item_val;
        read_text(item, list.emplace_back(), item_val, &item_rules);
        for (const auto& issue : item_val.issues()) {
          errors += "\n  " + variable + ": " + issue.msg + " (item '" + std::string(item) + "')";
        }
      }
      if (member_rules != nullptr && member_rules->has_lengths()) {
        detail::check_size(*member_rules, list.size(), detail::IssueInput::none(), val);
      }
    } else {
      read_text(*text, out.*D.pointer, val, member_rules);
    }
    for (const auto& issue : val.issues()) errors += "\n  " + variable + ": " + issue.msg + " (got '" + *text + "')";
  });
  if (!errors.empty()) throw StartupError("invalid settings:" + errors);
  return out;
}

}  // namespace aegis
