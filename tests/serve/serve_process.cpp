#include "serve_process.h"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace backstop::test {

ServeProcess::ServeProcess(const std::vector<std::string>& args, int port, const std::map<std::string, std::string>& env) : port_(port) {
    std::vector<std::string> argv_text = {BACKSTOP_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::map<std::string, std::string> merged;
    for (char** e = environ; *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) merged[k] = v;
    std::vector<std::string> env_text;
    for (const auto& [k, v] : merged) env_text.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);

    std::string log_file = dir_.file("serve.log");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        return;
    }
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < end) {
        if (get("/healthz").status == 200) {
            ready_ = true;
            return;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // it gave up (bad options, port taken)
            reaped_ = true;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

ServeProcess::~ServeProcess() {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

std::string ServeProcess::log() const {
    try {
        return dir_.read("serve.log");
    } catch (const std::exception&) {
        return "";
    }
}

bool ServeProcess::wait_for_log(const std::string& text, std::chrono::milliseconds limit) const {
    auto end = std::chrono::steady_clock::now() + limit;
    while (log().find(text) == std::string::npos) {
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

HttpResponse ServeProcess::get(const std::string& path) const {
    HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    req.timeout = Duration{5000};
    return make_http_client()->send(req);
}

HttpResponse ServeProcess::post(const std::string& path, const std::string& body, const std::string& token) const {
    HttpRequest req;
    req.method = "POST";
    req.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    req.body = body;
    req.headers["Content-Type"] = "application/json";
    if (!token.empty()) req.headers["Authorization"] = "Bearer " + token;
    req.timeout = Duration{5000};
    return make_http_client()->send(req);
}

void ServeProcess::signal(int signo) const {
    if (pid_ > 0 && !reaped_) ::kill(pid_, signo);
}

std::optional<int> ServeProcess::wait_exit(std::chrono::milliseconds limit) {
    if (pid_ <= 0 || reaped_) return std::nullopt;
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped_ = true;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        if (std::chrono::steady_clock::now() >= end) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::vector<std::string> serve_args(const QuickstartService& qs, int port, std::vector<std::string> more) {
    std::vector<std::string> args = qs.cli({"serve", "--listen", "127.0.0.1:" + std::to_string(port)});
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

double metric_value(const std::string& metrics, const std::string& series) {
    std::istringstream in(metrics);
    for (std::string line; std::getline(in, line);)
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
            return std::stod(line.substr(series.size() + 1));
    return -1;
}

}  // namespace backstop::test
