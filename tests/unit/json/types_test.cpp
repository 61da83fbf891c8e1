// Unit tests for the value types of include/aegis/json/types.hpp: Uuid, Date and DateTime, parsed from and
// printed to text.

#include <aegis/json/types.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using aegis::Date;
using aegis::DateTime;
using aegis::Uuid;
using namespace std::chrono;
using namespace std::string_view_literals;

constexpr std::string_view kCanonical = "123e4567-e89b-12d3-a456-426614174000";
constexpr std::array<std::uint8_t, 16> kCanonicalBytes = {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
                                                          0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00};

// The instant `date` at `h:m:s` UTC plus `us` microseconds.
sys_time<microseconds> at(year_month_day date, int h, int m, int s, long us = 0) {
  return sys_days(date) + hours(h) + minutes(m) + seconds(s) + microseconds(us);
}

// ---------------------------------------------------------------------------------------------------------
// Uuid

TEST(JsonUuid, ParsesTheCanonicalForm) {
  const auto u = Uuid::parse(kCanonical);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->bytes, kCanonicalBytes);
  EXPECT_EQ(u->to_string(), kCanonical);
}

TEST(JsonUuid, ParsesUpperAndMixedCaseAndPrintsLowerCase) {
  for (std::string_view text : {"123E4567-E89B-12D3-A456-426614174000"sv, "123e4567-E89b-12D3-a456-426614174000"sv}) {
    const auto u = Uuid::parse(text);
    ASSERT_TRUE(u.has_value()) << text;
    EXPECT_EQ(u->bytes, kCanonicalBytes) << text;
    EXPECT_EQ(u->to_string(), kCanonical) << text;
  }
}

TEST(JsonUuid, ParsesTheFormWithoutHyphens) {
  for (std::string_view text : {"123e4567e89b12d3a456426614174000"sv, "123E4567E89B12D3A456426614174000"sv}) {
    const auto u = Uuid::parse(text);
    ASSERT_TRUE(u.has_value()) << text;
    EXPECT_EQ(u, Uuid::parse(kCanonical)) << text;
    EXPECT_EQ(u->to_string(), kCanonical) << text;
  }
}

