#include "support/quickstart_service.h"

#include <chrono>
#include <filesystem>
#include <thread>
#include <unistd.h>

#include "support/backstop_cli.h"
#include "prim/http_client.h"
#include "prim/process_runner.h"

namespace backstop::test {

namespace fs = std::filesystem;

namespace {
const fs::path kExample = fs::path(BACKSTOP_SOURCE_DIR) / "examples" / "quickstart";
}

QuickstartService::QuickstartService() : dir_("backstop-qs"), port_(free_port()) {
    for (const char* f : {"app.py", "ctl"}) fs::copy_file(kExample / f, dir_.file(f));
    dir_.write("port", std::to_string(port_) + "\n");
    dir_.mkdir("releases");
}

QuickstartService::~QuickstartService() { stop(); }

void QuickstartService::add_release(const std::string& name, bool healthy) {
    dir_.write("releases/" + name + "/release.json",
               healthy ? "{\"healthy\": true}\n" : "{\"healthy\": false, \"bug\": \"broken on purpose\"}\n");
}

void QuickstartService::point_current_at(const std::string& name) {
    fs::path link = dir_.file("current");
    std::error_code ec;
    fs::remove(link, ec);
    fs::create_directory_symlink(dir_.file("releases/" + name), link);
}

void QuickstartService::start() {
    ProcessRequest req;
    req.argv = {dir_.file("ctl"), "restart"};
    req.timeout = Duration{10'000};
    make_process_runner()->run(req);
    for (int i = 0; i < 100 && health().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

void QuickstartService::stop() {
    ProcessRequest req;
    req.argv = {dir_.file("ctl"), "stop"};
    req.timeout = Duration{10'000};
    make_process_runner()->run(req);
}

void QuickstartService::write_policy(const std::string& rollback_table, int health_attempts) {
    std::string toml = "[service.web]\n"
                       "strategy = \"releases\"\n"
                       "releases = \"releases\"\n"
                       "current  = \"current\"\n"
                       "restart  = [\"./ctl\", \"restart\"]\n"
                       "\n[service.web.health]\n"
                       "url      = \"http://127.0.0.1:" + std::to_string(port_) + "/health\"\n"
                       "timeout  = \"1s\"\n"
                       "interval = \"100ms\"\n"
                       "attempts = " + std::to_string(health_attempts) + "\n\n" + rollback_table;
    dir_.write("backstop.toml", toml);
}

std::string QuickstartService::write_runbook(const std::string& name, const std::string& lua) {
    return dir_.write(name, lua);
}

void QuickstartService::simulate_bad_deploy() {
    add_release("v1", true);
    add_release("v2", false);
    write_policy();
    point_current_at("v2");
    start();
}

std::vector<std::string> QuickstartService::cli(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--policies", policy(), "--state", state()});
    return args;
}

std::string QuickstartService::current_target() const {
    std::error_code ec;
    return fs::read_symlink(dir_.file("current"), ec).string();
}

std::string QuickstartService::current_release() const { return fs::path(current_target()).filename().string(); }

std::string QuickstartService::health() const {
    HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(port_) + "/health";
    req.timeout = Duration{1000};
    HttpResponse r = make_http_client()->send(req);
    if (!r.transport_ok()) return "";
    return std::to_string(r.status) + " " + r.body;
}

}  // namespace backstop::test
