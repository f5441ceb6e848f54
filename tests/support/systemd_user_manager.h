// A real `systemd --user` manager for tests: started by tests/env/systemd-user-manager (a private
// mount namespace, a cgroup of its own, every file in a temp folder), reached through systemctl
// --user with this manager's XDG_RUNTIME_DIR, and stopped with `systemctl --user exit`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

#include "prim/process_runner.h"
#include "support/temp_dir.h"

namespace backstop::test {

class SystemdUserManager {
public:
    // The one manager of this test process, started at first use and stopped at exit. Its
    // XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS are also set in this process's environment, so
    // engine code run in-process (systemctl --user) reaches it. Throws when it cannot start.
    static SystemdUserManager& shared();

    SystemdUserManager();
    ~SystemdUserManager();
    SystemdUserManager(const SystemdUserManager&) = delete;
    SystemdUserManager& operator=(const SystemdUserManager&) = delete;

    // For run_backstop: XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS.
    const std::map<std::string, std::string>& env() const { return env_; }

    // The manager's $HOME and $XDG_CONFIG_HOME: what %h and %E (and with systemd 252 %S) mean in
    // its units.
    std::string home() const { return dir_.file("home"); }
    std::string config_home() const { return dir_.file("config"); }

    // Writes $XDG_CONFIG_HOME/systemd/user/NAME and reloads the manager.
    void write_unit(const std::string& name, const std::string& text);
    // `systemctl --user ARGS` against this manager.
    ProcessResult systemctl(const std::vector<std::string>& args) const;
    std::string show(const std::string& unit, const std::string& property) const;  // value, trimmed
    std::string state(const std::string& unit) const;                              // is-active word

private:
    void stop();

    TempDir dir_;
    std::string cgroup_;
    pid_t pid_ = -1;
    std::map<std::string, std::string> env_;
};

}  // namespace backstop::test
