// Durable state of the handler: named objects with optimistic concurrency,
// and a lease that keeps two runs from working at once. The production
// store is Blob storage; tests use the in-memory one.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "retry.hpp"

namespace mt {

struct StoredObject {
  std::string content;
  std::string etag;
};

// The condition of a write: none, only when the object does not exist yet,
// or only when it still has the ETag the caller read.
struct WriteCondition {
  enum class Kind { kNone, kCreateOnly, kIfMatch } kind = Kind::kNone;
  std::string etag;

  static WriteCondition None() { return {}; }
  static WriteCondition CreateOnly() { return {Kind::kCreateOnly, {}}; }
  static WriteCondition IfMatch(std::string etag) { return {Kind::kIfMatch, std::move(etag)}; }
};

// Someone else changed the object since it was read, or holds its lease.
class StateConflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual std::optional<StoredObject> Read(const std::string& name, RetryContext& context) = 0;
  // Returns the new ETag. Raises StateConflict when the condition fails.
  virtual std::string Write(const std::string& name, const std::string& content, const WriteCondition& condition,
                            RetryContext& context) = 0;
  virtual void Remove(const std::string& name, RetryContext& context) = 0;

  // Returns the lease id, or nothing when another holder has the lease.
  virtual std::optional<std::string> AcquireLease(const std::string& name, std::chrono::seconds duration,
                                                  RetryContext& context) = 0;
  // Returns false when the lease was lost (expired and taken by another).
  virtual bool RenewLease(const std::string& name, const std::string& lease_id, RetryContext& context) = 0;
  virtual void ReleaseLease(const std::string& name, const std::string& lease_id, RetryContext& context) = 0;

  // Where the state lives, for log lines (never a key or a token).
  virtual std::string Describe() const = 0;
};

// Objects and leases in memory, with the same semantics; lease expiry
// follows the run's clock.
class InMemoryStateStore : public StateStore {
 public:
  std::optional<StoredObject> Read(const std::string& name, RetryContext& context) override;
  std::string Write(const std::string& name, const std::string& content, const WriteCondition& condition,
                    RetryContext& context) override;
  void Remove(const std::string& name, RetryContext& context) override;
  std::optional<std::string> AcquireLease(const std::string& name, std::chrono::seconds duration,
                                          RetryContext& context) override;
  bool RenewLease(const std::string& name, const std::string& lease_id, RetryContext& context) override;
  void ReleaseLease(const std::string& name, const std::string& lease_id, RetryContext& context) override;
  std::string Describe() const override { return "memory"; }

  std::map<std::string, StoredObject> objects;
  int writes = 0;

 private:
  struct Lease {
    std::string id;
    Instant expires;
    Ticks duration;
  };
  std::map<std::string, Lease> leases_;
  int next_etag_ = 1;
  int next_lease_ = 1;
};

}  // namespace mt
