#include "confusables.hpp"

#include <unicode/uspoof.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace lookalikes {
namespace {

struct SpoofCloser {
  void operator()(USpoofChecker* checker) const { uspoof_close(checker); }
};

// Skeleton computation only reads the checker, which ICU documents as safe
// from several threads once it is configured.
const USpoofChecker& SpoofChecker() {
  static const std::unique_ptr<USpoofChecker, SpoofCloser> instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker* opened = uspoof_open(&status);
    if (U_FAILURE(status)) {
      throw std::runtime_error(std::string("ICU uspoof_open failed: ") + u_errorName(status));
    }
    return std::unique_ptr<USpoofChecker, SpoofCloser>(opened);
  }();
  return *instance;
}

}  // namespace

std::string ConfusableSkeleton(std::string_view utf8) {
  std::vector<char> buffer(utf8.size() * 3 + 16);
  for (int attempt = 0; attempt < 2; ++attempt) {
    UErrorCode status = U_ZERO_ERROR;
    // The type argument is ignored since ICU 58; 0 selects the one skeleton
    // that UTS #39 now defines.
    const int32_t length =
        uspoof_getSkeletonUTF8(&SpoofChecker(), 0, utf8.data(), static_cast<int32_t>(utf8.size()),
                               buffer.data(), static_cast<int32_t>(buffer.size()), &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
      buffer.resize(static_cast<std::size_t>(length) + 1);
      continue;
    }
    if (U_FAILURE(status)) {
      throw std::runtime_error(std::string("ICU uspoof_getSkeletonUTF8 failed: ") + u_errorName(status));
    }
    return std::string(buffer.data(), static_cast<std::size_t>(length));
  }
  throw std::runtime_error("ICU uspoof_getSkeletonUTF8 kept asking for a larger buffer");
}

}  // namespace lookalikes
