#include "blob_store.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "blob_shared_key.hpp"
#include "identity.hpp"

namespace mt {
namespace {

// A checkpoint or lease call moves a few hundred bytes; a reply slower than
// this is a stalled connection, which the retry policy repeats.
constexpr std::chrono::seconds kRequestTimeout{30};

// Blob names may be at most 1,024 characters long.
constexpr std::size_t kMaxBlobNameLength = 1024;

// Container names: 3 to 63 lower-case letters, digits and single hyphens,
// starting and ending with a letter or digit.
bool IsValidContainerName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  if (name.front() == '-' || name.back() == '-' || name.find("--") != std::string_view::npos) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

void CheckNames(const std::string& container, const std::string* blob) {
  if (!IsValidContainerName(container)) {
    throw std::invalid_argument("invalid Blob container name '" + container +
                                "': use 3 to 63 lower-case letters, digits and single hyphens");
  }
  if (blob && (blob->empty() || blob->size() > kMaxBlobNameLength)) {
    throw std::invalid_argument("invalid blob name '" + blob->substr(0, 80) + "': use 1 to 1024 characters");
  }
}

// The text of the first <name> element in an XML error body, entities
// decoded, cut at the first line break (the service appends RequestId and
// Time lines to its Message).
std::string XmlElement(const std::string& body, const std::string& name) {
  const std::string open = "<" + name + ">";
  const auto start = body.find(open);
  if (start == std::string::npos) return {};
  const auto end = body.find("</" + name + ">", start);
  if (end == std::string::npos) return {};
  std::string text = body.substr(start + open.size(), end - start - open.size());
  text = text.substr(0, text.find_first_of("\r\n"));

  static const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, replacement] : kEntities) {
    for (auto at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1)) {
      text.replace(at, std::char_traits<char>::length(entity), replacement);
    }
  }
  return text;
}

// Returns what the operator should check for an error code, given how the
// handler authenticates.
std::string HintFor(int status, const std::string& code, const StorageAccount& account) {
  const bool shared_key = account.credential == StorageCredential::kSharedKey;
  const std::string role_hint =
      "grant the handler's identity the Storage Blob Data Contributor role on the storage account (role "
      "assignments take a few minutes to apply)";
  const std::string firewall_hint = "check that the storage account's networking rules allow this Function App";

  if (code == "AuthenticationFailed") {
    if (shared_key) {
      return "the Shared Key signature was rejected: check the AccountKey in " + account.setting +
             " (keys change when they are rotated) and that the system clock is correct";
    }
    return "the bearer token was rejected: check AZURE_TENANT_ID and that the identity belongs to the storage "
           "account's tenant";
  }
  if (code == "KeyBasedAuthenticationNotPermitted") {
    return "the storage account does not allow Shared Key authorization; use an identity-based connection "
           "(AzureWebJobsStorage__accountName) and " + role_hint;
  }
  if (code == "AuthorizationPermissionMismatch" || code == "AuthorizationFailure" || status == 403) {
    if (shared_key) return "check the AccountKey in " + account.setting + ", and " + firewall_hint;
    return role_hint + ", and " + firewall_hint;
  }
  if (status == 401) return "the request carried no usable credential; " + role_hint;
  if (code == "ContainerNotFound") return "the container does not exist; create it first";
  if (code == "ContainerBeingDeleted") return "the container was deleted moments ago; try again in a minute";
  if (code == "InvalidHeaderValue" || code == "InvalidApiVersion") {
    return std::string("the service rejected a header, e.g. x-ms-version ") + BlobStore::kServiceVersion +
           "; if this is Azurite, update it or start it with --skipApiVersionCheck";
  }
  if (code == "AccountIsDisabled") return "the storage account is disabled; enable it in the Azure portal";
  if (status == 404) return "check the Blob service URL " + account.blob_endpoint + " from " + account.setting;
  return {};
}

std::string EncodeBlobPath(const std::string& blob) {
  std::string out;
  std::size_t start = 0;
  for (;;) {
    const auto slash = blob.find('/', start);
    out += PercentEncode(std::string_view(blob).substr(start, slash - start));
    if (slash == std::string::npos) return out;
    out += '/';
    start = slash + 1;
  }
}

std::string Quote(const std::string& container, const std::string& blob) {
  return "'" + container + "/" + blob + "'";
}

}  // namespace

struct BlobStore::Call {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;  // sent when not empty
  std::string what;          // for logs and errors, e.g. "writing blob 'c/b'"
  int attempts = 0;          // requests sent by the last Send, counting retries
};

std::string BlobErrorCode(const HttpResponse& response) {
  if (std::string code = response.Header("x-ms-error-code"); !code.empty()) return code;
  return XmlElement(response.body, "Code");
}

