// `handler lookalikes`: writes look-alike permutations of the tenant's domains
// as a Microsoft Sentinel watchlist (CSV).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace lookalikes {

// Runs the command. `args` are the words after `handler lookalikes`: one or
// more domains plus options (see --help). The CSV goes to `out` unless
// --output names a file; diagnostics and a one-line summary go to `err`.
// Returns 0 on success, 1 when a file cannot be read or written or ICU fails
// to load its data, and 2 for invalid arguments or domains.
int RunLookalikesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace lookalikes
