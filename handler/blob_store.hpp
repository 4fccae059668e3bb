// A small Azure Blob service client for the handler's checkpoint and run
// lease: containers, whole-blob reads and conditional writes, and blob
// leases. Every request goes through SendWithRetry, which builds it afresh
// per attempt so that x-ms-date and the Shared Key signature are new each
// time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "errors.hpp"
#include "http_client.hpp"
#include "retry.hpp"
#include "storage_account.hpp"

namespace mt {

class TokenCache;

// A write or lease operation that another writer or lease holder won: 412
// (ConditionNotMet, LeaseIdMissing, LeaseIdMismatchWithBlobOperation) or 409
// (BlobAlreadyExists, LeaseIdMismatchWithLeaseOperation, …). The caller's
// view of the blob is stale; it should re-read the blob, not retry blindly.
class BlobConflict : public CollectionError {
 public:
  BlobConflict(const std::string& message, int status, std::string error_code)
      : CollectionError(message), status_(status), error_code_(std::move(error_code)) {}

  int status() const { return status_; }
  // The service's error code, e.g. `ConditionNotMet`; may be empty.
  const std::string& error_code() const { return error_code_; }

 private:
  int status_;
  std::string error_code_;
};

struct BlobContent {
  std::string content;
  std::string etag;  // as the service sends it, quotes included
};

enum class BlobWriteMode {
  kAlways,      // no condition
  kCreateOnly,  // If-None-Match: *, fails if the blob exists
  kIfMatch,     // If-Match: <etag>, fails if the blob changed since it was read
};

struct BlobWriteCondition {
  BlobWriteMode mode = BlobWriteMode::kAlways;
  std::string etag;      // for kIfMatch
  std::string lease_id;  // sent as x-ms-lease-id when not empty; required while the blob is leased

  static BlobWriteCondition Always() { return {}; }
  static BlobWriteCondition CreateOnly() { return {BlobWriteMode::kCreateOnly, {}, {}}; }
  static BlobWriteCondition IfMatch(std::string etag) { return {BlobWriteMode::kIfMatch, std::move(etag), {}}; }
  BlobWriteCondition WithLease(std::string id) const {
    BlobWriteCondition copy = *this;
    copy.lease_id = std::move(id);
    return copy;
  }
};

class BlobStore {
 public:
  // The Blob service REST version sent as x-ms-version.
  static constexpr const char* kServiceVersion = "2021-12-02";
  // Lease durations the service accepts, in seconds; -1 is infinite.
  static constexpr int kMinLeaseSeconds = 15;
  static constexpr int kMaxLeaseSeconds = 60;
  static constexpr int kInfiniteLease = -1;

  // `tokens` is used for StorageCredential::kToken and may be null for an
  // account key. Raises ConfigurationError when the account cannot be used.
  BlobStore(StorageAccount account, HttpTransport& transport, TokenCache* tokens, RetryPolicy policy = {});

  // Creates the container; one that already exists is fine (201 or 409
  // ContainerAlreadyExists).
  void CreateContainerIfNotExists(const std::string& container, RetryContext& context);

  // Reads a whole blob. Returns nothing when the blob or its container does
  // not exist.
  std::optional<BlobContent> Get(const std::string& container, const std::string& blob, RetryContext& context);

  // Writes a whole block blob under `condition` and returns its new ETag.
  // Raises BlobConflict when the condition or the lease does not hold. When
  // a conditional write had to be retried and then conflicts, the first
  // attempt may have succeeded with its reply lost, so the blob is read
  // back: if it contains exactly `content`, its ETag is returned.
  std::string Put(const std::string& container, const std::string& blob, std::string_view content,
                  const BlobWriteCondition& condition, RetryContext& context,
                  std::string_view content_type = "application/octet-stream");

  // Deletes a blob. Returns false when it did not exist. `lease_id` is
  // needed while the blob is leased.
  bool Delete(const std::string& container, const std::string& blob, RetryContext& context,
              const std::string& lease_id = {});

  // Acquires a lease for `duration_seconds` (15 to 60, or -1 for infinite),
  // creating the blob empty first if it does not exist. Returns the lease
  // id, or nothing when another holder has an active lease. An empty
  // `proposed_lease_id` is replaced by a random GUID, so that a retried
  // acquire whose first reply was lost is recognised as the same holder.
  std::optional<std::string> AcquireLease(const std::string& container, const std::string& blob,
                                          int duration_seconds, const std::string& proposed_lease_id,
                                          RetryContext& context);

  // Renews a held lease for its original duration. Raises BlobConflict when
  // the lease was lost to another holder or broken.
  void RenewLease(const std::string& container, const std::string& blob, const std::string& lease_id,
                  RetryContext& context);

  // Releases a held lease. Raises BlobConflict when `lease_id` does not
  // hold the lease: another holder has it, or it was already released or
  // broken. The service returns the same error in each case, so after a
  // retried attempt the conflict is taken to mean that the first attempt
  // released the lease.
  void ReleaseLease(const std::string& container, const std::string& blob, const std::string& lease_id,
                    RetryContext& context);

  // Breaks any lease at once (break period 0). A blob with no lease is fine.
  void BreakLease(const std::string& container, const std::string& blob, RetryContext& context);

  // Returns a random version 4 GUID in lower case, for a proposed lease id.
  static std::string NewLeaseId();

  // The blob's URL, each path segment percent-encoded.
  std::string BlobUrl(const std::string& container, const std::string& blob) const;

  const StorageAccount& account() const { return account_; }

 private:
  struct Call;
  HttpOutcome Send(Call& call, RetryContext& context);
  HttpRequest Build(const Call& call, RetryContext& context) const;
  [[noreturn]] void Fail(const Call& call, const HttpOutcome& outcome) const;
  std::optional<std::string> TryAcquireLease(const std::string& container, const std::string& blob,
                                             int duration_seconds, const std::string& lease_id, RetryContext& context,
                                             bool& blob_missing);

  StorageAccount account_;
  Url endpoint_;
  HttpTransport& transport_;
  TokenCache* tokens_;
  RetryPolicy policy_;
};

// Returns the service's error code: the x-ms-error-code header, or the
// <Code> element of the XML error body. Empty when neither is present.
std::string BlobErrorCode(const HttpResponse& response);


}  // namespace mt
