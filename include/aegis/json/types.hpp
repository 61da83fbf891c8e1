#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aegis {

/// A UUID. Parses the canonical form (`8-4-4-4-12` hex digits, either case) and the 32-digit form without
/// hyphens; prints the canonical lower-case form.
struct Uuid {
  std::array<std::uint8_t, 16> bytes{};

  static std::optional<Uuid> parse(std::string_view text) noexcept;
  std::string to_string() const;
  friend bool operator==(const Uuid&, const Uuid&) = default;
};

/// A calendar date, ISO 8601 `YYYY-MM-DD`, from year 0001.
struct Date {
  std::chrono::year_month_day ymd{};

  static std::optional<Date> parse(std::string_view text) noexcept;
  std::string to_string() const;
  friend bool operator==(const Date&, const Date&) = default;
};

/// A point in time with microsecond precision, ISO 8601 `YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|±HH:MM|±HHMM]` (a space
/// may replace the `T`). Without an offset the time is naive (`offset` empty) and is printed without one.
struct DateTime {
  /// The instant, in UTC when an offset was given; the wall-clock reading when naive.
  std::chrono::sys_time<std::chrono::microseconds> time{};
  /// Minutes east of UTC as written in the input, kept so that the value prints as it was given.
  std::optional<int> offset_minutes;

  static std::optional<DateTime> parse(std::string_view text) noexcept;
  std::string to_string() const;
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

}  // namespace aegis
