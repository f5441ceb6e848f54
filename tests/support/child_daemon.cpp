#include "support/child_daemon.h"

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <spawn.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#include "core/text.h"
#include "prim/http_client.h"
#include "support/wait_exit.h"

extern char** environ;

namespace backstop::test {

ChildDaemon::ChildDaemon(std::vector<std::string> argv, std::string log, const std::string& ready_url,
                         std::chrono::seconds limit)
    : name_(std::filesystem::path(argv.at(0)).filename()), log_(std::move(log)) {
    if (::access(argv[0].c_str(), X_OK) != 0)
        throw std::runtime_error(argv[0] + " is missing: install it with .ci/install-deps");
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&files, 1, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&files, 1, 2);
    int rc = ::posix_spawn(&pid_, argv[0].c_str(), &files, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start " + argv[0]);
    }

    auto http = make_http_client();
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        HttpResponse r = http->send({"GET", ready_url, {}, "", Duration{1000}});
        if (r.status == 200) return;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error(failure("exited before it was ready"));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            stop();
            throw std::runtime_error(failure("was not ready within " + std::to_string(limit.count()) + "s"));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

ChildDaemon::~ChildDaemon() { stop(); }

void ChildDaemon::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    if (!wait_exit(pid_, std::chrono::seconds(15))) {
        ::kill(pid_, SIGKILL);
        wait_exit(pid_, std::chrono::seconds(15));
    }
    pid_ = -1;
}

std::string ChildDaemon::failure(const std::string& what) const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return name_ + " " + what + ": " + tail_lines(text.str(), 5);
}

}  // namespace backstop::test
