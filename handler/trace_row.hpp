// One message trace row (a message and one recipient) in the table's terms,
// whichever source it came from.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "time_util.hpp"

namespace mt {

struct TraceRow {
  Instant received;
  std::string sender;
  std::string recipient;
  std::string subject;     // empty when the source sent null or ""
  std::string status;      // spelled as the Reporting Web Service does: Delivered
  std::string from_ip;     // empty when null or ""
  std::string to_ip;
  double size = 0;         // bytes
  std::string message_id;  // Internet Message-ID with <>, may be empty
  std::string trace_id;    // MessageTraceId, a GUID shared by all recipients
};

// Maps a status case-insensitively to the Reporting Web Service spelling
// (`gettingStatus` → `GettingStatus`); unknown values keep their text with
// the first letter capitalised.
std::string NormaliseStatus(std::string_view status);

// True while a status may still change (`GettingStatus`, `Pending`).
bool IsTransientStatus(std::string_view status);

// Reads one row of a Graph messageTraces page. Raises CollectionError
// naming the field when a required one is missing or malformed.
TraceRow ParseGraphRow(const boost::json::object& item);

// Appends the row as one JSON object with the table's columns.
void AppendTableRecord(const TraceRow& row, std::string& out);

// Reads a record written by AppendTableRecord. Raises CollectionError when
// a column is missing or malformed.
TraceRow ParseTableRecord(const boost::json::object& record);

// Orders rows by received time, then message and recipient, the order in
// which they are delivered.
bool DeliveryOrder(const TraceRow& left, const TraceRow& right);

}  // namespace mt
