// The run lease: one collection at a time per table, across processes and
// instances, held on an object in the state store.
#pragma once

#include <optional>
#include <string>

#include "state_store.hpp"

namespace mt {

// A lease lasts this long unless renewed; runs renew it every
// kLeaseRenewInterval through the retry heartbeat, and every request's
// timeout stays below it.
inline constexpr std::chrono::seconds kLeaseDuration{60};
inline constexpr Ticks kLeaseRenewInterval = std::chrono::seconds{20};

class RunLease {
 public:
  RunLease(StateStore& store, std::string name, Clock& clock, RunLog& log);
  ~RunLease();

  // Returns false when another run holds the lease.
  bool Acquire(RetryContext& context);

  // Renews the lease when it is due. After a failed renewal Lost() is true
  // and the run must stop before it delivers anything more.
  void Heartbeat();
  bool Lost() const { return lost_; }

  void Release();

 private:
  StateStore& store_;
  std::string name_;
  Clock& clock_;
  RunLog& log_;
  std::optional<std::string> lease_id_;
  Instant renewed_at_;
  bool lost_ = false;
  bool renewing_ = false;
};

}  // namespace mt
