// systemd units, driven through `systemctl` (with `--user` for the user manager) with a timeout per
// command. The environment is inherited, so XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS reach the
// user manager. Errors name the command, systemctl's exit code and the tail of its stderr.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/duration.h"
#include "prim/process_runner.h"

namespace backstop {

enum class SystemdScope { system, user };

// Empty when `unit` is a name systemctl can be given ("web.service", "app@1.service"); otherwise
// why not. Names never start with '-', so they cannot be read as options.
std::string systemd_unit_name_problem(std::string_view unit);

class SystemdUnits {
public:
    SystemdUnits(ProcessRunner& runner, SystemdScope scope, Duration timeout);

    // `systemctl [--user] ARGS`, the argv as run (for plans and restart steps).
    std::vector<std::string> command(const std::vector<std::string>& args) const;
    // Runs it; returns stdout. Throws Error (TimeoutError at the deadline) when it does not exit 0.
    std::string run(const std::vector<std::string>& args) const;

    // The unit's state word: active, inactive, failed, activating, deactivating, reloading… (a unit
    // that does not exist is "inactive"). Not active is an answer, not an error.
    std::string is_active(const std::string& unit) const;
    // The value of one property (`systemctl show -p PROPERTY --value`), e.g. MainPID, NRestarts.
    std::string show(const std::string& unit, const std::string& property) const;
    void start(const std::string& unit) const;
    void stop(const std::string& unit) const;
    void restart(const std::string& unit) const;
    void reload(const std::string& unit) const;

    SystemdScope scope() const { return scope_; }

private:
    ProcessRequest request(const std::vector<std::string>& args) const;
    [[noreturn]] void fail(const std::vector<std::string>& args, const ProcessResult& r) const;

    ProcessRunner& runner_;
    SystemdScope scope_;
    Duration timeout_;
};

}  // namespace backstop
