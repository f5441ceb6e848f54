// packaging/backstop.service, as shipped but for the binary's path and port, running the built
// `backstop serve` under the real `systemd --user` manager: Type=notify readiness, a reload that
// keeps the unit "reloading" until serve says READY again, the watchdog killing a serve that stopped
// feeding it, and STOPPING on SIGTERM. A command source (the "gate") holds serve's worker busy until
// the test opens it, which is what makes a reload or a stop wait. With a real systemd-journald run by
// the same manager, serve's log reaches the journal as records with priorities.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "prim/http_client.h"
#include "prim/point_store.h"
#include "support/backstop_cli.h"
#include "support/eventually.h"
#include "support/systemd_user_manager.h"

using namespace backstop;
using namespace backstop::test;
namespace fs = std::filesystem;

namespace {

const char* kPolicy = R"([service.app]
strategy = "releases"
releases = "releases"
current  = "current"
restart  = ["/bin/true"]

[service.app.source.gate]
kind     = "command"
command  = ["/bin/sh", "-c", "touch \"$BACKSTOP_STATE/gate-polled\"; until [ -e \"$BACKSTOP_STATE/gate-open\" ]; do sleep 0.05; done"]
interval = "200ms"
timeout  = "10m"

[[service.app.trigger]]
name   = "gate_failed"
source = "gate"
when   = "failed"
then   = "rollback"
)";

std::string read_file(const fs::path& path) { return read_whole_file(path).value_or(""); }

void write_file(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    write_file_atomically(path, text);
}

struct ServeUnit {
    SystemdUserManager& manager = SystemdUserManager::shared();
    const std::string unit = "backstop.service";
    int port = free_port();
    fs::path config = fs::path(manager.config_home()) / "backstop";  // %E/backstop
    fs::path state = config;  // %S/backstop: systemd 252 gives user managers $XDG_CONFIG_HOME for %S too

    // The shipped unit with the built binary on a free port, and a drop-in for what a test needs:
    // a watchdog short enough to wait for, the fixtures' /tmp (PrivateTmp would hide them), and
    // ExecStopPost recording how each run of serve ended ($SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS).
    // The user manager on these machines cannot make the read-only /proc/sys and /proc/kmsg mounts
    // of ProtectKernelTunables and ProtectKernelLogs (226/NAMESPACE), and with its
    // ProtectControlGroups nothing the service sends reaches the journal (not seen with a system
    // manager, where these options are common).
    ServeUnit() {
        fs::remove_all(config);  // what an earlier test in this process left: gate, stop-post.log
        write_file(config / "backstop.toml", kPolicy);
        write_file(config / "token", "serve-unit-test-token\n");
        fs::permissions(config / "token", fs::perms::owner_read | fs::perms::owner_write);
        std::string text = read_file(fs::path(BACKSTOP_SOURCE_DIR) / "packaging/backstop.service");
        const std::string exec = "ExecStart=/usr/bin/backstop serve";
        auto at = text.find(exec);
        REQUIRE(at != std::string::npos);
        text.replace(at, exec.size(), std::string("ExecStart=") + BACKSTOP_BINARY + " serve --listen 127.0.0.1:" + std::to_string(port));
        manager.write_unit("backstop.service.d/test.conf",
                           "[Service]\nWatchdogSec=5s\nRestartSec=100ms\nLimitCORE=0\nPrivateTmp=no\n"
                           "ProtectKernelTunables=no\nProtectKernelLogs=no\nProtectControlGroups=no\n"
                           "ExecStopPost=/bin/sh -c 'echo \"$SERVICE_RESULT $EXIT_CODE $EXIT_STATUS\" >> %S/backstop/stop-post.log'\n");
        manager.write_unit(unit, text);
    }
    ~ServeUnit() {
        open_gate();
        manager.systemctl({"stop", unit});
        manager.systemctl({"reset-failed", unit});
    }

