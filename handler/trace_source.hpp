// The interface of a message trace source, whichever API serves it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "retry.hpp"
#include "trace_row.hpp"

namespace mt {

struct SourceLimits {
  Ticks max_look_back;  // oldest start the source accepts, measured from now
  Ticks max_window;     // maximum range one query may span
};

// Called with each page in the order the source returns them. Return false
// to stop reading the range early.
using PageHandler = std::function<bool(std::vector<TraceRow>&& rows)>;

class TraceSource {
 public:
  virtual ~TraceSource() = default;
  virtual SourceLimits Limits() const = 0;
  virtual std::string Name() const = 0;

  // What an operator can do when the planned start is older than
  // Limits().max_look_back; empty when there is nothing to add.
  virtual std::string LookBackAdvice() const { return {}; }

  // Reads every row received in [start, end], both bounds whole seconds and
  // inclusive as the APIs define them. Raises CollectionError with an
  // operator-facing reason when the source fails.
  virtual void Read(Instant start, Instant end, const PageHandler& on_page, RetryContext& context) = 0;

  // Requests sent so far, throttled retries included.
  virtual int RequestCount() const = 0;
};

}  // namespace mt
