#include "trace_row.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <tuple>

#include "errors.hpp"

namespace mt {
namespace {

namespace json = boost::json;

// Status names of Graph v1.0 (lower camel case) and of the Reporting Web
// Service (Pascal case); the table keeps the latter.
constexpr std::array<std::string_view, 10> kKnownStatuses = {
    "None",        "GettingStatus",  "Failed",   "Pending",           "Delivered",
    "Expanded",    "Quarantined",    "FilteredAsSpam", "Recalled", "UnknownFutureValue"};

bool EqualsIgnoreCase(std::string_view left, std::string_view right) {
  return left.size() == right.size() &&
         std::equal(left.begin(), left.end(), right.begin(),
                    [](char a, char b) { return std::tolower((unsigned char)a) == std::tolower((unsigned char)b); });
}

std::string ShortJson(const json::object& item) {
  std::string text = json::serialize(item);
  if (text.size() > 300) text = text.substr(0, 300) + "…";
  return text;
}

// A string field that may be missing, null or "": all three read as empty.
std::string OptionalString(const json::object& item, std::string_view name) {
  const json::value* value = item.if_contains(name);
  if (!value || value->is_null()) return {};
  if (value->is_string()) return std::string(value->as_string());
  throw CollectionError("the Graph row field '" + std::string(name) + "' is not a string: " + json::serialize(*value));
}

std::string RequiredString(const json::object& item, std::string_view name) {
  std::string value = OptionalString(item, name);
  if (value.empty()) {
    throw CollectionError("a Graph row has no '" + std::string(name) + "': " + ShortJson(item));
  }
  return value;
}

void AppendField(std::string& out, std::string_view name, std::string_view value, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += name;
  out += "\":";
  out += json::serialize(json::string_view(value.data(), value.size()));
}

}  // namespace

std::string NormaliseStatus(std::string_view status) {
  for (std::string_view known : kKnownStatuses) {
    if (EqualsIgnoreCase(status, known)) return std::string(known);
  }
  std::string text(status);
  if (!text.empty()) text[0] = char(std::toupper((unsigned char)text[0]));
  return text;
}

bool IsTransientStatus(std::string_view status) {
  return EqualsIgnoreCase(status, "GettingStatus") || EqualsIgnoreCase(status, "Pending");
}

TraceRow ParseGraphRow(const json::object& item) {
  TraceRow row;
  row.trace_id = RequiredString(item, "id");
  row.recipient = RequiredString(item, "recipientAddress");
  row.sender = OptionalString(item, "senderAddress");

  const std::string received = RequiredString(item, "receivedDateTime");
  const auto instant = ParseIso8601(received);
  if (!instant) {
    throw CollectionError("a Graph row has an unreadable receivedDateTime '" + received + "' (message " + row.trace_id + ")");
  }
  row.received = *instant;

  row.subject = OptionalString(item, "subject");
  row.status = NormaliseStatus(OptionalString(item, "status"));
  row.from_ip = OptionalString(item, "fromIP");
  row.to_ip = OptionalString(item, "toIP");
  row.message_id = OptionalString(item, "messageId");

  if (const json::value* size = item.if_contains("size"); size && !size->is_null()) {
    if (size->is_int64()) {
      row.size = double(size->as_int64());
    } else if (size->is_uint64()) {
      row.size = double(size->as_uint64());
    } else if (size->is_double() && std::isfinite(size->as_double())) {
      row.size = size->as_double();
    } else {
      throw CollectionError("a Graph row has a size that is not a number: " + json::serialize(*size) +
                            " (message " + row.trace_id + ")");
    }
  }
  return row;
}

void AppendTableRecord(const TraceRow& row, std::string& out) {
  const std::string received = FormatIsoPrecise(row.received);
  out += '{';
  AppendField(out, "TimeGenerated", received, true);
  AppendField(out, "Received_t", received);
  AppendField(out, "SenderAddress_s", row.sender);
  AppendField(out, "RecipientAddress_s", row.recipient);
  AppendField(out, "Subject_s", row.subject);
  AppendField(out, "Status_s", row.status);
  AppendField(out, "FromIP_s", row.from_ip);
  AppendField(out, "ToIP_s", row.to_ip);
  out += ",\"Size_d\":";
  // Sizes are whole bytes; writing them as integers keeps the JSON readable.
  if (row.size == std::floor(row.size) && std::fabs(row.size) < 9e15) {
    out += std::to_string(static_cast<long long>(row.size));
  } else {
    out += json::serialize(json::value(row.size));
  }
  AppendField(out, "MessageId_s", row.message_id);
  AppendField(out, "MessageTraceId_g", row.trace_id);
  out += '}';
}

TraceRow ParseTableRecord(const json::object& record) {
  auto text = [&](std::string_view name) -> std::string {
    const json::value* value = record.if_contains(name);
    if (!value || !value->is_string()) {
      throw CollectionError("a stored row has no text column '" + std::string(name) + "': " + ShortJson(record));
    }
    return std::string(value->as_string());
  };
  TraceRow row;
  const std::string received = text("Received_t");
  const auto instant = ParseIso8601(received);
  if (!instant) throw CollectionError("a stored row has an unreadable Received_t '" + received + "'");
  row.received = *instant;
  row.sender = text("SenderAddress_s");
  row.recipient = text("RecipientAddress_s");
  row.subject = text("Subject_s");
  row.status = text("Status_s");
  row.from_ip = text("FromIP_s");
  row.to_ip = text("ToIP_s");
  row.message_id = text("MessageId_s");
  row.trace_id = text("MessageTraceId_g");
  const json::value* size = record.if_contains("Size_d");
  if (!size || !size->is_number()) throw CollectionError("a stored row has no number column 'Size_d': " + ShortJson(record));
  row.size = size->to_number<double>();
  return row;
}

bool DeliveryOrder(const TraceRow& left, const TraceRow& right) {
  return std::tie(left.received, left.trace_id, left.recipient, left.status) <
         std::tie(right.received, right.trace_id, right.recipient, right.status);
}

}  // namespace mt
