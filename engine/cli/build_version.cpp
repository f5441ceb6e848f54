// The only file that includes the generated commit header: a new commit recompiles just this.
#include "cli/build_version.h"

#include "build_commit.h"

namespace backstop::cli {

std::string build_version() {
    const std::string commit = BACKSTOP_COMMIT;
    return std::string(BACKSTOP_VERSION) + " (" + (commit.empty() ? "unknown commit" : commit) + ")";
}

}  // namespace backstop::cli
