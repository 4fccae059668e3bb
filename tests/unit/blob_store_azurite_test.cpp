// BlobStore against a real Azurite Blob service, which checks Shared Key
// signatures, conditional headers and lease rules as Azure Storage does.
// tests/node/blob-store.test.js starts Azurite and runs these tests with
// AZURITE_CONNECTION_STRING set; without it they are skipped.

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "blob_store.hpp"
#include "clock.hpp"
#include "errors.hpp"

namespace mt {
namespace {

constexpr const char* kCheckpoint = "EmailEvents_CL/checkpoint.json";
constexpr const char* kLease = "EmailEvents_CL/lease";

class BlobStoreAzurite : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* connection = std::getenv("AZURITE_CONNECTION_STRING");
    if (connection == nullptr || *connection == '\0') {
      GTEST_SKIP() << "AZURITE_CONNECTION_STRING is not set; node --test tests/node/blob-store.test.js starts "
                      "Azurite and runs these tests with it";
    }
    store_ = std::make_unique<BlobStore>(ParseStorageConnectionString(connection, "core.windows.net"), transport_,
                                         nullptr);
    // A container per test, so that tests do not see each other's blobs.
    container_ = "test-" + BlobStore::NewLeaseId().substr(0, 8);
    store_->CreateContainerIfNotExists(container_, context_);
  }

  HttplibTransport transport_{""};
  SystemClock clock_;
  RunLog log_{"", false};
  RetryContext context_{clock_, log_, clock_.Now() + std::chrono::minutes{2}, {}};
  std::unique_ptr<BlobStore> store_;
  std::string container_;
};

TEST_F(BlobStoreAzurite, CreateContainerTwice) {
  EXPECT_NO_THROW(store_->CreateContainerIfNotExists(container_, context_));
  EXPECT_NO_THROW(store_->CreateContainerIfNotExists(container_, context_));
}

TEST_F(BlobStoreAzurite, PutGetRoundTrip) {
  const std::string content = R"({"version":1,"frontier":"2026-12-04T11:45:00Z","note":"Zoë"})";
  const std::string etag =
      store_->Put(container_, kCheckpoint, content, BlobWriteCondition::Always(), context_, "application/json");
  EXPECT_FALSE(etag.empty());

  const auto read = store_->Get(container_, kCheckpoint, context_);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->content, content);
  EXPECT_EQ(read->etag, etag);

  const std::string next = store_->Put(container_, kCheckpoint, "{}", BlobWriteCondition::IfMatch(etag), context_);
  EXPECT_NE(next, etag);
  EXPECT_EQ(store_->Get(container_, kCheckpoint, context_)->content, "{}");
}

TEST_F(BlobStoreAzurite, EmptyBlobRoundTrip) {
  store_->Put(container_, kCheckpoint, "", BlobWriteCondition::Always(), context_);
  const auto read = store_->Get(container_, kCheckpoint, context_);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->content, "");
}

TEST_F(BlobStoreAzurite, CreateOnlyConflicts) {
  store_->Put(container_, kCheckpoint, "first", BlobWriteCondition::CreateOnly(), context_);
  try {
    store_->Put(container_, kCheckpoint, "second", BlobWriteCondition::CreateOnly(), context_);
    FAIL() << "expected BlobConflict";
  } catch (const BlobConflict& conflict) {
    EXPECT_EQ(conflict.status(), 409);
    EXPECT_EQ(conflict.error_code(), "BlobAlreadyExists");
  }
  EXPECT_EQ(store_->Get(container_, kCheckpoint, context_)->content, "first");
}

TEST_F(BlobStoreAzurite, StaleEtagConflicts) {
  const std::string first = store_->Put(container_, kCheckpoint, "one", BlobWriteCondition::Always(), context_);
  store_->Put(container_, kCheckpoint, "two", BlobWriteCondition::IfMatch(first), context_);
  try {
    store_->Put(container_, kCheckpoint, "three", BlobWriteCondition::IfMatch(first), context_);
    FAIL() << "expected BlobConflict";
  } catch (const BlobConflict& conflict) {
    EXPECT_EQ(conflict.status(), 412);
    EXPECT_EQ(conflict.error_code(), "ConditionNotMet");
  }
  EXPECT_EQ(store_->Get(container_, kCheckpoint, context_)->content, "two");
}