    std::string show(const std::string& property) const { return manager.show(unit, property); }
    bool in_state(const std::string& active_state) const { return show("ActiveState") == active_state; }
    void open_gate() const { write_file(state / "gate-open", ""); }
    bool gate_polled() const { return fs::exists(state / "gate-polled"); }
    std::string stop_post_log() const { return read_file(state / "stop-post.log"); }
    pid_t main_pid() const { return static_cast<pid_t>(std::stol(show("MainPID"))); }

    void start() {
        ProcessResult r = manager.systemctl({"start", unit});
        INFO(r.summary() << manager.systemctl({"status", unit}).out);
        REQUIRE(r.ok());
    }

    HttpResponse get(const std::string& path) const {
        HttpRequest req;
        req.url = "http://127.0.0.1:" + std::to_string(port) + path;
        req.timeout = Duration{5000};
        return make_http_client()->send(req);
    }
};

// systemd-journald as a unit of the test's manager: units started after it get their stdout and
// stderr connected to it ($JOURNAL_STREAM). Its files stay in its own /run/log, read through
// /proc/PID/root, and never reach the host's /run/log or /var/log/journal.
struct Journald {
    SystemdUserManager& manager = SystemdUserManager::shared();
    const std::string unit = "test-journald.service";

    Journald() {
        manager.write_unit(unit, "[Service]\nType=notify\nExecStart=/lib/systemd/systemd-journald\n"
                                 "TemporaryFileSystem=/run/log /var/log/journal\n");
        ProcessResult r = manager.systemctl({"start", unit});
        INFO(r.summary());
        REQUIRE(r.ok());
    }
    ~Journald() { manager.systemctl({"stop", unit}); }

    // journalctl ARGS on the journal's files: `-o json` gives one record per line.
    ProcessResult journalctl(const std::string& args) const {
        std::string dir = "/proc/" + manager.show(unit, "MainPID") + "/root/run/log/journal";
        ProcessRequest req;
        req.argv = {"sh", "-c", "journalctl -D \"$1\"/* --no-pager " + args, "sh", dir};
        req.timeout = Duration{30'000};
        return make_process_runner()->run(req);
    }

    // The records `identifier` logged, oldest first.
    std::vector<nlohmann::json> records(const std::string& identifier) const {
        ProcessResult r = journalctl("-o json SYSLOG_IDENTIFIER=" + identifier);
        std::vector<nlohmann::json> out;
        std::istringstream lines(r.out);
        for (std::string line; std::getline(lines, line);)
            if (!line.empty()) out.push_back(nlohmann::json::parse(line));
        return out;
    }
};

// The first record whose MESSAGE contains `text`; null when none does.
nlohmann::json record_with(const std::vector<nlohmann::json>& records, const std::string& text) {
    for (const auto& r : records)
        if (r.value("MESSAGE", "").find(text) != std::string::npos) return r;
    return nullptr;
}

}  // namespace

TEST_CASE("the unit is active only once serve says READY and listens, and a stop ends it cleanly", "[systemd][serve]") {
    ServeUnit s;
    s.open_gate();
    s.start();  // Type=notify: systemctl start returns once READY=1 came, or fails
    CHECK(s.in_state("active"));
    CHECK(s.show("SubState") == "running");
    // Ready means listening: the first request after start is answered.
    CHECK(s.get("/healthz").status == 200);
    CHECK(s.show("StatusText").find("serving 1 service(s), 1 watched, on http://127.0.0.1:" + std::to_string(s.port)) == 0);

    REQUIRE(s.manager.systemctl({"stop", s.unit}).ok());
    CHECK(s.in_state("inactive"));
    CHECK(s.show("Result") == "success");
    CHECK(s.stop_post_log() == "success exited 0\n");
}

