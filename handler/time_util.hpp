// UTC instants in .NET ticks (100 ns), the resolution of every time the
// Functions host, Graph and the Reporting Web Service send.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mt {

using Ticks = std::chrono::duration<std::int64_t, std::ratio<1, 10'000'000>>;
using Instant = std::chrono::sys_time<Ticks>;

// Parses ISO 8601 date-times as Newtonsoft, Graph and OData write them:
// `YYYY-MM-DDThh:mm:ss`, an optional fraction of 0 to 7 digits (more are
// truncated), and `Z`, `±hh:mm`, `±hhmm` or no zone at all, which is read as
// UTC. Returns nothing for text that is not such a date.
std::optional<Instant> ParseIso8601(std::string_view text);

// Parses the OData v2 JSON form `/Date(<epoch ms>)/`, optionally with a
// `+hhmm` offset that only annotates the instant.
std::optional<Instant> ParseODataDate(std::string_view text);

// True for .NET DateTime.MinValue (year 0001), which the Functions host sends
// for "never".
bool IsDotNetMinValue(Instant instant);

// Formats as `YYYY-MM-DDThh:mm:ssZ`, dropping any fraction.
std::string FormatIsoSeconds(Instant instant);

// Formats with as many fractional digits (0 to 7) as the value needs.
std::string FormatIsoPrecise(Instant instant);

// Formats as RFC 1123 (`Mon, 04 Apr 2016 08:00:00 GMT`) with English names,
// whatever the process locale.
std::string FormatRfc1123(Instant instant);

// Parses an RFC 1123 date such as the HTTP-date form of Retry-After.
std::optional<Instant> ParseRfc1123(std::string_view text);

Instant FloorToSecond(Instant instant);

// Formats a duration for logs, e.g. `2d3h`, `15m`, `42s`.
std::string FormatDuration(Ticks duration);

}  // namespace mt