std::string BlobStore::NewLeaseId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw CollectionError("OpenSSL produced no random bytes for a lease id");
  bytes[6] = (bytes[6] & 0x0F) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3F) | 0x80;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string guid;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) guid += '-';
    guid += kHex[bytes[i] >> 4];
    guid += kHex[bytes[i] & 0xF];
  }
  return guid;
}

BlobStore::BlobStore(StorageAccount account, HttpTransport& transport, TokenCache* tokens, RetryPolicy policy)
    : account_(std::move(account)), transport_(transport), tokens_(tokens), policy_(policy) {
  const auto endpoint = Url::Parse(account_.blob_endpoint);
  if (!endpoint || endpoint->target.find('?') != std::string::npos) {
    throw ConfigurationError(account_.setting + " gives no usable Blob service URL: '" + account_.blob_endpoint +
                             "'; write it like https://<account>.blob.core.windows.net");
  }
  endpoint_ = *endpoint;
  if (account_.credential == StorageCredential::kToken && tokens_ == nullptr) {
    throw ConfigurationError(account_.setting + " configures an identity-based storage connection, but no token "
                             "source is available; configure the handler's identity (AZURE_CLIENT_ID and a "
                             "secret, certificate or managed identity)");
  }
  if (account_.credential == StorageCredential::kSharedKey && account_.account_key.empty()) {
    throw ConfigurationError(account_.setting + " has no account key; add AccountKey to the connection string");
  }
}

std::string BlobStore::BlobUrl(const std::string& container, const std::string& blob) const {
  return JoinPath(account_.blob_endpoint, "/" + container + "/" + EncodeBlobPath(blob));
}

HttpRequest BlobStore::Build(const Call& call, RetryContext& context) const {
  HttpRequest request;
  request.method = call.method;
  request.url = *Url::Parse(call.url);
  request.timeout = kRequestTimeout;
  request.headers = {{"x-ms-version", kServiceVersion}, {"x-ms-date", FormatRfc1123(context.clock.Now())}};
  request.headers.insert(request.headers.end(), call.headers.begin(), call.headers.end());
  // Set explicitly: cpp-httplib otherwise adds text/plain to a non-empty
  // body after signing, and the signature would no longer match.
  if (!call.content_type.empty()) request.headers.emplace_back("Content-Type", call.content_type);
  request.body = call.body;

  if (account_.credential == StorageCredential::kSharedKey) {
    request.headers.emplace_back("Authorization", SignBlobRequest(request, account_.account_name, account_.account_key));
  } else {
    // NOTE: bearer authorization is tested against a scripted transport
    // only; checking it on Azurite would need HTTPS and its --oauth option.
    request.headers.emplace_back("Authorization", "Bearer " + tokens_->Get(Audience::kStorage, context).Reveal());
  }
  return request;
}

HttpOutcome BlobStore::Send(Call& call, RetryContext& context) {
  call.attempts = 0;
  bool retried_unauthorized = false;
  for (;;) {
    auto build = [&](int) {
      ++call.attempts;
      return Build(call, context);
    };
    HttpOutcome outcome = SendWithRetry(transport_, build, ClassifyTransient, policy_, context, "Blob storage: " + call.what);
    if (account_.credential == StorageCredential::kToken && outcome.response && outcome.response->status == 401 &&
        !retried_unauthorized) {
      // A token may be revoked or expire early; fetch a new one once.
      tokens_->Invalidate(Audience::kStorage);
      retried_unauthorized = true;
      continue;
    }
    return outcome;
  }
}

void BlobStore::Fail(const Call& call, const HttpOutcome& outcome) const {
  if (!outcome.response) {
    throw CollectionError("Blob storage at " + endpoint_.Origin() + " could not be reached while " + call.what + ": " +
                          outcome.transport_error + "; check " + account_.setting +
                          " and that the storage account (or Azurite) accepts connections from here");
  }
  const HttpResponse& response = *outcome.response;
  const std::string code = BlobErrorCode(response);
  std::string message = "Blob storage: " + call.what + " in account '" + account_.account_name +
                        "' failed with HTTP " + std::to_string(response.status);
  if (!code.empty()) message += " " + code;
  if (std::string detail = XmlElement(response.body, "Message"); !detail.empty()) message += " (" + detail + ")";
  if (std::string hint = HintFor(response.status, code, account_); !hint.empty()) message += "; " + hint;
  if (std::string request_id = response.Header("x-ms-request-id"); !request_id.empty()) {
    message += " [request id " + request_id + "]";
  }

  if (response.status == 409 || response.status == 412) throw BlobConflict(message, response.status, code);
  throw CollectionError(message);
}