TEST_F(BlobStoreAzurite, LeaseIsExclusive) {
  const auto first = store_->AcquireLease(container_, kLease, 60, "", context_);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(store_->AcquireLease(container_, kLease, 60, BlobStore::NewLeaseId(), context_), std::nullopt);

  // The holder may acquire again with its own id.
  EXPECT_EQ(store_->AcquireLease(container_, kLease, 60, *first, context_), first);
  EXPECT_NO_THROW(store_->RenewLease(container_, kLease, *first, context_));
  EXPECT_THROW(store_->RenewLease(container_, kLease, BlobStore::NewLeaseId(), context_), BlobConflict);

  store_->ReleaseLease(container_, kLease, *first, context_);
  const std::string second_id = BlobStore::NewLeaseId();
  EXPECT_EQ(store_->AcquireLease(container_, kLease, 15, second_id, context_), second_id);
  EXPECT_THROW(store_->RenewLease(container_, kLease, *first, context_), BlobConflict);
  EXPECT_THROW(store_->ReleaseLease(container_, kLease, *first, context_), BlobConflict);
  store_->ReleaseLease(container_, kLease, second_id, context_);
  // A lease that is not held cannot be released, not even by its last holder.
  EXPECT_THROW(store_->ReleaseLease(container_, kLease, second_id, context_), BlobConflict);
  EXPECT_TRUE(store_->AcquireLease(container_, kLease, 15, "", context_).has_value());
}

TEST_F(BlobStoreAzurite, LeaseBlobIsCreatedEmpty) {
  ASSERT_FALSE(store_->Get(container_, kLease, context_).has_value());
  ASSERT_TRUE(store_->AcquireLease(container_, kLease, 15, "", context_).has_value());
  const auto blob = store_->Get(container_, kLease, context_);
  ASSERT_TRUE(blob.has_value());
  EXPECT_EQ(blob->content, "");
}

TEST_F(BlobStoreAzurite, LeasedBlobNeedsTheLeaseToWrite) {
  store_->Put(container_, kCheckpoint, "before", BlobWriteCondition::Always(), context_);
  const auto lease = store_->AcquireLease(container_, kCheckpoint, 60, "", context_);
  ASSERT_TRUE(lease.has_value());

  EXPECT_THROW(store_->Put(container_, kCheckpoint, "intruder", BlobWriteCondition::Always(), context_), BlobConflict);
  EXPECT_THROW(store_->Put(container_, kCheckpoint, "stranger", BlobWriteCondition::Always().WithLease(BlobStore::NewLeaseId()),
                           context_),
               BlobConflict);
  store_->Put(container_, kCheckpoint, "holder", BlobWriteCondition::Always().WithLease(*lease), context_);
  EXPECT_EQ(store_->Get(container_, kCheckpoint, context_)->content, "holder");
}

TEST_F(BlobStoreAzurite, BreakLeaseFreesIt) {
  const auto first = store_->AcquireLease(container_, kLease, -1, "", context_);
  ASSERT_TRUE(first.has_value());
  store_->BreakLease(container_, kLease, context_);
  EXPECT_TRUE(store_->AcquireLease(container_, kLease, 15, "", context_).has_value());
}

TEST_F(BlobStoreAzurite, DeleteThenGetIsEmpty) {
  store_->Put(container_, kCheckpoint, "{}", BlobWriteCondition::Always(), context_);
  EXPECT_TRUE(store_->Delete(container_, kCheckpoint, context_));
  EXPECT_FALSE(store_->Get(container_, kCheckpoint, context_).has_value());
  EXPECT_FALSE(store_->Delete(container_, kCheckpoint, context_));
  // A checkpoint can be created again after it was deleted.
  EXPECT_NO_THROW(store_->Put(container_, kCheckpoint, "{}", BlobWriteCondition::CreateOnly(), context_));
}

TEST_F(BlobStoreAzurite, MissingContainerReadsAsEmpty) {
  EXPECT_FALSE(store_->Get("missing-" + container_, kCheckpoint, context_).has_value());
}

TEST_F(BlobStoreAzurite, WrongKeyIsRejected) {
  StorageAccount wrong = store_->account();
  wrong.account_key = Secret(std::string(64, 'k'));
  RetryPolicy once;
  once.max_attempts = 1;
  BlobStore store(wrong, transport_, nullptr, once);
  try {
    store.Get(container_, kCheckpoint, context_);
    FAIL() << "expected CollectionError";
  } catch (const BlobConflict&) {
    FAIL() << "a rejected signature is not a conflict";
  } catch (const CollectionError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("HTTP 403 AuthorizationFailure"), std::string::npos) << message;
    EXPECT_NE(message.find("check the AccountKey in AzureWebJobsStorage"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace mt