TEST_CASE("systemctl reload keeps the unit reloading until serve has reloaded, then active again", "[systemd][serve]") {
    ServeUnit s;
    s.start();
    REQUIRE(eventually([&] { return s.gate_polled(); }));
    const std::string pid = s.show("MainPID");

    // The reload waits for the worker's job at hand (the gate); the unit says so meanwhile.
    REQUIRE(s.manager.systemctl({"reload", "--no-block", s.unit}).ok());
    REQUIRE(eventually([&] { return s.in_state("reloading"); }));
    CHECK(eventually([&] { return s.show("StatusText").find("reloading: waiting for app") == 0; }));
    CHECK(s.in_state("reloading"));

    s.open_gate();
    REQUIRE(eventually([&] { return s.in_state("active"); }));
    CHECK(s.show("StatusText").find("reloaded; serving 1 service(s)") == 0);
    CHECK(s.show("MainPID") == pid);
    CHECK(s.get("/metrics").body.find("backstop_reloads_total{result=\"ok\"} 1\n") != std::string::npos);
}

TEST_CASE("a serve that stops feeding the watchdog is killed with SIGABRT and started again", "[systemd][serve]") {
    ServeUnit s;
    s.open_gate();
    s.start();
    const pid_t stuck = s.main_pid();
    REQUIRE(stuck > 0);
    REQUIRE(s.show("WatchdogUSec") == "5s");

    // A stopped process is a hung main loop, without any help from inside serve.
    REQUIRE(::kill(stuck, SIGSTOP) == 0);
    REQUIRE(eventually([&] { return s.show("NRestarts") == "1" && s.in_state("active"); }, std::chrono::seconds(60)));
    CHECK(s.main_pid() != stuck);
    CHECK(s.main_pid() > 0);
    std::string ended = s.stop_post_log();
    INFO(ended);
    CHECK((ended == "watchdog dumped ABRT\n" || ended == "watchdog killed ABRT\n"));
    CHECK(s.get("/healthz").status == 200);
}

TEST_CASE("on SIGTERM serve tells systemd it is stopping while it finishes its job, then exits 0", "[systemd][serve]") {
    ServeUnit s;
    s.start();
    REQUIRE(eventually([&] { return s.gate_polled(); }));
    const pid_t pid = s.main_pid();

    // Not through systemctl: only STOPPING=1 tells systemd that serve is on its way out.
    REQUIRE(::kill(pid, SIGTERM) == 0);
    REQUIRE(eventually([&] { return s.in_state("deactivating"); }));
    CHECK(s.show("StatusText").find("stopping: waiting up to") == 0);
    CHECK(::kill(pid, 0) == 0);  // still finishing the job at hand

    s.open_gate();
    REQUIRE(eventually([&] { return s.in_state("inactive"); }));
    CHECK(s.show("Result") == "success");
    CHECK(s.show("NRestarts") == "0");
    CHECK(s.stop_post_log() == "success exited 0\n");
}

TEST_CASE("under systemd serve logs to the journal: records with priorities, no timestamps of its own", "[systemd][serve]") {
    Journald journal;
    ServeUnit s;
    s.open_gate();
    s.start();
    write_file(s.config / "backstop.toml", std::string(kPolicy) + "\n[service.app.nonsense]\n");
    REQUIRE(s.manager.systemctl({"reload", s.unit}).ok());
    REQUIRE(eventually([&] { return s.show("StatusText").find("reload refused") == 0; }));

    std::vector<nlohmann::json> records;
    if (!eventually([&] {
            records = journal.records("backstop");
            return !record_with(records, "reload refused").is_null();
        }))
        {
        ProcessResult all = journal.journalctl("-o short-monotonic _TRANSPORT=stdout + _TRANSPORT=journal");  // not the kernel's
        FAIL(all.out + all.err);
    }
    nlohmann::json listening = record_with(records, "backstop serve listening on http://127.0.0.1:" + std::to_string(s.port));
    nlohmann::json refused = record_with(records, "reload refused");
    INFO(nlohmann::json(records).dump(2));
    REQUIRE(!listening.is_null());
    CHECK(listening["PRIORITY"] == "6");  // info
    CHECK(refused["PRIORITY"] == "3");    // error
    CHECK(listening["MESSAGE"].get<std::string>().rfind("backstop serve listening", 0) == 0);
    CHECK(listening["_PID"] == s.show("MainPID"));
}
