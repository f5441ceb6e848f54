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

std::string DockerVersions::describe_stage(const std::string& to) const {
    return "a container from " + to + " with the settings of " + settings_.container + " (created, not started)";
}

std::string DockerVersions::describe_stop(const std::string& from) const {
    return "container " + settings_.container + " (" + from + ")";
}

std::string DockerVersions::describe_start(const std::string& to) const {
    return "container " + settings_.container + " on " + to + ": the new container takes the name and starts; it must stay up";
}

std::string DockerVersions::name_of(const std::string& id) {
    if (id.empty()) return {};
    std::vector<std::string> args = {"container", "inspect", "--format", "{{.Name}}", "--", id};
    ProcessResult r = docker_.try_run(args);
    if (!r.ok()) {
        if (r.started && !r.timed_out && r.exit_code == 1 && r.err.find("No such") != std::string::npos) return {};
        docker_.run(args);  // throws with the details
    }
    std::string name = trim_right(r.out);
    return name.starts_with('/') ? name.substr(1) : name;
}

DockerVersions::Switch DockerVersions::stage(const std::string& to, const std::string& run_id) {
    const std::string& name = settings_.container;
    Switch s;
    s.old = docker_.inspect_container(name);
    s.to = to;
    s.staged = name + "-backstop-";
    for (char c : run_id) s.staged += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '-';
    s.retired = s.staged + "-old";
    docker_.try_run({"rm", "-f", "--", s.staged});
    create_like(s.old, s.staged, to);
    return s;
}

void DockerVersions::stop(const Switch&) { docker_.run({"stop", "--", settings_.container}); }

void DockerVersions::replace(const Switch& s) {
    docker_.run({"rename", s.old.value("Id", settings_.container), s.retired});
    docker_.run({"rename", s.staged, settings_.container});
    docker_.run({"start", "--", settings_.container});
    expect_still_running(settings_.container);
}

void DockerVersions::finish(const Switch& s) { docker_.try_run({"rm", "-f", "--", s.old.value("Id", s.retired)}); }

void DockerVersions::discard_new(const Switch& s) {
    const std::string& name = settings_.container;
    std::string old_id = s.old.value("Id", std::string());
    docker_.try_run({"rm", "-f", "--", s.staged});
    std::string old_name = name_of(old_id);
    if (old_name == name) return;
    // The name holds the new container (or nothing): it goes, and the old one takes its name back
    // (a rename that fails because the new one is still there says so).
    docker_.try_run({"rm", "-f", "--", name});
    if (!old_name.empty()) docker_.run({"rename", old_id, name});
}

void DockerVersions::start_old(const Switch& s, const std::string& from) {
    const std::string& name = settings_.container;
    if (name_of(s.old.value("Id", std::string())).empty()) {
        // The old container is gone: a copy from its image, under the tag `from` while that still
        // names the same image.
        std::string image_id = s.old.value("Image", std::string());
        auto from_id = docker_.image_id(from);
        create_like(s.old, name, image_id.empty() || (from_id && *from_id == image_id) ? from : image_id);
    }
    docker_.run({"start", "--", name});
    expect_still_running(name);
}

void DockerVersions::switch_to(const std::string& from, const std::string& to, const std::string& run_id,
                               const std::string&) {
    Switch s = stage(to, run_id);  // a failed create leaves the old container running, untouched
    try {
        stop(s);
        replace(s);
    } catch (const Error& e) {
        // Put the old version back under its name: the service must end on `from` or on `to`.
        try {
            discard_new(s);
            start_old(s, from);
        } catch (const Error& again) {
            throw Error(std::string(e.what()) + "; restoring " + from + " failed too: " + again.what());
        }
        throw Error(std::string(e.what()) + " (container " + settings_.container + " restored on " + from + ")");
    }
    finish(s);
}

}  // namespace backstop