void BlobStore::CreateContainerIfNotExists(const std::string& container, RetryContext& context) {
  CheckNames(container, nullptr);
  Call call{"PUT", JoinPath(account_.blob_endpoint, "/" + container + "?restype=container"), {}, {}, {},
            "creating container '" + container + "'"};
  const HttpOutcome outcome = Send(call, context);
  if (outcome.response) {
    const int status = outcome.response->status;
    if (status == 201) return;
    if (status == 409 && BlobErrorCode(*outcome.response) == "ContainerAlreadyExists") return;
  }
  Fail(call, outcome);
}

std::optional<BlobContent> BlobStore::Get(const std::string& container, const std::string& blob,
                                          RetryContext& context) {
  CheckNames(container, &blob);
  Call call{"GET", BlobUrl(container, blob), {}, {}, {}, "reading blob " + Quote(container, blob)};
  const HttpOutcome outcome = Send(call, context);
  if (outcome.response) {
    const HttpResponse& response = *outcome.response;
    if (response.status == 200) return BlobContent{response.body, response.Header("etag")};
    const std::string code = BlobErrorCode(response);
    if (response.status == 404 && (code == "BlobNotFound" || code == "ContainerNotFound")) return std::nullopt;
  }
  Fail(call, outcome);
}

std::string BlobStore::Put(const std::string& container, const std::string& blob, std::string_view content,
                           const BlobWriteCondition& condition, RetryContext& context, std::string_view content_type) {
  CheckNames(container, &blob);
  Call call{"PUT", BlobUrl(container, blob), {{"x-ms-blob-type", "BlockBlob"}}, std::string(content),
            std::string(content_type), "writing blob " + Quote(container, blob)};
  switch (condition.mode) {
    case BlobWriteMode::kAlways: break;
    case BlobWriteMode::kCreateOnly: call.headers.emplace_back("If-None-Match", "*"); break;
    case BlobWriteMode::kIfMatch:
      if (condition.etag.empty()) throw std::invalid_argument("BlobWriteMode::kIfMatch needs the ETag the blob must have");
      call.headers.emplace_back("If-Match", condition.etag);
      break;
  }
  if (!condition.lease_id.empty()) call.headers.emplace_back("x-ms-lease-id", condition.lease_id);

  const HttpOutcome outcome = Send(call, context);
  if (outcome.response) {
    const HttpResponse& response = *outcome.response;
    if (response.status == 201) return response.Header("etag");
    if ((response.status == 409 || response.status == 412) && call.attempts > 1) {
      // An earlier attempt may have been applied with its reply lost, so the
      // conflict can be with this very write.
      if (auto current = Get(container, blob, context); current && current->content == content) {
        context.log.Warning("Blob storage: " + call.what + " conflicted on attempt " + std::to_string(call.attempts) +
                            ", but the blob already holds this content, so an earlier attempt was applied");
        return current->etag;
      }
    }
  }
  Fail(call, outcome);
}

bool BlobStore::Delete(const std::string& container, const std::string& blob, RetryContext& context,
                       const std::string& lease_id) {
  CheckNames(container, &blob);
  Call call{"DELETE", BlobUrl(container, blob), {}, {}, {}, "deleting blob " + Quote(container, blob)};
  if (!lease_id.empty()) call.headers.emplace_back("x-ms-lease-id", lease_id);
  const HttpOutcome outcome = Send(call, context);
  if (outcome.response) {
    const HttpResponse& response = *outcome.response;
    if (response.status == 202) return true;
    const std::string code = BlobErrorCode(response);
    if (response.status == 404 && (code == "BlobNotFound" || code == "ContainerNotFound")) return false;
  }
  Fail(call, outcome);
}

std::optional<std::string> BlobStore::TryAcquireLease(const std::string& container, const std::string& blob,
                                                      int duration_seconds, const std::string& lease_id,
                                                      RetryContext& context, bool& blob_missing) {
  Call call{"PUT",
            BlobUrl(container, blob) + "?comp=lease",
            {{"x-ms-lease-action", "acquire"},
             {"x-ms-lease-duration", std::to_string(duration_seconds)},
             {"x-ms-proposed-lease-id", lease_id}},
            {},
            {},
            "acquiring the lease on blob " + Quote(container, blob)};
  blob_missing = false;
  const HttpOutcome outcome = Send(call, context);
  if (outcome.response) {
    const HttpResponse& response = *outcome.response;
    const std::string code = BlobErrorCode(response);
    if (response.status == 201 || response.status == 200) {
      const std::string granted = response.Header("x-ms-lease-id");
      return granted.empty() ? lease_id : granted;
    }
    if (response.status == 409 && code == "LeaseAlreadyPresent") return std::nullopt;
    if (response.status == 404 && code == "BlobNotFound") {
      blob_missing = true;
      return std::nullopt;
    }
  }
  Fail(call, outcome);
}

