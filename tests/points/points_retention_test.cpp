// Points through the built binary: each point's size on disk, retention by age (`max_age`) beside
// `keep`, and `latest` standing for the newest point wherever a point id is taken.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "core/run_record.h"
#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

void service_with_points(QuickstartService& qs, const std::string& points_table) {
    qs.add_release("v1", true);
    qs.add_release("v2", false);
    qs.point_current_at("v1");
    qs.dir().write("app.conf", "pool_size = 10\n");
    qs.write_policy("[service.web.rollback]\nmax_attempts = 10\n\n[service.web.points]\nconfig = [\"app.conf\"]\n" + points_table);
}

std::string create_point(const QuickstartService& qs, const std::string& description) {
    CliResult made = run_backstop(qs.cli({"points", "create", "web", "--description", description, "--json"}));
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    return made.json()["id"];
}

std::string point_dir(const QuickstartService& qs, const std::string& id) { return qs.state() + "/points/web/" + id; }

// Rewrites the point's point.json as if it had been made `days` ago.
void age_point(const QuickstartService& qs, const std::string& id, int days) {
    const std::string file = point_dir(qs, id) + "/point.json";
    std::ifstream in(file);
    nlohmann::json j = nlohmann::json::parse(in);
    j["created_ms"] = now_epoch_ms() - days * kDayMs;
    std::ofstream(file, std::ios::trunc) << j.dump(2) << "\n";
}

