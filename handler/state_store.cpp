#include "state_store.hpp"

namespace mt {

std::optional<StoredObject> InMemoryStateStore::Read(const std::string& name, RetryContext&) {
  const auto it = objects.find(name);
  if (it == objects.end()) return std::nullopt;
  return it->second;
}

std::string InMemoryStateStore::Write(const std::string& name, const std::string& content,
                                      const WriteCondition& condition, RetryContext&) {
  const auto it = objects.find(name);
  if (condition.kind == WriteCondition::Kind::kCreateOnly && it != objects.end()) {
    throw StateConflict(name + " already exists");
  }
  if (condition.kind == WriteCondition::Kind::kIfMatch && (it == objects.end() || it->second.etag != condition.etag)) {
    throw StateConflict(name + " changed since it was read");
  }
  const std::string etag = "\"" + std::to_string(next_etag_++) + "\"";
  objects[name] = {content, etag};
  ++writes;
  return etag;
}

void InMemoryStateStore::Remove(const std::string& name, RetryContext&) { objects.erase(name); }

std::optional<std::string> InMemoryStateStore::AcquireLease(const std::string& name, std::chrono::seconds duration,
                                                            RetryContext& context) {
  const Instant now = context.clock.Now();
  auto it = leases_.find(name);
  if (it != leases_.end() && it->second.expires > now) return std::nullopt;
  const std::string id = "lease-" + std::to_string(next_lease_++);
  leases_[name] = {id, now + duration, duration};
  return id;
}

bool InMemoryStateStore::RenewLease(const std::string& name, const std::string& lease_id, RetryContext& context) {
  auto it = leases_.find(name);
  if (it == leases_.end() || it->second.id != lease_id) return false;
  if (it->second.expires <= context.clock.Now()) return false;
  it->second.expires = context.clock.Now() + it->second.duration;
  return true;
}

void InMemoryStateStore::ReleaseLease(const std::string& name, const std::string& lease_id, RetryContext&) {
  auto it = leases_.find(name);
  if (it != leases_.end() && it->second.id == lease_id) leases_.erase(it);
}

}  // namespace mt
