// Visual confusability from Unicode Technical Standard #39, via ICU's spoof
// checker.
#pragma once

#include <string>
#include <string_view>

namespace lookalikes {

// Returns the UTS #39 skeleton of a UTF-8 string: two strings that render
// alike have equal skeletons ("rn" and "m", Latin "a" and Cyrillic "а").
// Skeletons are for comparison only and are never displayed.
std::string ConfusableSkeleton(std::string_view utf8);

}  // namespace lookalikes
