#include "runtime/version_store.h"

#include "core/error.h"
#include "runtime/docker_versions.h"
#include "runtime/git_versions.h"
#include "runtime/release_versions.h"

namespace backstop {

std::unique_ptr<VersionStore> make_version_store(const ServicePolicy& service, ProcessRunner& processes) {
    if (service.strategy == "git") return std::make_unique<GitVersions>(service, processes);
    if (service.strategy == "docker") return std::make_unique<DockerVersions>(service, processes);
    if (service.strategy == "releases") return std::make_unique<ReleaseVersions>(service);
    throw Error("service `" + service.name + "` has unknown strategy `" + service.strategy + "`");
}

}  // namespace backstop
