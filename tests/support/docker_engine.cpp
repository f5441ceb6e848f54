#include "support/docker_engine.h"

#include "core/text.h"
#include "support/wait_exit.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace backstop::test {

namespace fs = std::filesystem;

namespace {

// Mount points under `prefix` (deepest first), from /proc/self/mounts.
std::vector<std::string> mounts_under(const std::string& prefix) {
    std::vector<std::string> out;
    std::ifstream in("/proc/self/mounts");
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string dev, point;
        fields >> dev >> point;
        if (point.rfind(prefix, 0) == 0) out.push_back(point);
    }
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    return out;
}

bool other_process_named(const std::string& name) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        std::ifstream comm(entry.path() / "comm");
        std::string c;
        if (comm && std::getline(comm, c) && c == name) {
            std::ifstream stat(entry.path() / "stat");
            std::string pid, paren, state;
            stat >> pid >> paren >> state;
            if (state != "Z") return true;
        }
    }
    return false;
}

}  // namespace

DockerEngine& DockerEngine::shared() {
    static DockerEngine engine;
    return engine;
}

DockerEngine::DockerEngine() : dir_("backstop-docker") {
    if (::access("/usr/sbin/dockerd", X_OK) != 0)
        throw std::runtime_error("/usr/sbin/dockerd not found: install `docker.io` (.ci/install-deps)");
    if (::access("/bin/busybox", X_OK) != 0) throw std::runtime_error("/bin/busybox not found: install `busybox-static`");
    std::string d = dir_.path();
    host_ = "unix://" + d + "/docker.sock";
    // Without deprecated-key-path dockerd writes its key to /etc/docker.
    dir_.write("daemon.json", "{\"deprecated-key-path\": \"" + d + "/key.json\"}\n");
    std::vector<std::string> args = {"/usr/sbin/dockerd", "--data-root", d + "/data", "--exec-root", d + "/exec",
                                     "--pidfile", d + "/dockerd.pid", "-H", host_, "--iptables=false",
                                     "--ip6tables=false", "--ip-forward=false", "--ip-masq=false", "--bridge=none",
                                     "--userland-proxy=false", "--shutdown-timeout", "2", "--config-file",
                                     d + "/daemon.json"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string log = d + "/dockerd.log";
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&files, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&files, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    int rc = ::posix_spawn(&pid_, argv[0], &files, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&files);
    if (rc != 0) throw std::runtime_error(std::string("cannot run dockerd: ") + std::strerror(rc));
    ::setenv("DOCKER_HOST", host_.c_str(), 1);

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            std::string text;
            try {
                text = dir_.read("dockerd.log");
            } catch (const std::exception&) {
            }
            stop();
            throw std::runtime_error("dockerd exited at start (status " + std::to_string(status) + "): " + text);
        }
        ProcessResult r = docker({"version", "--format", "{{.Server.APIVersion}}"});
        if (r.ok()) break;
        if (std::chrono::steady_clock::now() >= deadline) {
            stop();
            throw std::runtime_error("dockerd not answering after 30s: " + r.summary());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

DockerEngine::~DockerEngine() { stop(); }

void DockerEngine::stop() {
    if (pid_ > 0) {
        ProcessResult ps = docker({"ps", "-aq"});
        std::vector<std::string> rm = {"rm", "-f"};
        std::istringstream ids(ps.out);
        for (std::string id; ids >> id;) rm.push_back(id);
        if (ps.ok() && rm.size() > 2) docker(rm);
        ::kill(pid_, SIGTERM);
        if (!wait_exit(pid_, std::chrono::seconds(20))) {
            ::kill(pid_, SIGKILL);
            wait_exit(pid_, std::chrono::seconds(5));
        }
        pid_ = -1;
    }
    for (const auto& m : mounts_under(dir_.path() + "/")) ::umount2(m.c_str(), MNT_DETACH);
    for (const char* h : {"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids", "systemd",
                          "unified", "net_cls", "net_prio", "perf_event", "hugetlb", "rdma"})
        ::rmdir((std::string("/sys/fs/cgroup/") + h + "/docker").c_str());
    ::rmdir("/sys/fs/cgroup/docker");
    if (!other_process_named("dockerd") && !other_process_named("containerd")) {
        std::error_code ec;
        fs::remove_all("/run/docker", ec);
        fs::remove_all("/run/containerd", ec);
    }
}

ProcessResult DockerEngine::docker(const std::vector<std::string>& args) const {
    ProcessRequest req;
    req.argv = {"docker"};
    req.argv.insert(req.argv.end(), args.begin(), args.end());
    req.env_overrides = {{"DOCKER_HOST", host_}};
    req.timeout = Duration{60'000};
    return make_process_runner()->run(req);
}

std::string DockerEngine::must(const std::vector<std::string>& args) const {
    ProcessResult r = docker(args);
    if (!r.ok()) {
        std::string cmd = "docker";
        for (const auto& a : args) cmd += " " + a;
        throw std::runtime_error(cmd + ": " + r.summary() + " " + trim_right(r.err));
    }
    return trim_right(r.out);
}

std::string DockerEngine::inspect(const std::string& container, const std::string& format) const {
    ProcessResult r = docker({"inspect", "--format", format, container});
    return r.ok() ? trim_right(r.out) : "";
}

void DockerEngine::build_app_image(const std::string& ref, bool healthy, bool startable) const {
    TempDir root("backstop-rootfs");
    root.mkdir("bin");
    root.mkdir("www");
    root.mkdir("tmp");
    if (startable) {
        fs::copy_file("/bin/busybox", root.file("bin/busybox"));
        for (const char* applet : {"sh", "httpd", "cat", "ls", "sleep"})
            fs::create_symlink("busybox", root.file(std::string("bin/") + applet));
    }
    root.write("etc/passwd", "root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
    root.write("etc/group", "root:x:0:\nnogroup:x:65534:\n");
    root.write("www/index.html", "app " + ref + "\n");
    if (healthy) root.write("www/health", "ok " + ref + "\n");
    import_image(ref, root.path());
}

void DockerEngine::build_busybox_image(const std::string& ref, const std::map<std::string, std::string>& files) const {
    TempDir root("backstop-rootfs");
    root.mkdir("bin");
    root.mkdir("tmp");
    fs::copy_file("/bin/busybox", root.file("bin/busybox"));
    for (const char* applet : {"sh", "httpd", "cat", "ls", "sleep", "mkdir", "rm"})
        fs::create_symlink("busybox", root.file(std::string("bin/") + applet));
    root.write("etc/passwd", "root:x:0:0:root:/:/bin/sh\n");
    root.write("etc/group", "root:x:0:\n");
    for (const auto& [path, content] : files) root.write_executable(path, content);
    import_image(ref, root.path());
}

void DockerEngine::import_image(const std::string& ref, const std::string& rootfs) const {
    ProcessRequest req;
    req.argv = {"sh", "-c", "tar -C \"$1\" -cf - . | docker import - \"$2\"", "sh", rootfs, ref};
    req.env_overrides = {{"DOCKER_HOST", host_}};
    req.timeout = Duration{60'000};
    ProcessResult r = make_process_runner()->run(req);
    if (!r.ok()) throw std::runtime_error("docker import " + ref + ": " + r.summary() + " " + trim_right(r.err));
}

}  // namespace backstop::test
