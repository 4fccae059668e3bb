// The state store on Azure Blob storage: the checkpoint, the delivery
// records and the run lease live in one container of the storage account
// of AzureWebJobsStorage.
#pragma once

#include "blob_store.hpp"
#include "state_store.hpp"

namespace mt {

// The container the handler keeps its state in.
inline constexpr const char* kStateContainer = "message-trace-handler";

class BlobStateStore : public StateStore {
 public:
  BlobStateStore(StorageAccount account, HttpTransport& transport, TokenCache* tokens);

  std::optional<StoredObject> Read(const std::string& name, RetryContext& context) override;
  std::string Write(const std::string& name, const std::string& content, const WriteCondition& condition,
                    RetryContext& context) override;
  void Remove(const std::string& name, RetryContext& context) override;
  std::optional<std::string> AcquireLease(const std::string& name, std::chrono::seconds duration,
                                          RetryContext& context) override;
  bool RenewLease(const std::string& name, const std::string& lease_id, RetryContext& context) override;
  void ReleaseLease(const std::string& name, const std::string& lease_id, RetryContext& context) override;
  std::string Describe() const override;

 private:
  void EnsureContainer(RetryContext& context);

  BlobStore blobs_;
  bool container_ready_ = false;
};

}  // namespace mt
