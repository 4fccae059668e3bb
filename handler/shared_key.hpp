// SharedKey signing for the HTTP Data Collector API (legacy ingestion).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mt {

// The content type that every Data Collector request sends and signs. It is
// part of the signed string byte for byte, so adding `; charset=utf-8` to
// the header alone makes the service reject the post with 403
// InvalidAuthorization.
inline constexpr std::string_view kDataCollectorContentType = "application/json";

// Decodes standard base64 (RFC 4648 alphabet, `=` padding required, no
// whitespace). Returns nothing for any other text, so that a mangled
// workspace key is reported at start-up instead of as a 403 later.
std::optional<std::string> DecodeBase64(std::string_view text);

// Encodes bytes as standard base64 with padding, on one line.
std::string EncodeBase64(std::string_view bytes);

// The exact text the Data Collector API signs:
// "POST\n<body bytes>\n<content type>\nx-ms-date:<date>\n/api/logs",
// with no trailing newline. `body_bytes` is the UTF-8 byte length of the
// body as sent, not its character count.
std::string DataCollectorStringToSign(std::size_t body_bytes, std::string_view content_type, std::string_view date);

// Returns the Authorization header value `SharedKey <workspace id>:<base64
// HMAC-SHA256 of the string to sign>`, keyed with the decoded workspace key
// bytes. `date` is the x-ms-date header value sent with the same request.
std::string SignDataCollectorRequest(std::string_view key_bytes, std::string_view workspace_id, std::string_view date,
                                     std::size_t body_bytes, std::string_view content_type);

}  // namespace mt
