// The Docker engine, driven through the `docker` CLI with a timeout per command. Errors name the
// command, docker's exit code and the tail of its stderr.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/duration.h"
#include "prim/process_runner.h"

namespace backstop {

class DockerCli {
public:
    // `host`: a DOCKER_HOST value ("unix:///run/docker.sock"); empty: the environment's.
    DockerCli(ProcessRunner& runner, std::string host, Duration timeout);

    // Runs `docker ARGS`; returns stdout. Throws Error on failure.
    std::string run(const std::vector<std::string>& args) const;
    // The same without throwing.
    ProcessResult try_run(const std::vector<std::string>& args) const;

    // `docker inspect` of one container; throws when there is no such container.
    nlohmann::json inspect_container(const std::string& name) const;
    // The image id (sha256:…) `ref` names here; nullopt when there is no such image.
    std::optional<std::string> image_id(const std::string& ref) const;

    // Where a named volume's data lives on the docker host; throws when there is no such volume.
    std::string volume_mountpoint(const std::string& name) const;

    struct ImageTag {
        std::string ref;      // "repo:tag"
        std::string id;       // sha256:…
        std::string created;  // RFC 3339 with nanoseconds, as docker reports it
    };
    // The tagged images of `repository`, newest first (by creation time, to the nanosecond).
    std::vector<ImageTag> tags_of(const std::string& repository) const;

    const std::string& host() const { return host_; }

private:
    ProcessRunner& runner_;
    std::string host_;
    Duration timeout_;
};

// The repository part of an image reference: "reg:5000/app:v2" -> "reg:5000/app", "app@sha256:…" -> "app".
std::string image_repository(const std::string& ref);

// `docker run` options that recreate a container like the one `inspect` describes (name excluded):
// env, binds and mounts, network mode, restart policy, init, user, workdir, labels, entrypoint.
// Followed by the image and then `command_args(inspect)`.
std::vector<std::string> recreate_options(const nlohmann::json& inspect);
std::vector<std::string> command_args(const nlohmann::json& inspect);

}  // namespace backstop
