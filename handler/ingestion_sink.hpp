// The interface of the ingestion side: the Logs Ingestion API (default) or,
// on the legacy path, the HTTP Data Collector API.
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

// Callbacks around each request, with the index range of the rows it
// carries. `before_send` lets the caller record the batch as in flight
// before it can land; `on_accepted` runs once the API accepted it, so the
// caller moves its checkpoint no further than what was delivered. Either
// may be empty.
struct DeliveryHooks {
  std::function<void(std::size_t first, std::size_t count)> before_send;
  std::function<void(std::size_t first, std::size_t count)> on_accepted;
};

class IngestionSink {
 public:
  virtual ~IngestionSink() = default;

  // Sends `rows` (in delivery order) in as many requests as the API's limits
  // need. Raises CollectionError when a request is refused for good; the
  // rows of earlier requests stay delivered and were reported.
  virtual void Deliver(const std::vector<TraceRow>& rows, const DeliveryHooks& hooks, RetryContext& context) = 0;

  virtual const DeliveryStats& Stats() const = 0;
  virtual std::string Name() const = 0;
};

}  // namespace mt
