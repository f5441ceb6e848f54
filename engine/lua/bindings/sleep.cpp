// sleep: waiting through the host (so dry runs and tests need not really wait). Sleeping does not
// use CPU budget, but it counts against the wall-clock timeout and is cut short by it.
#include <algorithm>

#include "lua/bindings/bindings.h"
#include "lua/runbook_host.h"

namespace backstop::lua::bindings {

namespace {

// sleep(duration)
// @param 1 (number|string): seconds (0.5) or a duration string ("500ms", "2s", "1m")
int sleep(lua_State* L) {
    Duration d = check_duration(L, 1);
    RunbookHost& host = host_for(L, "sleep");
    const StateContext& ctx = context_of(L);
    auto left = std::chrono::duration_cast<Duration>(ctx.wall_deadline - std::chrono::steady_clock::now());
    // One millisecond past the deadline, so the check below trips instead of returning early.
    d = std::clamp(d, Duration(0), std::max(Duration(0), left + Duration(1)));
    guarded(L, [&] {
        host.sleep(d);
        return 0;
    });
    check_deadline(L);
    return 0;
}

}  // namespace

int open_sleep(lua_State* L) {
    lua_pushcfunction(L, sleep);
    return 1;
}

}  // namespace backstop::lua::bindings
