// Where rows go: the Logs Ingestion API (default) or, on the legacy path,
// the HTTP Data Collector API.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "retry.hpp"
#include "trace_row.hpp"

namespace mt {

struct DeliveryStats {
  std::size_t rows_accepted = 0;
  std::size_t requests = 0;
  std::size_t truncated_fields = 0;
};

// Called after each accepted request with the rows it carried, so that the
// caller can move its checkpoint no further than what was delivered.
using AcceptedHandler = std::function<void(std::size_t first, std::size_t count)>;

class IngestionSink {
 public:
  virtual ~IngestionSink() = default;

  // Sends `rows` (in delivery order) in as many requests as the API's limits
  // need. Raises CollectionError when a request is refused for good; the
  // rows of earlier requests stay delivered and were reported.
  virtual void Deliver(const std::vector<TraceRow>& rows, const AcceptedHandler& on_accepted,
                       RetryContext& context) = 0;

  virtual const DeliveryStats& Stats() const = 0;
  virtual std::string Name() const = 0;
};

}  // namespace mt