TEST(JsonUuid, NilAndMaxRoundTrip) {
  const auto nil = Uuid::parse("00000000-0000-0000-0000-000000000000");
  ASSERT_TRUE(nil.has_value());
  EXPECT_EQ(*nil, Uuid{});
  EXPECT_EQ(nil->to_string(), "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(Uuid{}.to_string(), "00000000-0000-0000-0000-000000000000");

  const auto max = Uuid::parse("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF");
  ASSERT_TRUE(max.has_value());
  for (auto b : max->bytes) EXPECT_EQ(b, 0xff);
  EXPECT_EQ(max->to_string(), "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

TEST(JsonUuid, EveryNibbleLandsInItsByte) {
  const auto u = Uuid::parse("00112233-4455-6677-8899-aabbccddeeff");
  ASSERT_TRUE(u.has_value());
  const std::array<std::uint8_t, 16> want = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                             0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  EXPECT_EQ(u->bytes, want);
  EXPECT_EQ(u->to_string(), "00112233-4455-6677-8899-aabbccddeeff");
}

TEST(JsonUuid, RejectsWrongLengths) {
  for (std::string_view text : {
           ""sv, "0"sv,
           "123e4567-e89b-12d3-a456-42661417400"sv,     // 35
           "123e4567-e89b-12d3-a456-4266141740000"sv,   // 37
           "123e4567e89b12d3a45642661417400"sv,         // 31
           "123e4567e89b12d3a4564266141740000"sv,       // 33
           "{123e4567-e89b-12d3-a456-426614174000}"sv,  // braces
           "urn:uuid:123e4567-e89b-12d3-a456-426614174000"sv, " 123e4567-e89b-12d3-a456-426614174000"sv,
           "123e4567-e89b-12d3-a456-426614174000 "sv,
           "123e4567-e89b12d3a456426614174000"sv,  // one hyphen only
       }) {
    EXPECT_FALSE(Uuid::parse(text).has_value()) << "'" << text << "'";
  }
}

TEST(JsonUuid, RejectsNonHexDigits) {
  for (std::string_view text : {
           "g23e4567-e89b-12d3-a456-426614174000"sv,
           "123e4567-e89b-12d3-a456-42661417400g"sv,
           "123e4567-e89b-12d3-a456-42661417400G"sv,
           "123e4567-e89b-12d3-a4 6-426614174000"sv,
           "123e4567-e89b-12d3-a456-4266141740-0"sv,
           "123e4567-e89b-12d3-+456-426614174000"sv,
           "123e4567e89b12d3a45642661417400z"sv,
           "123e4567e89b12d3a4564266141740-0"sv,
           "0x3e4567e89b12d3a456426614174000"sv,
           "123e4567-e89b-12d3-a456-4266141740\xc3\xa9"sv,
       }) {
    EXPECT_FALSE(Uuid::parse(text).has_value()) << "'" << text << "'";
  }
  EXPECT_FALSE(Uuid::parse(std::string_view("123e4567-e89b-12d3-a456-42661417400\0", 36)).has_value());
}

TEST(JsonUuid, RejectsMisplacedOrWrongSeparators) {
  for (std::string_view text : {
           "123e4567e-89b-12d3-a456-426614174000"sv,
           "123e456-7e89b-12d3-a456-426614174000"sv,
           "123e4567-e89b1-2d3-a456-426614174000"sv,
           "123e4567-e89b-12d3a-456-426614174000"sv,
           "123e4567-e89b-12d3-a4564-26614174000"sv,
           "123e4567_e89b_12d3_a456_426614174000"sv,
           "123e4567:e89b:12d3:a456:426614174000"sv,
           "123e4567 e89b 12d3 a456 426614174000"sv,
           "123e4567-e89b-12d3-a456_426614174000"sv,
           "------------------------------------"sv,
       }) {
    EXPECT_FALSE(Uuid::parse(text).has_value()) << "'" << text << "'";
  }
}

// ---------------------------------------------------------------------------------------------------------
// Date

TEST(JsonDate, ParsesAndPrintsIsoDates) {
  for (std::string_view text : {"2024-01-31"sv, "0001-01-01"sv, "9999-12-31"sv, "1970-01-01"sv, "2024-02-29"sv,
                                "2000-02-29"sv, "1999-12-31"sv}) {
    const auto d = Date::parse(text);
    ASSERT_TRUE(d.has_value()) << text;
    EXPECT_EQ(d->to_string(), text);
  }
  const auto d = Date::parse("2024-03-07");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->ymd, 2024y / March / 7d);
}

TEST(JsonDate, PrintsWithZeroPadding) {
  EXPECT_EQ(Date{2024y / January / 5d}.to_string(), "2024-01-05");
  EXPECT_EQ(Date{year(99) / May / 7d}.to_string(), "0099-05-07");
  EXPECT_EQ(Date{year(7) / December / 31d}.to_string(), "0007-12-31");
}

// ISO 8601's year 0000 is 1 BC, a date Python's and most databases' date types do not hold.
TEST(JsonDate, RejectsYearZero) {
  EXPECT_FALSE(Date::parse("0000-01-01").has_value());
  EXPECT_FALSE(DateTime::parse("0000-12-31T23:59:59Z").has_value());
  EXPECT_TRUE(Date::parse("0001-01-01").has_value());
}

TEST(JsonDate, AcceptsTheLastDayOfEveryMonth) {
  const char* last_days[] = {"2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30", "2023-05-31", "2023-06-30",
                             "2023-07-31", "2023-08-31", "2023-09-30", "2023-10-31", "2023-11-30", "2023-12-31"};
  for (const char* text : last_days) EXPECT_TRUE(Date::parse(text).has_value()) << text;
}

TEST(JsonDate, RejectsDaysPastTheEndOfTheMonth) {
  for (std::string_view text :
       {"2023-01-32"sv, "2023-02-29"sv, "2023-02-30"sv, "2024-02-30"sv, "2023-03-32"sv, "2023-04-31"sv, "2023-06-31"sv,
        "2023-09-31"sv, "2023-11-31"sv, "2023-12-32"sv, "2023-05-00"sv, "2023-05-99"sv}) {
    EXPECT_FALSE(Date::parse(text).has_value()) << text;
  }
}

TEST(JsonDate, FebruaryTheTwentyNinthOnlyInLeapYears) {
  EXPECT_TRUE(Date::parse("2024-02-29").has_value());
  EXPECT_TRUE(Date::parse("2000-02-29").has_value());  // divisible by 400
  EXPECT_TRUE(Date::parse("1600-02-29").has_value());
  EXPECT_FALSE(Date::parse("2023-02-29").has_value());
  EXPECT_FALSE(Date::parse("1900-02-29").has_value());  // divisible by 100, not 400
  EXPECT_FALSE(Date::parse("2100-02-29").has_value());
}

TEST(JsonDate, RejectsMonthsOutOfRange) {
  for (std::string_view text : {"2024-00-10"sv, "2024-13-01"sv, "2024-99-01"sv}) {
    EXPECT_FALSE(Date::parse(text).has_value()) << text;
  }
}

TEST(JsonDate, RejectsWrongShapes) {
  for (std::string_view text : {
           ""sv,
           "2024"sv,
           "2024-01"sv,
           "2024-1-01"sv,
           "2024-01-1"sv,
           "24-01-01"sv,
           "20240101"sv,
           "2024-01-011"sv,
           "02024-01-01"sv,
           "2024/01/01"sv,
           "2024.01.01"sv,
           "2024-01/01"sv,
           "2024_01_01"sv,
           "2024--01-01"sv,
           "2O24-01-01"sv,
           "2024-0a-01"sv,
           "2024-01-0x"sv,
           "+024-01-01"sv,
           "-024-01-01"sv,
           " 2024-01-01"sv,
           "2024-01-01 "sv,
           "2024-01-01T00:00"sv,
           "2024-01-01Z"sv,
           "2024-\xd9\xa1\xd9\xa1-01"sv,
           "2024- 1-01"sv,
           "2024-+1-01"sv,
           "2024-01--1"sv,
       }) {
    EXPECT_FALSE(Date::parse(text).has_value()) << "'" << text << "'";
  }
}

TEST(JsonDate, EqualityComparesTheDay) {
  EXPECT_EQ(Date::parse("2024-05-06"), Date::parse("2024-05-06"));
  EXPECT_NE(Date::parse("2024-05-06"), Date::parse("2024-05-07"));
}

// ---------------------------------------------------------------------------------------------------------
// DateTime

TEST(JsonDateTime, NaiveValuesKeepTheWallClockAndPrintWithoutOffset) {
  const auto dt = DateTime::parse("2024-01-02T03:04:05");
  ASSERT_TRUE(dt.has_value());
  EXPECT_EQ(dt->time, at(2024y / January / 2d, 3, 4, 5));
  EXPECT_FALSE(dt->offset_minutes.has_value());
  EXPECT_EQ(dt->to_string(), "2024-01-02T03:04:05");
}

TEST(JsonDateTime, SecondsAreOptional) {
  const auto dt = DateTime::parse("2024-01-02T03:04");
  ASSERT_TRUE(dt.has_value());
  EXPECT_EQ(dt->time, at(2024y / January / 2d, 3, 4, 0));
  EXPECT_EQ(dt->to_string(), "2024-01-02T03:04:00");

  const auto z = DateTime::parse("2024-01-02T03:04Z");
  ASSERT_TRUE(z.has_value());
  EXPECT_EQ(z->offset_minutes, 0);
  EXPECT_EQ(z->to_string(), "2024-01-02T03:04:00Z");

  const auto off = DateTime::parse("2024-01-02T03:04+02:00");
  ASSERT_TRUE(off.has_value());
  EXPECT_EQ(off->time, at(2024y / January / 2d, 1, 4, 0));
  EXPECT_EQ(off->to_string(), "2024-01-02T03:04:00+02:00");
}

TEST(JsonDateTime, ZuluIsUtc) {
  const auto dt = DateTime::parse("2024-01-02T03:04:05Z");
  ASSERT_TRUE(dt.has_value());
  EXPECT_EQ(dt->time, at(2024y / January / 2d, 3, 4, 5));
  EXPECT_EQ(dt->offset_minutes, 0);
  EXPECT_EQ(dt->to_string(), "2024-01-02T03:04:05Z");
}

// The basic form of an offset, +HHMM, reads as +HH:MM does (and prints in the extended form).
TEST(JsonDateTime, OffsetsWithoutAColonAreAccepted) {
  const auto basic = DateTime::parse("2024-01-01T10:00:00+0130");
  const auto extended = DateTime::parse("2024-01-01T10:00:00+01:30");
  ASSERT_TRUE(basic.has_value());
  ASSERT_TRUE(extended.has_value());
  EXPECT_EQ(basic->time, extended->time);
  EXPECT_EQ(basic->offset_minutes, 90);
  EXPECT_EQ(basic->to_string(), "2024-01-01T10:00:00+01:30");
  EXPECT_EQ(DateTime::parse("2024-01-01T10:00:00-0500")->offset_minutes, -300);
  for (const char* bad : {"2024-01-01T10:00:00+013", "2024-01-01T10:00:00+2400", "2024-01-01T10:00:00+0160",
                          "2024-01-01T10:00:00+01:3", "2024-01-01T10:00:00+01300"}) {
    EXPECT_FALSE(DateTime::parse(bad).has_value()) << bad;
  }
}

TEST(JsonDateTime, LowerCaseSeparatorAndZuluAndSpaceAreAccepted) {
  const auto lower = DateTime::parse("2024-01-02t03:04:05z");
  ASSERT_TRUE(lower.has_value());
  EXPECT_EQ(lower, DateTime::parse("2024-01-02T03:04:05Z"));
  EXPECT_EQ(lower->to_string(), "2024-01-02T03:04:05Z");

  const auto space = DateTime::parse("2024-01-02 03:04:05");
  ASSERT_TRUE(space.has_value());
  EXPECT_EQ(space, DateTime::parse("2024-01-02T03:04:05"));
  EXPECT_EQ(space->to_string(), "2024-01-02T03:04:05");

  const auto space_offset = DateTime::parse("2024-01-02 03:04:05+01:00");
  ASSERT_TRUE(space_offset.has_value());
  EXPECT_EQ(space_offset->to_string(), "2024-01-02T03:04:05+01:00");
}

TEST(JsonDateTime, FractionalSecondsWithOneToNineDigits) {
  struct Case {
    std::string_view fraction;
    long micros;
  };
  for (const Case& c :
       {Case{"1", 100000}, Case{"12", 120000}, Case{"123", 123000}, Case{"1234", 123400}, Case{"12345", 123450},
        Case{"123456", 123456}, Case{"1234567", 123456}, Case{"12345678", 123456}, Case{"123456789", 123456},
        Case{"999999999", 999999}, Case{"000001", 1}, Case{"0000009", 0}, Case{"5", 500000}}) {
    const std::string text = "2024-01-02T03:04:05." + std::string(c.fraction);
    const auto dt = DateTime::parse(text);
    ASSERT_TRUE(dt.has_value()) << text;
    EXPECT_EQ(dt->time, at(2024y / January / 2d, 3, 4, 5, c.micros)) << text;
    EXPECT_FALSE(dt->offset_minutes.has_value()) << text;

    const auto with_offset = DateTime::parse(text + "-01:00");
    ASSERT_TRUE(with_offset.has_value()) << text;
    EXPECT_EQ(with_offset->time, at(2024y / January / 2d, 4, 4, 5, c.micros)) << text;
  }
}

TEST(JsonDateTime, FractionIsPrintedWithSixDigitsOrNotAtAll) {
  EXPECT_EQ(DateTime::parse("2024-01-02T03:04:05.5")->to_string(), "2024-01-02T03:04:05.500000");
  EXPECT_EQ(DateTime::parse("2024-01-02T03:04:05.000001Z")->to_string(), "2024-01-02T03:04:05.000001Z");
  EXPECT_EQ(DateTime::parse("2024-01-02T03:04:05.123456789+05:30")->to_string(), "2024-01-02T03:04:05.123456+05:30");
  EXPECT_EQ(DateTime::parse("2024-01-02T03:04:05.000")->to_string(), "2024-01-02T03:04:05");
  EXPECT_EQ(DateTime::parse("2024-01-02T03:04:05.0000009")->to_string(), "2024-01-02T03:04:05");
}

TEST(JsonDateTime, CommaIsAcceptedAsTheDecimalSign) {
  const auto dt = DateTime::parse("2024-01-02T03:04:05,25");
  ASSERT_TRUE(dt.has_value());
  EXPECT_EQ(dt, DateTime::parse("2024-01-02T03:04:05.25"));
}

TEST(JsonDateTime, OffsetsAreMinutesEastOfUtcAndTimeIsUtc) {
  const auto east = DateTime::parse("2024-01-02T03:04:05+05:30");
  ASSERT_TRUE(east.has_value());
  EXPECT_EQ(east->offset_minutes, 330);
  EXPECT_EQ(east->time, at(2024y / January / 1d, 21, 34, 5));

  const auto west = DateTime::parse("2024-01-02T03:04:05-08:00");
  ASSERT_TRUE(west.has_value());
  EXPECT_EQ(west->offset_minutes, -480);
  EXPECT_EQ(west->time, at(2024y / January / 2d, 11, 4, 5));

  const auto west_half = DateTime::parse("2024-01-02T03:04:05-03:30");
  ASSERT_TRUE(west_half.has_value());
  EXPECT_EQ(west_half->offset_minutes, -210);
  EXPECT_EQ(west_half->time, at(2024y / January / 2d, 6, 34, 5));

  const auto extreme_east = DateTime::parse("2024-01-02T03:04:05+23:59");
  ASSERT_TRUE(extreme_east.has_value());
  EXPECT_EQ(extreme_east->offset_minutes, 23 * 60 + 59);
  const auto extreme_west = DateTime::parse("2024-01-02T03:04:05-23:59");
  ASSERT_TRUE(extreme_west.has_value());
  EXPECT_EQ(extreme_west->offset_minutes, -(23 * 60 + 59));
}

TEST(JsonDateTime, ZeroOffsetsAreUtc) {
  for (std::string_view text : {"2024-01-02T03:04:05+00:00"sv, "2024-01-02T03:04:05-00:00"sv}) {
    const auto dt = DateTime::parse(text);
    ASSERT_TRUE(dt.has_value()) << text;
    EXPECT_EQ(dt->offset_minutes, 0) << text;
    EXPECT_EQ(dt, DateTime::parse("2024-01-02T03:04:05Z")) << text;
    EXPECT_EQ(dt->to_string(), "2024-01-02T03:04:05Z") << text;
  }
}

TEST(JsonDateTime, ToStringPrintsTheOffsetAsGiven) {
  for (std::string_view text : {
           "2024-01-02T03:04:05+05:30"sv,
           "2024-01-02T03:04:05-08:00"sv,
           "2024-01-02T03:04:05-00:01"sv,
           "2024-01-02T03:04:05+00:45"sv,
           "2024-01-02T03:04:05+23:59"sv,
           "2024-01-02T03:04:05-23:59"sv,
           "2024-01-02T00:30:00+01:00"sv,  // the UTC instant is on the previous day
           "2024-12-31T20:00:00-05:00"sv,  // the UTC instant is in the next year
           "2024-02-29T23:59:59.999999-12:00"sv,
           "1969-12-31T23:59:59.500000Z"sv,  // before the epoch
           "1969-12-31T23:59:59.500000"sv,
           "0001-01-01T00:00:00+01:00"sv,
           "9999-12-31T23:59:59.999999-01:00"sv,
           "2024-01-02T03:04:05.000010+14:00"sv,
       }) {
    const auto dt = DateTime::parse(text);
    ASSERT_TRUE(dt.has_value()) << text;
    EXPECT_EQ(dt->to_string(), text);
    EXPECT_EQ(DateTime::parse(dt->to_string()), dt) << text;
  }
}

TEST(JsonDateTime, ToStringOfBuiltValues) {
  DateTime dt;
  dt.time = at(2024y / June / 1d, 12, 0, 0);
  EXPECT_EQ(dt.to_string(), "2024-06-01T12:00:00");
  dt.offset_minutes = -90;
  EXPECT_EQ(dt.to_string(), "2024-06-01T10:30:00-01:30");
  dt.offset_minutes = 0;
  EXPECT_EQ(dt.to_string(), "2024-06-01T12:00:00Z");
  dt.offset_minutes = 600;
  EXPECT_EQ(dt.to_string(), "2024-06-01T22:00:00+10:00");
  EXPECT_EQ(DateTime{}.to_string(), "1970-01-01T00:00:00");
}

TEST(JsonDateTime, EquivalentOffsetsNameTheSameInstant) {
  const auto utc = DateTime::parse("2024-01-01T12:00:00Z");
  ASSERT_TRUE(utc.has_value());
  for (std::string_view text :
       {"2024-01-01T13:30:00+01:30"sv, "2024-01-01T07:00:00-05:00"sv, "2024-01-02T02:00:00+14:00"sv,
        "2023-12-31T23:00:00-13:00"sv, "2024-01-01T12:00:00.000000+00:00"sv}) {
    const auto dt = DateTime::parse(text);
    ASSERT_TRUE(dt.has_value()) << text;
    EXPECT_EQ(dt->time, utc->time) << text;
    EXPECT_EQ(dt->to_string(), text == "2024-01-01T12:00:00.000000+00:00" ? "2024-01-01T12:00:00Z" : text);
  }
  // Same instant, different offsets: equality also compares the offset kept for printing.
  EXPECT_NE(DateTime::parse("2024-01-01T13:30:00+01:30"), utc);
}

TEST(JsonDateTime, NaiveAndOffsetValuesDiffer) {
  const auto naive = DateTime::parse("2024-01-01T12:00:00");
  const auto utc = DateTime::parse("2024-01-01T12:00:00Z");
  ASSERT_TRUE(naive.has_value());
  ASSERT_TRUE(utc.has_value());
  EXPECT_EQ(naive->time, utc->time);  // the wall-clock reading equals the UTC instant
  EXPECT_NE(naive, utc);
  EXPECT_EQ(naive->to_string(), "2024-01-01T12:00:00");
  EXPECT_EQ(utc->to_string(), "2024-01-01T12:00:00Z");

  // A naive value is not shifted by anything.
  const auto naive_late = DateTime::parse("2024-01-01T23:59:59.999999");
  ASSERT_TRUE(naive_late.has_value());
  EXPECT_EQ(naive_late->time, at(2024y / January / 1d, 23, 59, 59, 999999));
}

TEST(JsonDateTime, RejectsTimesOutOfRange) {
  for (std::string_view text : {
           "2024-01-02T24:00:00"sv,
           "2024-01-02T24:00"sv,
           "2024-01-02T25:00:00"sv,
           "2024-01-02T99:00:00"sv,
           "2024-01-02T12:60:00"sv,
           "2024-01-02T12:60"sv,
           "2024-01-02T12:99:00"sv,
           "2024-01-02T12:00:60"sv,
           "2024-01-02T12:00:61"sv,
           "2024-01-02T23:59:60Z"sv,
           "2024-01-02T24:00:00Z"sv,
       }) {
    EXPECT_FALSE(DateTime::parse(text).has_value()) << text;
  }
}

TEST(JsonDateTime, RejectsInvalidDates) {
  for (std::string_view text : {"2024-13-01T00:00:00"sv, "2024-00-01T00:00:00"sv, "2024-02-30T00:00:00"sv,
                                "2023-02-29T00:00:00"sv, "1900-02-29T00:00:00Z"sv, "2024-04-31T00:00:00"sv,
                                "2024-01-00T00:00:00"sv, "2024-1-01T00:00:00"sv, "2024/01/01T00:00:00"sv}) {
    EXPECT_FALSE(DateTime::parse(text).has_value()) << text;
  }
  EXPECT_TRUE(DateTime::parse("2024-02-29T00:00:00").has_value());
  EXPECT_TRUE(DateTime::parse("2000-02-29T00:00:00Z").has_value());
}

TEST(JsonDateTime, RejectsBadOffsets) {
  for (std::string_view text : {
           "2024-01-02T03:04:05+24:00"sv,  "2024-01-02T03:04:05-24:00"sv,      "2024-01-02T03:04:05+99:00"sv,
           "2024-01-02T03:04:05+05:60"sv,  "2024-01-02T03:04:05+05:99"sv,      "2024-01-02T03:04:05+053"sv, 
           "2024-01-02T03:04:05+05"sv,     "2024-01-02T03:04:05+5:30"sv,       "2024-01-02T03:04:05+05:3"sv,
           "2024-01-02T03:04:05+05:300"sv, "2024-01-02T03:04:05 05:30"sv,      "2024-01-02T03:04:05*05:30"sv,
           "2024-01-02T03:04:05+05-30"sv,  "2024-01-02T03:04:05+0a:30"sv,      "2024-01-02T03:04:05+05:3a"sv,
           "2024-01-02T03:04:05+"sv,       "2024-01-02T03:04:05-"sv,           "2024-01-02T03:04:05+05:30Z"sv,
           "2024-01-02T03:04:05Z+05:30"sv, "2024-01-02T03:04:05ZZ"sv,          "2024-01-02T03:04:05Z "sv,
           "2024-01-02T03:04:05UTC"sv,     "2024-01-02T03:04:05\u221205:00"sv,  // U+2212 minus sign
           "2024-01-02T03:04:05+-5:00"sv,  "2024-01-02T03:04:05--05:00"sv,
       }) {
    EXPECT_FALSE(DateTime::parse(text).has_value()) << text;
  }
}

TEST(JsonDateTime, RejectsWrongShapes) {
  for (std::string_view text : {
           ""sv,
           "2024-01-02"sv,
           "2024-01-02T"sv,
           "2024-01-02T03"sv,
           "2024-01-02T03:"sv,
           "2024-01-02T03:0"sv,
           "2024-01-02T3:04:05"sv,
           "2024-01-02T03:4:05"sv,
           "2024-01-02T03:04:5"sv,
           "2024-01-02T03:04:"sv,
           "2024-01-02T0304"sv,
           "2024-01-02T030405"sv,
           "2024-01-02T03-04-05"sv,
           "2024-01-02T03:04-05"sv,  // read as an offset of -05 without minutes
           "2024-01-02X03:04:05"sv,
           "2024-01-02_03:04:05"sv,
           "2024-01-02\t03:04:05"sv,
           "2024-01-02  03:04:05"sv,
           "2024-01-02TT03:04:05"sv,
           " 2024-01-02T03:04:05"sv,
           "2024-01-02T03:04:05 "sv,
           "2024-01-02T03:04:05."sv,
           "2024-01-02T03:04:05.Z"sv,
           "2024-01-02T03:04:05.+01:00"sv,
           "2024-01-02T03:04:05.12a"sv,
           "2024-01-02T03:04:05..1"sv,
           "2024-01-02T03:04:05.1.2"sv,
           "2024-01-02T03:04.5"sv,  // a fraction needs seconds
           "2024-01-02T03:04:05:06"sv,
           "2024-01-02T+3:04:05"sv,
           "2024-01-02T-3:04:05"sv,
           "2024-01-02T03:+4:05"sv,
           "2024-01-02T03:04:+5"sv,
           "2024-01-02T03:04:05.\xd9\xa1"sv,
       }) {
    EXPECT_FALSE(DateTime::parse(text).has_value()) << "'" << text << "'";
  }
}

}  // namespace
