// The smallest policy whose trigger acts: service `web` with an event source `deploys` and a
// trigger `bad_deploy` that pages when a deploy failed. For tests of simulate and `backstop test`.
#pragma once

namespace backstop::test {

extern const char* const kPagingPolicy;

}  // namespace backstop::test