std::optional<std::string> BlobStore::AcquireLease(const std::string& container, const std::string& blob,
                                                   int duration_seconds, const std::string& proposed_lease_id,
                                                   RetryContext& context) {
  CheckNames(container, &blob);
  if (duration_seconds != kInfiniteLease && (duration_seconds < kMinLeaseSeconds || duration_seconds > kMaxLeaseSeconds)) {
    throw std::invalid_argument("invalid lease duration " + std::to_string(duration_seconds) +
                                " s: the Blob service accepts 15 to 60 seconds, or -1 for infinite");
  }
  const std::string lease_id = proposed_lease_id.empty() ? NewLeaseId() : proposed_lease_id;

  bool blob_missing = false;
  auto granted = TryAcquireLease(container, blob, duration_seconds, lease_id, context, blob_missing);
  if (!blob_missing) return granted;

  // Only an existing blob can be leased. Another process may create it at
  // the same moment, which is as good.
  try {
    Put(container, blob, "", BlobWriteCondition::CreateOnly(), context);
  } catch (const BlobConflict&) {
  }
  granted = TryAcquireLease(container, blob, duration_seconds, lease_id, context, blob_missing);
  if (blob_missing) {
    throw CollectionError("Blob storage: the lease blob " + Quote(container, blob) +
                          " was deleted right after it was created; another process is deleting it");
  }
  return granted;
}

void BlobStore::RenewLease(const std::string& container, const std::string& blob, const std::string& lease_id,
                           RetryContext& context) {
  CheckNames(container, &blob);
  Call call{"PUT",
            BlobUrl(container, blob) + "?comp=lease",
            {{"x-ms-lease-action", "renew"}, {"x-ms-lease-id", lease_id}},
            {},
            {},
            "renewing the lease on blob " + Quote(container, blob)};
  const HttpOutcome outcome = Send(call, context);
  if (outcome.response) {
    const HttpResponse& response = *outcome.response;
    if (response.status == 200) return;
    const std::string code = BlobErrorCode(response);
    if (response.status == 404 && code == "BlobNotFound") {
      // A deleted blob has no lease to renew: the lease is lost.
      throw BlobConflict("Blob storage: the lease blob " + Quote(container, blob) +
                             " was deleted, so its lease is lost",
                         response.status, code);
    }
  }
  Fail(call, outcome);
}

void BlobStore::ReleaseLease(const std::string& container, const std::string& blob, const std::string& lease_id,
                             RetryContext& context) {
  CheckNames(container, &blob);
  Call call{"PUT",
            BlobUrl(container, blob) + "?comp=lease",
            {{"x-ms-lease-action", "release"}, {"x-ms-lease-id", lease_id}},
            {},
            {},
            "releasing the lease on blob " + Quote(container, blob)};
  const HttpOutcome outcome = Send(call, context);
  if (outcome.response) {
    const HttpResponse& response = *outcome.response;
    if (response.status == 200) return;
    const std::string code = BlobErrorCode(response);
    if (response.status == 409 && code == "LeaseNotPresentWithLeaseOperation") return;
    if (response.status == 404 && code == "BlobNotFound") return;
    // Azurite 3.37 returns LeaseIdMismatchWithLeaseOperation for a blob with
    // no lease too. After a retry that means the first attempt released the
    // lease and only its reply was lost.
    if (response.status == 409 && code == "LeaseIdMismatchWithLeaseOperation" && call.attempts > 1) {
      context.log.Warning("Blob storage: " + call.what + " was retried and the lease is no longer held; an earlier "
                          "attempt released it");
      return;
    }
  }
  Fail(call, outcome);
}

void BlobStore::BreakLease(const std::string& container, const std::string& blob, RetryContext& context) {
  CheckNames(container, &blob);
  Call call{"PUT",
            BlobUrl(container, blob) + "?comp=lease",
            {{"x-ms-lease-action", "break"}, {"x-ms-lease-break-period", "0"}},
            {},
            {},
            "breaking the lease on blob " + Quote(container, blob)};
  const HttpOutcome outcome = Send(call, context);
  if (outcome.response) {
    const HttpResponse& response = *outcome.response;
    if (response.status == 202) return;
    if (response.status == 409 && BlobErrorCode(response) == "LeaseNotPresentWithLeaseOperation") return;
  }
  Fail(call, outcome);
}

}  // namespace mt
