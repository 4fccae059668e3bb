#pragma once

#include <string>
#include <string_view>

namespace mt {

// Compresses `data` into the gzip format (RFC 1952) for
// `Content-Encoding: gzip`.
std::string GzipCompress(std::string_view data);

}  // namespace mt