std::vector<std::string> listed_ids(const QuickstartService& qs) {
    CliResult r = run_backstop(qs.cli({"points", "list", "web", "--json"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const nlohmann::json listed = r.json();
    std::vector<std::string> ids;
    for (const auto& p : listed["rollback_points"]) ids.push_back(p["id"]);
    return ids;
}

std::uintmax_t bytes_under(const std::string& dir) {
    std::uintmax_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) total += e.file_size();
    return total;
}

int line_of(const std::string& text, const std::string& needle) {
    std::size_t at = text.find(needle);
    REQUIRE(at != std::string::npos);
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

}  // namespace

TEST_CASE("points list shows each point's size on disk: exact bytes in JSON, readable in text", "[points]") {
    QuickstartService qs;
    service_with_points(qs, "");
    qs.dir().write("app.conf", std::string(3 * 512 * 1024, 'x'));  // 1.5 MiB kept as the point's copy
    std::string id = create_point(qs, "big config");

    CliResult json = run_backstop(qs.cli({"points", "list", "web", "--json"}));
    INFO(json.out << json.err);
    REQUIRE(json.exit_code == 0);
    auto point = json.json()["rollback_points"][0];
    CHECK(point["id"] == id);
    CHECK(point["size_bytes"].get<std::uintmax_t>() == bytes_under(point_dir(qs, id)));
    CHECK(point["size_bytes"].get<std::uintmax_t>() > 3u * 512 * 1024);

    CliResult text = run_backstop(qs.cli({"points", "list", "web"}));
    INFO(text.out);
    CHECK(text.out.find(id) != std::string::npos);
    CHECK(text.out.find("  1.5 MiB  ") != std::string::npos);
}

TEST_CASE("max_age prunes old points beside keep, and --dry-run says what it would prune and deletes nothing", "[points]") {
    QuickstartService qs;
    service_with_points(qs, "keep = 3\nmax_age = \"30d\"\n");
    std::string oldest = create_point(qs, "oldest");
    std::string old = create_point(qs, "old");
    std::string recent = create_point(qs, "recent");
    age_point(qs, oldest, 45);
    age_point(qs, old, 31);
    age_point(qs, recent, 2);

    CliResult dry = run_backstop(qs.cli({"points", "create", "web", "--description", "next", "--dry-run"}));
    INFO(dry.out << dry.err);
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find("would prune " + oldest) != std::string::npos);
    CHECK(dry.out.find("would prune " + old) != std::string::npos);
    CHECK(dry.out.find("older than max_age 30d") != std::string::npos);
    CHECK(dry.out.find("would prune " + recent) == std::string::npos);
    CHECK(listed_ids(qs) == std::vector<std::string>{recent, old, oldest});  // nothing made, nothing removed

    CliResult dry_json = run_backstop(qs.cli({"points", "create", "web", "--description", "next", "--dry-run", "--json"}));
    INFO(dry_json.out << dry_json.err);
    REQUIRE(dry_json.exit_code == 0);
    auto would = dry_json.json()["would_prune"];
    REQUIRE(would.size() == 2);
    CHECK(would[0]["id"] == old);
    CHECK(would[1]["id"] == oldest);
    CHECK(listed_ids(qs).size() == 3);

    CliResult made = run_backstop(qs.cli({"points", "create", "web", "--description", "next", "--json"}));
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    std::string next = made.json()["id"];
    CHECK(made.json()["pruned"] == nlohmann::json::array({old, oldest}));
    CHECK(listed_ids(qs) == std::vector<std::string>{next, recent});
    CHECK_FALSE(fs::exists(point_dir(qs, oldest)));
    CHECK_FALSE(fs::exists(point_dir(qs, old)));
}

TEST_CASE("keep still prunes by count when max_age is set", "[points]") {
    QuickstartService qs;
    service_with_points(qs, "keep = 1\nmax_age = \"30d\"\n");
    std::string first = create_point(qs, "first");
    CliResult made = run_backstop(qs.cli({"points", "create", "web", "--description", "second"}));
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    CHECK(made.out.find("pruned " + first) != std::string::npos);
    CHECK(made.out.find("beyond keep = 1") != std::string::npos);
    CHECK(listed_ids(qs).size() == 1);
}

TEST_CASE("check rejects a max_age that is not a duration at FILE:LINE:COL", "[points]") {
    QuickstartService qs;
    service_with_points(qs, "max_age = \"30 days\"\n");
    CliResult r = run_backstop({"--policies", qs.policy(), "check"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const std::string where = qs.policy() + ":" + std::to_string(line_of(qs.dir().read("backstop.toml"), "max_age")) + ":";
    CHECK((r.out + r.err).find(where) != std::string::npos);
    CHECK((r.out + r.err).find("[bad-duration]") != std::string::npos);
    // The command that would prune refuses too, and nothing is made.
    CHECK(run_backstop(qs.cli({"points", "create", "web", "--description", "x"})).exit_code != 0);
    CHECK_FALSE(fs::exists(qs.state() + "/points/web"));
}

TEST_CASE("rollback --to latest rolls back to the newest point, and latest with no points is an error", "[points]") {
    QuickstartService qs;
    service_with_points(qs, "");
    qs.start();
    create_point(qs, "older");
    qs.dir().write("app.conf", "pool_size = 20\n");
    std::string newest = create_point(qs, "newest");

    // A bad deploy that also changed the config.
    qs.point_current_at("v2");
    qs.start();
    qs.dir().write("app.conf", "pool_size = 0\n");

    CliResult dry = run_backstop(qs.cli({"rollback", "web", "--to", "latest", "--dry-run"}));
    INFO(dry.out << dry.err);
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find("point " + newest + ": newest") != std::string::npos);
    CHECK(qs.current_release() == "v2");

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--to", "latest", "--json"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.json()["to"] == "v1");
    CHECK(qs.current_release() == "v1");
    CHECK(qs.dir().read("app.conf") == "pool_size = 20\n");

    // points delete takes latest too, for the service named.
    CliResult no_service = run_backstop(qs.cli({"points", "delete", "latest"}));
    CHECK(no_service.exit_code == 64);
    CHECK(no_service.err.find("--service") != std::string::npos);
    CliResult deleted = run_backstop(qs.cli({"points", "delete", "latest", "--service", "web", "--json"}));
    INFO(deleted.out << deleted.err);
    CHECK(deleted.exit_code == 0);
    CHECK(deleted.json()["deleted"] == newest);
    CHECK(listed_ids(qs).size() == 1);
    CHECK(run_backstop(qs.cli({"points", "delete", "latest", "--service", "web"})).exit_code == 0);
    CHECK(listed_ids(qs).empty());

    CliResult none = run_backstop(qs.cli({"rollback", "web", "--to", "latest"}));
    INFO(none.out << none.err);
    CHECK(none.exit_code == 1);
    CHECK(none.out.find("service web has no rollback points") != std::string::npos);
    CHECK(qs.current_release() == "v1");
    CliResult none_deleted = run_backstop(qs.cli({"points", "delete", "latest", "--service", "web"}));
    CHECK(none_deleted.exit_code == 1);
    CHECK(none_deleted.err.find("no rollback points") != std::string::npos);
}
