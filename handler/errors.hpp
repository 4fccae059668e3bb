// Error types that cross stage boundaries. Each message is written for the
// operator: what failed, on which value, and what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace mt {

// A setting is missing or malformed; raised before any request is sent.
class ConfigurationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A stage failed in a way that ends the run. Progress made before it is kept.
class CollectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The run's time budget is spent; the run stops cleanly and reports partial.
class BudgetExhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A request may or may not have been processed (the reply was lost after
// the body was sent). Sending it again could duplicate rows, so the run
// stops and a later run checks the workspace instead.
class DeliveryUncertain : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mt
