#include "runtime/docker_versions.h"

#include <cctype>
#include <chrono>
#include <thread>

#include "core/error.h"
#include "core/text.h"

namespace backstop {

DockerVersions::DockerVersions(const ServicePolicy& service, ProcessRunner& processes)
    : settings_(service.docker), docker_(processes, service.docker.host, service.docker.timeout) {}

std::string DockerVersions::current() {
    nlohmann::json c = docker_.inspect_container(settings_.container);
    std::string image = c.contains("Config") ? c["Config"].value("Image", std::string()) : std::string();
    std::string id = c.value("Image", std::string());
    // The tag it was started from, unless that tag has moved to another image since: then the id,
    // so a rollback point records what really runs.
    if (image.empty() || id.empty()) return image.empty() ? id : image;
    auto tagged = docker_.image_id(image);
    return tagged && *tagged == id ? image : id;
}

std::optional<std::string> DockerVersions::resolve(const std::string& asked, std::string* why) {
    if (docker_.image_id(asked)) return asked;
    *why = "no image `" + asked + "` in " + where();
    return std::nullopt;
}

std::string DockerVersions::default_target_rule(const std::string& current) const {
    (void)current;
    return "newest other tag of the image's repository";
}

std::optional<std::string> DockerVersions::default_target(const std::string& current, std::string* why) {
    std::string repo = settings_.image.empty() ? image_repository(current) : settings_.image;
    auto current_id = docker_.image_id(current);
    for (const auto& tag : docker_.tags_of(repo)) {
        if (tag.ref == current || (current_id && tag.id == *current_id)) continue;
        return tag.ref;
    }
    *why = "no other tag of " + repo + " than the current " + current + " in " + where();
    return std::nullopt;
}

std::string DockerVersions::version_id(const std::string& version) {
    return docker_.image_id(version).value_or("");
}

std::string DockerVersions::where() const {
    return "container " + settings_.container + " (docker" + (settings_.host.empty() ? "" : " " + settings_.host) + ")";
}

std::string DockerVersions::describe_switch(const std::string& from, const std::string& to) const {
    return "container " + settings_.container + ": " + from + " -> " + to +
           " by creating a new container from " + to + " with the same settings, then replacing the old one";
}

void DockerVersions::create_like(const nlohmann::json& inspect, const std::string& name, const std::string& image) {
    std::vector<std::string> args = {"create", "--name", name};
    auto options = recreate_options(inspect);
    args.insert(args.end(), options.begin(), options.end());
    args.push_back("--");
    args.push_back(image);
    auto command = command_args(inspect);
    args.insert(args.end(), command.begin(), command.end());
    docker_.run(args);
}

// `docker start` succeeds as soon as the container's first process runs; with an init process, or
// a program that dies at once, the container exits right after. Watching it briefly turns that
// into a failed switch (and the old container comes back) instead of a failed verification with
// nothing running.
void DockerVersions::expect_still_running(const std::string& name) {
    constexpr int kChecks = 10;
    for (int i = 0; i < kChecks; ++i) {
        nlohmann::json state = docker_.inspect_container(name).value("State", nlohmann::json::object());
        std::string status = state.value("Status", std::string());
        if (status != "running" || state.value("Restarting", false)) {
            ProcessResult tail = docker_.try_run({"logs", "--tail", "3", "--", name});
            std::string logs = trim_right(tail.err.empty() ? tail.out : tail.err);
            throw Error("container " + name + " did not stay up after its start: " + status + ", exit code " +
                        std::to_string(state.value("ExitCode", 0)) + (logs.empty() ? "" : ": " + logs));
        }
        if (i + 1 < kChecks) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

void DockerVersions::switch_to(const std::string& from, const std::string& to, const std::string& run_id,
                               const std::string&) {
    const std::string& name = settings_.container;
    nlohmann::json old = docker_.inspect_container(name);
    std::string old_image_id = old.value("Image", std::string());
    std::string staged = name + "-backstop-";
    for (char c : run_id) staged += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '-';
    // A failed create leaves the old container running, untouched.
    docker_.try_run({"rm", "-f", "--", staged});
    create_like(old, staged, to);
    try {
        docker_.run({"stop", "--", name});
        docker_.run({"rm", "-f", "--", name});
        docker_.run({"rename", staged, name});
        docker_.run({"start", "--", name});
        expect_still_running(name);
    } catch (const Error& e) {
        // Put the old version back under its name: the service must end on `from` or on `to`.
        docker_.try_run({"rm", "-f", "--", staged});
        docker_.try_run({"rm", "-f", "--", name});
        try {
            create_like(old, name, old_image_id.empty() ? from : old_image_id);
            docker_.run({"start", "--", name});
        } catch (const Error& again) {
            throw Error(std::string(e.what()) + "; restoring " + from + " failed too: " + again.what());
        }
        throw Error(std::string(e.what()) + " (container " + name + " restored on " + from + ")");
    }
}

}  // namespace backstop
