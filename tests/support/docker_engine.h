// A real Docker engine for tests (Debian's docker.io): one dockerd per test process with all its
// state in a temp folder (data-root, exec-root, unix socket, key file), no bridge, no iptables, no
// registry. Images are built locally from a busybox rootfs with `docker import`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

#include "prim/process_runner.h"
#include "support/temp_dir.h"

namespace backstop::test {

class DockerEngine {
public:
    // The one engine of this test process, started at first use and stopped at exit. DOCKER_HOST is
    // also set in this process's environment. Throws when dockerd cannot start.
    static DockerEngine& shared();

    DockerEngine();
    ~DockerEngine();
    DockerEngine(const DockerEngine&) = delete;
    DockerEngine& operator=(const DockerEngine&) = delete;

    const std::string& host() const { return host_; }  // unix://…/docker.sock
    std::map<std::string, std::string> env() const { return {{"DOCKER_HOST", host_}}; }

    // `docker ARGS` against this engine.
    ProcessResult docker(const std::vector<std::string>& args) const;
    // Same; throws std::runtime_error on failure; returns stdout trimmed.
    std::string must(const std::vector<std::string>& args) const;
    // `docker inspect --format FORMAT container`, trimmed; "" when it fails.
    std::string inspect(const std::string& container, const std::string& format) const;

    // Imports a busybox image `ref` whose /www/health exists (GET /health → 200 "ok REF") when
    // `healthy`, else is missing (404). Serve it with `busybox httpd -f -p 127.0.0.1:PORT -h /www`.
    // Without `startable` the image lacks /bin/busybox: a container from it is created but fails
    // to start.
    void build_app_image(const std::string& ref, bool healthy, bool startable = true) const;
    // Imports a busybox image `ref` (sh, httpd, cat, ls, sleep, mkdir, rm) holding `files`: path
    // inside the image -> content, each file executable.
    void build_busybox_image(const std::string& ref, const std::map<std::string, std::string>& files) const;

private:
    void stop();
    void import_image(const std::string& ref, const std::string& rootfs) const;

    TempDir dir_;
    std::string host_;
    pid_t pid_ = -1;
};

}  // namespace backstop::test
