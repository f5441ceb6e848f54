#include "prim/systemd_units.h"

#include "core/error.h"
#include "core/text.h"

namespace backstop {

namespace {


void check_unit(const std::string& unit) {
    if (auto why = systemd_unit_name_problem(unit); !why.empty()) throw Error(why);
}

}  // namespace

std::string systemd_unit_name_problem(std::string_view unit) {
    if (unit.empty()) return "a systemd unit name is empty";
    std::string quoted = "\"" + std::string(unit) + "\"";
    if (unit.front() == '-') return "systemd unit name " + quoted + " starts with '-'";
    if (unit.size() > 255) return "systemd unit name " + quoted + " is longer than 255 characters";
    for (char c : unit) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  std::string_view(":-_.\\@").find(c) != std::string_view::npos;
        if (!ok) return "systemd unit name " + quoted + " may only use letters, digits and \":-_.\\@\"";
    }
    static constexpr std::string_view kTypes[] = {".service", ".socket", ".target", ".timer", ".path",
                                                  ".mount",   ".automount", ".swap", ".slice", ".scope",
                                                  ".device"};
    for (auto type : kTypes)
        if (unit.size() > type.size() && unit.ends_with(type)) return {};
    return "systemd unit name " + quoted + " has no unit type suffix; did you mean \"" + std::string(unit) +
           ".service\"?";
}

SystemdUnits::SystemdUnits(ProcessRunner& runner, SystemdScope scope, Duration timeout)
    : runner_(runner), scope_(scope), timeout_(timeout) {}

std::vector<std::string> SystemdUnits::command(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"systemctl"};
    if (scope_ == SystemdScope::user) argv.emplace_back("--user");
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

ProcessRequest SystemdUnits::request(const std::vector<std::string>& args) const {
    ProcessRequest req;
    req.argv = command(args);
    req.timeout = timeout_;
    // Plain output: no pager, no colours, no translated state words.
    req.env_overrides = {{"SYSTEMD_PAGER", ""}, {"SYSTEMD_COLORS", "0"}, {"LC_ALL", "C"}};
    return req;
}

void SystemdUnits::fail(const std::vector<std::string>& args, const ProcessResult& r) const {
    std::string cmd;
    for (const auto& a : command(args)) cmd += (cmd.empty() ? "" : " ") + a;
    if (r.timed_out) throw TimeoutError("`" + cmd + "` " + r.summary());
    throw Error("`" + cmd + "` failed: " + r.summary(3));
}

std::string SystemdUnits::run(const std::vector<std::string>& args) const {
    ProcessResult r = runner_.run(request(args));
    if (!r.ok()) fail(args, r);
    return r.out;
}

std::string SystemdUnits::is_active(const std::string& unit) const {
    check_unit(unit);
    std::vector<std::string> args = {"is-active", unit};
    ProcessResult r = runner_.run(request(args));
    // is-active exits 3 (or 4 on older versions) for every state but active, and still prints it.
    std::string state = trim_right(r.out);
    bool word = !state.empty() && state.find_first_of(" \n:") == std::string::npos;
    if (r.started && !r.timed_out && r.signal == 0 && word) return state;
    fail(args, r);
}

std::string SystemdUnits::show(const std::string& unit, const std::string& property) const {
    check_unit(unit);
    if (property.empty() || property.find_first_of("=, \n") != std::string::npos || property.front() == '-')
        throw Error("systemd property name \"" + property + "\" is not valid");
    return trim_right(run({"show", "-p", property, "--value", unit}));
}

void SystemdUnits::start(const std::string& unit) const {
    check_unit(unit);
    run({"start", unit});
}
void SystemdUnits::stop(const std::string& unit) const {
    check_unit(unit);
    run({"stop", unit});
}
void SystemdUnits::restart(const std::string& unit) const {
    check_unit(unit);
    run({"restart", unit});
}
void SystemdUnits::reload(const std::string& unit) const {
    check_unit(unit);
    run({"reload", unit});
}

}  // namespace backstop
