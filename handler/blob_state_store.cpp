#include "blob_state_store.hpp"

namespace mt {

BlobStateStore::BlobStateStore(StorageAccount account, HttpTransport& transport, TokenCache* tokens)
    : blobs_(std::move(account), transport, tokens) {}

std::string BlobStateStore::Describe() const {
  return "container " + std::string(kStateContainer) + " of storage account " + blobs_.account().account_name +
         " (" + blobs_.account().setting + ")";
}

void BlobStateStore::EnsureContainer(RetryContext& context) {
  if (container_ready_) return;
  blobs_.CreateContainerIfNotExists(kStateContainer, context);
  container_ready_ = true;
}

std::optional<StoredObject> BlobStateStore::Read(const std::string& name, RetryContext& context) {
  auto blob = blobs_.Get(kStateContainer, name, context);
  if (!blob) return std::nullopt;
  return StoredObject{std::move(blob->content), std::move(blob->etag)};
}

std::string BlobStateStore::Write(const std::string& name, const std::string& content, const WriteCondition& condition,
                                  RetryContext& context) {
  EnsureContainer(context);
  BlobWriteCondition blob_condition;
  switch (condition.kind) {
    case WriteCondition::Kind::kNone: blob_condition = BlobWriteCondition::Always(); break;
    case WriteCondition::Kind::kCreateOnly: blob_condition = BlobWriteCondition::CreateOnly(); break;
    case WriteCondition::Kind::kIfMatch: blob_condition = BlobWriteCondition::IfMatch(condition.etag); break;
  }
  try {
    return blobs_.Put(kStateContainer, name, content, blob_condition, context);
  } catch (const BlobConflict& conflict) {
    throw StateConflict(conflict.what());
  }
}

void BlobStateStore::Remove(const std::string& name, RetryContext& context) {
  blobs_.Delete(kStateContainer, name, context);
}

std::optional<std::string> BlobStateStore::AcquireLease(const std::string& name, std::chrono::seconds duration,
                                                        RetryContext& context) {
  EnsureContainer(context);
  return blobs_.AcquireLease(kStateContainer, name, static_cast<int>(duration.count()), BlobStore::NewLeaseId(), context);
}

bool BlobStateStore::RenewLease(const std::string& name, const std::string& lease_id, RetryContext& context) {
  try {
    blobs_.RenewLease(kStateContainer, name, lease_id, context);
    return true;
  } catch (const BlobConflict&) {
    return false;
  }
}

void BlobStateStore::ReleaseLease(const std::string& name, const std::string& lease_id, RetryContext& context) {
  try {
    blobs_.ReleaseLease(kStateContainer, name, lease_id, context);
  } catch (const BlobConflict&) {
    // Already expired and taken, or released: nothing left to release.
  }
}

}  // namespace mt
