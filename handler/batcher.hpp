// Cuts delivery-ordered rows into JSON-array batches under a byte limit.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "trace_row.hpp"

namespace mt {

struct Batch {
  std::string body;          // `[{...},{...}]`, UTF-8
  std::size_t first = 0;     // index of the first row in the input
  std::size_t count = 0;
  std::size_t truncated_fields = 0;
};

struct BatchLimits {
  std::size_t max_body_bytes;   // the whole array, brackets and commas included
  std::size_t max_field_bytes;  // longer string values are cut at a UTF-8 boundary
};

// Appends one row as a JSON object in an ingestion API's record shape.
using RecordWriter = std::function<void(const TraceRow& row, std::string& out)>;

// Splits `rows` (in delivery order) into batches no larger than the limit,
// each row written by `write_record` (the table's columns by default).
// A batch ends where the received time changes whenever that keeps it
// within the limit, so rows received in the same instant land in the same
// request: a run stopped between two requests then never leaves half of an
// instant behind. A single row larger than the limit after field truncation
// goes alone (the caller reports it).
std::vector<Batch> MakeBatches(const std::vector<TraceRow>& rows, const BatchLimits& limits,
                               const RecordWriter& write_record = AppendTableRecord);

// Cuts `text` to at most `max_bytes` bytes without splitting a UTF-8
// character. Returns true when it cut anything.
bool TruncateUtf8(std::string& text, std::size_t max_bytes);

}  // namespace mt
