// The only file that includes the generated commit header: a new commit recompiles just this.
#include "core/build_version.h"

#include "build_commit.h"

namespace backstop {

std::string build_commit() { return BACKSTOP_COMMIT; }

std::string build_version() {
    const std::string commit = build_commit();
    return std::string(BACKSTOP_VERSION) + " (" + (commit.empty() ? "unknown commit" : commit) + ")";
}

}  // namespace backstop
