#include "support/paging_policy.h"

namespace backstop::test {

const char* const kPagingPolicy = R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
current  = "/srv/web/current"
restart  = ["true"]

[service.web.source.deploys]
kind = "event"

[[service.web.trigger]]
name   = "bad_deploy"
source = "deploys"
when   = "failed"
then   = "page"
)";

}  // namespace backstop::test
