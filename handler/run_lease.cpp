#include "run_lease.hpp"

namespace mt {

RunLease::RunLease(StateStore& store, std::string name, Clock& clock, RunLog& log)
    : store_(store), name_(std::move(name)), clock_(clock), log_(log) {}

RunLease::~RunLease() {
  try {
    Release();
  } catch (const std::exception& error) {
    // The lease expires by itself within a minute.
    log_.Warning(std::string("releasing the run lease failed: ") + error.what());
  }
}

bool RunLease::Acquire(RetryContext& context) {
  lease_id_ = store_.AcquireLease(name_, kLeaseDuration, context);
  renewed_at_ = clock_.Now();
  return lease_id_.has_value();
}

void RunLease::Heartbeat() {
  // The renewal's own requests call the heartbeat too; ignore those calls.
  if (!lease_id_ || lost_ || renewing_ || clock_.Now() - renewed_at_ < kLeaseRenewInterval) return;
  renewing_ = true;
  RetryContext context{clock_, log_, clock_.Now() + kLeaseDuration / 2, {}};
  try {
    if (store_.RenewLease(name_, *lease_id_, context)) {
      renewed_at_ = clock_.Now();
    } else {
      lost_ = true;
      log_.Error("the run lease on " + name_ + " was lost to another run; this run stops delivering");
    }
  } catch (const std::exception& error) {
    // Renewal failed for a transient reason; the lease may still be valid.
    log_.Warning(std::string("renewing the run lease failed: ") + error.what());
    if (clock_.Now() - renewed_at_ >= kLeaseDuration) {
      lost_ = true;
      log_.Error("the run lease on " + name_ + " expired; this run stops delivering");
    }
  }
  renewing_ = false;
}

void RunLease::Release() {
  if (!lease_id_ || lost_) return;
  RetryContext context{clock_, log_, clock_.Now() + kLeaseDuration / 2, {}};
  store_.ReleaseLease(name_, *lease_id_, context);
  lease_id_.reset();
}

}  // namespace mt
