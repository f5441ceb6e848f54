#include "support/systemd_user_manager.h"

#include "core/text.h"
#include "support/wait_exit.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace backstop::test {

namespace fs = std::filesystem;

namespace {

const fs::path kScript = fs::path(BACKSTOP_SOURCE_DIR) / "tests" / "env" / "systemd-user-manager";

std::vector<fs::path> hierarchies() {
    if (fs::exists("/sys/fs/cgroup/cgroup.procs")) return {"/sys/fs/cgroup"};
    return {"/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd"};
}

// Kills what is left in the manager's cgroups and removes them, deepest first.
void remove_cgroups(const std::string& name) {
    for (const auto& h : hierarchies()) {
        fs::path root = h / name;
        std::error_code ec;
        if (!fs::exists(root, ec)) continue;
        std::vector<fs::path> dirs;
        for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec))
            if (it->is_directory(ec)) dirs.push_back(it->path());
        dirs.push_back(root);
        for (int round = 0; round < 50; ++round) {
            bool left = false;
            for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) {
                if (!fs::exists(*d, ec)) continue;
                if (::rmdir(d->c_str()) == 0) continue;
                left = true;
                FILE* procs = ::fopen((*d / "cgroup.procs").c_str(), "r");
                long pid = 0;
                while (procs && ::fscanf(procs, "%ld", &pid) == 1) ::kill(static_cast<pid_t>(pid), SIGKILL);
                if (procs) ::fclose(procs);
            }
            if (!left) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

}  // namespace

SystemdUserManager& SystemdUserManager::shared() {
    static SystemdUserManager manager;
    return manager;
}

SystemdUserManager::SystemdUserManager()
    : dir_("backstop-systemd"), cgroup_("backstop-test-" + std::to_string(::getpid())) {
    if (!fs::exists("/lib/systemd/systemd"))
        throw std::runtime_error("/lib/systemd/systemd not found: install the `systemd` package");
    std::string runtime = dir_.file("runtime");
    env_ = {{"XDG_RUNTIME_DIR", runtime}, {"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + runtime + "/bus"}};

    std::string script = kScript.string();
    std::string dir = dir_.path();
    std::vector<char*> argv = {script.data(), dir.data(), cgroup_.data(), nullptr};
    // Its own process group, so a Ctrl-C aimed at the test does not reach the manager first.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    int rc = ::posix_spawn(&pid_, script.c_str(), nullptr, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("cannot run " + script + ": " + std::strerror(rc));

    for (const auto& [k, v] : env_) ::setenv(k.c_str(), v.c_str(), 1);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (;;) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            remove_cgroups(cgroup_);
            std::string log;
            try {
                log = dir_.read("manager.log");
            } catch (const std::exception&) {
            }
            throw std::runtime_error("systemd --user exited at start (status " + std::to_string(status) + "): " + log);
        }
        ProcessResult r = systemctl({"show", "-p", "SystemState", "--value"});
        if (r.ok() && trim_right(r.out) == "running") break;
        if (std::chrono::steady_clock::now() >= deadline) {
            stop();
            throw std::runtime_error("systemd --user not running after 15s: " + trim_right(r.out) + " " + trim_right(r.err));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

SystemdUserManager::~SystemdUserManager() { stop(); }

void SystemdUserManager::stop() {
    if (pid_ > 0) {
        systemctl({"exit"});
        if (!wait_exit(pid_, std::chrono::seconds(10))) {
            ::kill(pid_, SIGKILL);
            wait_exit(pid_, std::chrono::seconds(5));
        }
        pid_ = -1;
    }
    remove_cgroups(cgroup_);
}

void SystemdUserManager::write_unit(const std::string& name, const std::string& text) {
    dir_.write("config/systemd/user/" + name, text);
    ProcessResult r = systemctl({"daemon-reload"});
    if (!r.ok()) throw std::runtime_error("systemctl --user daemon-reload: " + r.summary());
}

ProcessResult SystemdUserManager::systemctl(const std::vector<std::string>& args) const {
    ProcessRequest req;
    req.argv = {"systemctl", "--user"};
    req.argv.insert(req.argv.end(), args.begin(), args.end());
    req.env_overrides = env_;
    req.env_overrides["SYSTEMD_PAGER"] = "";
    req.timeout = Duration{30'000};
    return make_process_runner()->run(req);
}

std::string SystemdUserManager::show(const std::string& unit, const std::string& property) const {
    return trim_right(systemctl({"show", "-p", property, "--value", unit}).out);
}

std::string SystemdUserManager::state(const std::string& unit) const { return trim_right(systemctl({"is-active", unit}).out); }

}  // namespace backstop::test
