// Shared Key authorization for the Azure Blob service: the string to sign
// and the Authorization header, computed per request from the request as it
// goes on the wire.
#pragma once

#include <string>
#include <string_view>

#include "http_client.hpp"
#include "secret.hpp"

namespace mt {

// The canonicalized resource: `/<account><encoded URL path>`, then one line
// `\n<name>:<value>[,<value>…]` per query parameter, names lower-cased and
// sorted, values percent-decoded and sorted. For a path-style emulator URL
// the account appears twice, e.g. `/devstoreaccount1/devstoreaccount1/c`.
std::string BlobCanonicalizedResource(const Url& url, std::string_view account_name);

// Builds the Blob service string to sign (service version 2015-02-21 and
// later). It is the verb and the eleven standard headers, one per line, then
// the x-ms- headers lower-cased and sorted as `name:value\n`, then the
// canonicalized resource. Content-Length is empty for an empty body, and Date
// is empty because x-ms-date is sent. Header names in `request` may have any
// case.
std::string BlobStringToSign(const HttpRequest& request, std::string_view account_name);

// Returns the Authorization header value `SharedKey <account>:<base64
// HMAC-SHA256 of the string to sign>`, keyed with the decoded account key.
// Every header that is signed must already be in `request`.
std::string SignBlobRequest(const HttpRequest& request, std::string_view account_name, const Secret& account_key);

}  // namespace mt
