#include "time_util.hpp"

#include <array>
#include <cstdio>

namespace mt {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::array<const char*, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool ReadDigits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

std::optional<Instant> MakeInstant(int year, int month, int day, int hour, int minute, int second) {
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                                         std::chrono::day{unsigned(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  // A leap second (60) is folded into the next second, as .NET does.
  return Instant{std::chrono::sys_days{date}} + hours{hour} + minutes{minute} + seconds{second};
}

}  // namespace

std::optional<Instant> ParseIso8601(std::string_view text) {
  int year, month, day, hour, minute, second;
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
      text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  if (!ReadDigits(text, 0, 4, year) || !ReadDigits(text, 5, 2, month) || !ReadDigits(text, 8, 2, day) ||
      !ReadDigits(text, 11, 2, hour) || !ReadDigits(text, 14, 2, minute) ||
      !ReadDigits(text, 17, 2, second)) {
    return std::nullopt;
  }
  auto instant = MakeInstant(year, month, day, hour, minute, second);
  if (!instant) return std::nullopt;

  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t fraction = 0;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 7) {
        fraction = fraction * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 7; ++i) fraction *= 10;
    *instant += Ticks{fraction};
  }

  if (pos == text.size()) return instant;
  if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) return instant;
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;

  const int sign = text[pos] == '+' ? 1 : -1;
  int offset_hours, offset_minutes;
  if (!ReadDigits(text, pos + 1, 2, offset_hours)) return std::nullopt;
  std::size_t minutes_pos = pos + 3;
  if (minutes_pos < text.size() && text[minutes_pos] == ':') ++minutes_pos;
  if (!ReadDigits(text, minutes_pos, 2, offset_minutes) || minutes_pos + 2 != text.size()) {
    return std::nullopt;
  }
  if (offset_hours > 14 || offset_minutes > 59) return std::nullopt;
  return *instant - sign * (hours{offset_hours} + minutes{offset_minutes});
}

std::optional<Instant> ParseODataDate(std::string_view text) {
  constexpr std::string_view kPrefix = "/Date(";
  constexpr std::string_view kSuffix = ")/";
  if (!text.starts_with(kPrefix) || !text.ends_with(kSuffix)) return std::nullopt;
  std::string_view inner = text.substr(kPrefix.size(), text.size() - kPrefix.size() - kSuffix.size());

  std::size_t pos = 0;
  const bool negative = !inner.empty() && inner[0] == '-';
  if (negative) ++pos;
  std::int64_t millis = 0;
  const std::size_t digits_start = pos;
  while (pos < inner.size() && inner[pos] >= '0' && inner[pos] <= '9') {
    if (pos - digits_start >= 15) return std::nullopt;
    millis = millis * 10 + (inner[pos] - '0');
    ++pos;
  }
  if (pos == digits_start) return std::nullopt;
  // A trailing `+hhmm` or `-hhmm` names the sender's zone. The milliseconds
  // are already UTC.
  if (pos < inner.size()) {
    int offset;
    if ((inner[pos] != '+' && inner[pos] != '-') || inner.size() - pos != 5 ||
        !ReadDigits(inner, pos + 1, 4, offset)) {
      return std::nullopt;
    }
  }
  return Instant{std::chrono::milliseconds{negative ? -millis : millis}};
}

bool IsDotNetMinValue(Instant instant) {
  return std::chrono::year_month_day{std::chrono::floor<days>(instant)}.year() <= std::chrono::year{1};
}

Instant FloorToSecond(Instant instant) { return std::chrono::floor<seconds>(instant); }

std::string FormatIsoSeconds(Instant instant) {
  const auto day_point = std::chrono::floor<days>(instant);
  const std::chrono::year_month_day date{day_point};
  const std::chrono::hh_mm_ss time{std::chrono::floor<seconds>(instant - day_point)};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), int(time.hours().count()),
                int(time.minutes().count()), int(time.seconds().count()));
  return buffer;
}

std::string FormatIsoPrecise(Instant instant) {
  std::string text = FormatIsoSeconds(instant);
  std::int64_t fraction = (instant - std::chrono::floor<seconds>(instant)).count();
  if (fraction == 0) return text;
  char digits[8];
  std::snprintf(digits, sizeof digits, "%07lld", static_cast<long long>(fraction));
  std::string fraction_text = digits;
  while (fraction_text.back() == '0') fraction_text.pop_back();
  text.insert(text.size() - 1, "." + fraction_text);
  return text;
}

std::string FormatRfc1123(Instant instant) {
  const auto day_point = std::chrono::floor<days>(instant);
  const std::chrono::year_month_day date{day_point};
  const std::chrono::weekday weekday{day_point};
  const std::chrono::hh_mm_ss time{std::chrono::floor<seconds>(instant - day_point)};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kDayNames[weekday.c_encoding()], unsigned(date.day()),
                kMonthNames[unsigned(date.month()) - 1], int(date.year()), int(time.hours().count()),
                int(time.minutes().count()), int(time.seconds().count()));
  return buffer;
}

std::optional<Instant> ParseRfc1123(std::string_view text) {
  // `Mon, 04 Apr 2016 08:00:00 GMT`
  if (text.size() != 29 || text[3] != ',' || text.substr(26) != "GMT") return std::nullopt;
  int day, year, hour, minute, second;
  if (!ReadDigits(text, 5, 2, day) || !ReadDigits(text, 12, 4, year) || !ReadDigits(text, 17, 2, hour) ||
      !ReadDigits(text, 20, 2, minute) || !ReadDigits(text, 23, 2, second)) {
    return std::nullopt;
  }
  const std::string_view month_name = text.substr(8, 3);
  for (int month = 0; month < 12; ++month) {
    if (month_name == kMonthNames[month]) return MakeInstant(year, month + 1, day, hour, minute, second);
  }
  return std::nullopt;
}

std::string FormatDuration(Ticks duration) {
  auto total = std::chrono::duration_cast<seconds>(duration).count();
  if (total < 0) return "-" + FormatDuration(-duration);
  const auto day_count = total / 86400;
  const auto hour_count = total % 86400 / 3600;
  const auto minute_count = total % 3600 / 60;
  const auto second_count = total % 60;
  std::string text;
  if (day_count) text += std::to_string(day_count) + "d";
  if (hour_count) text += std::to_string(hour_count) + "h";
  if (minute_count) text += std::to_string(minute_count) + "m";
  if (second_count || text.empty()) text += std::to_string(second_count) + "s";
  return text;
}

}  // namespace mt
