#include "observe/prometheus_server.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <vector>

#include "core/text.h"
#include "prim/http_client.h"
#include "support/backstop_cli.h"
#include "support/wait_exit.h"

extern char** environ;

namespace backstop::test {

namespace {

constexpr const char* binary = "/usr/bin/prometheus";

}  // namespace

PrometheusServer::PrometheusServer() {
    if (::access(binary, X_OK) != 0)
        throw std::runtime_error(std::string(binary) + " is missing: install Debian's `prometheus` package (.ci/install-deps)");
    port_ = free_port();
    std::string address = "127.0.0.1:" + std::to_string(port_);
    std::string config = dir_.write("prometheus.yml",
                                    "global:\n"
                                    "  scrape_interval: 1s\n"
                                    "  evaluation_interval: 1s\n"
                                    "scrape_configs:\n"
                                    "  - job_name: prometheus\n"
                                    "    static_configs:\n"
                                    "      - targets: ['" + address + "']\n");
    std::string log = dir_.file("prometheus.log");
    std::vector<std::string> args = {binary, "--config.file=" + config, "--storage.tsdb.path=" + dir_.mkdir("data"),
                                     "--web.listen-address=" + address, "--log.level=warn"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = ::posix_spawn(&pid_, binary, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start prometheus");

    auto http = make_curl_http_client();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
        HttpResponse r = http->send({"GET", url() + "/-/ready", {}, "", Duration{1000}});
        if (r.status == 200) return;
        int status = 0;
        bool exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
        if (exited || std::chrono::steady_clock::now() > deadline) {
            if (exited) pid_ = -1;
            std::string tail = dir_.exists("prometheus.log") ? tail_lines(dir_.read("prometheus.log"), 5) : "";
            stop();
            throw std::runtime_error(std::string("prometheus ") + (exited ? "exited" : "not ready within 60s") + ": " + tail);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

PrometheusServer::~PrometheusServer() { stop(); }

void PrometheusServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    if (!wait_exit(pid_, std::chrono::seconds(15))) {
        ::kill(pid_, SIGKILL);
        wait_exit(pid_, std::chrono::seconds(15));
    }
    pid_ = -1;
}

}  // namespace backstop::test
