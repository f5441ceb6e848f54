#include "prim/docker_cli.h"

#include <algorithm>
#include <sstream>

#include "core/error.h"
#include "core/text.h"

namespace backstop {

DockerCli::DockerCli(ProcessRunner& runner, std::string host, Duration timeout)
    : runner_(runner), host_(std::move(host)), timeout_(timeout) {}

ProcessResult DockerCli::try_run(const std::vector<std::string>& args) const {
    ProcessRequest req;
    req.argv = {"docker"};
    req.argv.insert(req.argv.end(), args.begin(), args.end());
    req.timeout = timeout_;
    req.env_overrides = {{"LC_ALL", "C"}};
    if (!host_.empty()) req.env_overrides["DOCKER_HOST"] = host_;
    return runner_.run(req);
}

std::string DockerCli::run(const std::vector<std::string>& args) const {
    ProcessResult r = try_run(args);
    if (r.ok()) return r.out;
    std::string cmd = "docker";
    for (const auto& a : args) cmd += " " + a;
    throw Error("`" + cmd + "`" + (host_.empty() ? "" : " on " + host_) + " failed: " + r.summary(3));
}

nlohmann::json DockerCli::inspect_container(const std::string& name) const {
    std::string out = run({"container", "inspect", "--", name});
    nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
    if (!j.is_array() || j.empty() || !j[0].is_object())
        throw Error("`docker container inspect " + name + "` printed no container");
    return j[0];
}

std::string DockerCli::volume_mountpoint(const std::string& name) const {
    if (name.empty() || name.front() == '-') throw Error("bad docker volume name `" + name + "`");
    std::string path = trim_right(run({"volume", "inspect", "--format", "{{.Mountpoint}}", "--", name}));
    if (path.empty() || path.front() != '/') throw Error("docker volume " + name + " has no local mount point (driver other than local?)");
    return path;
}

std::optional<std::string> DockerCli::image_id(const std::string& ref) const {
    if (ref.empty() || ref.front() == '-') return std::nullopt;
    ProcessResult r = try_run({"image", "inspect", "--format", "{{.Id}}", "--", ref});
    if (!r.ok()) {
        if (r.started && !r.timed_out && r.signal == 0 && r.exit_code == 1 &&
            r.err.find("No such image") != std::string::npos)
            return std::nullopt;
        run({"image", "inspect", "--format", "{{.Id}}", "--", ref});  // throws with the details
        return std::nullopt;
    }
    std::string id = trim_right(r.out);
    if (id.empty()) return std::nullopt;
    return id;
}

namespace {

// "2026-11-23T16:10:01.12Z" -> "2026-11-23T16:10:01.120000000Z": comparable as text.
std::string sortable_time(const std::string& t) {
    auto dot = t.find('.');
    if (dot == std::string::npos) {
        auto z = t.find_first_of("Z+", 19);
        return z == std::string::npos ? t : t.substr(0, z) + ".000000000" + t.substr(z);
    }
    std::size_t end = dot + 1;
    while (end < t.size() && t[end] >= '0' && t[end] <= '9') ++end;
    std::string frac = t.substr(dot + 1, end - dot - 1);
    frac.resize(9, '0');
    return t.substr(0, dot + 1) + frac + t.substr(end);
}

}  // namespace

std::vector<DockerCli::ImageTag> DockerCli::tags_of(const std::string& repository) const {
    std::string listed = run({"image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "--", repository});
    std::vector<std::string> refs;
    std::istringstream in(listed);
    for (std::string line; std::getline(in, line);) {
        line = trim_right(line);
        if (line.empty() || line.ends_with(":<none>")) continue;
        refs.push_back(line);
    }
    std::vector<ImageTag> out;
    if (refs.empty()) return out;
    std::vector<std::string> args = {"image", "inspect", "--format", "{{.Id}} {{.Created}}", "--"};
    args.insert(args.end(), refs.begin(), refs.end());
    std::istringstream details(run(args));
    for (const auto& ref : refs) {
        std::string line;
        if (!std::getline(details, line)) break;
        auto sp = line.find(' ');
        out.push_back({ref, line.substr(0, sp), sp == std::string::npos ? "" : sortable_time(trim_right(line.substr(sp + 1)))});
    }
    std::stable_sort(out.begin(), out.end(), [](const ImageTag& a, const ImageTag& b) { return a.created > b.created; });
    return out;
}

std::string image_repository(const std::string& ref) {
    std::string r = ref.substr(0, ref.find('@'));
    auto slash = r.rfind('/');
    auto colon = r.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) r.resize(colon);
    return r;
}

namespace {

std::string str(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<std::string> recreate_options(const nlohmann::json& inspect) {
    std::vector<std::string> o;
    const nlohmann::json empty = nlohmann::json::object();
    const auto& config = inspect.contains("Config") && inspect["Config"].is_object() ? inspect["Config"] : empty;
    const auto& host = inspect.contains("HostConfig") && inspect["HostConfig"].is_object() ? inspect["HostConfig"] : empty;
    if (config.contains("Env") && config["Env"].is_array())
        for (const auto& e : config["Env"])
            if (e.is_string()) o.insert(o.end(), {"--env", e.get<std::string>()});
    if (host.contains("Binds") && host["Binds"].is_array())
        for (const auto& b : host["Binds"])
            if (b.is_string()) o.insert(o.end(), {"--volume", b.get<std::string>()});
    if (host.contains("Mounts") && host["Mounts"].is_array())
        for (const auto& m : host["Mounts"]) {
            std::string spec = "type=" + str(m, "Type");
            if (!str(m, "Source").empty()) spec += ",source=" + str(m, "Source");
            spec += ",target=" + str(m, "Target");
            if (m.value("ReadOnly", false)) spec += ",readonly";
            o.insert(o.end(), {"--mount", spec});
        }
    if (std::string net = str(host, "NetworkMode"); !net.empty() && net != "default") o.insert(o.end(), {"--network", net});
    if (host.contains("RestartPolicy") && host["RestartPolicy"].is_object()) {
        std::string name = str(host["RestartPolicy"], "Name");
        int retries = host["RestartPolicy"].value("MaximumRetryCount", 0);
        if (name == "on-failure" && retries > 0) name += ":" + std::to_string(retries);
        if (!name.empty() && name != "no") o.insert(o.end(), {"--restart", name});
    }
    if (host.contains("Init") && host["Init"].is_boolean() && host["Init"].get<bool>()) o.push_back("--init");
    if (std::string user = str(config, "User"); !user.empty()) o.insert(o.end(), {"--user", user});
    if (std::string wd = str(config, "WorkingDir"); !wd.empty()) o.insert(o.end(), {"--workdir", wd});
    if (config.contains("Labels") && config["Labels"].is_object())
        for (const auto& [k, v] : config["Labels"].items())
            if (v.is_string()) o.insert(o.end(), {"--label", k + "=" + v.get<std::string>()});
    if (config.contains("Entrypoint") && config["Entrypoint"].is_array() && !config["Entrypoint"].empty())
        o.insert(o.end(), {"--entrypoint", config["Entrypoint"][0].get<std::string>()});
    return o;
}

std::vector<std::string> command_args(const nlohmann::json& inspect) {
    std::vector<std::string> args;
    if (!inspect.contains("Config") || !inspect["Config"].is_object()) return args;
    const auto& config = inspect["Config"];
    // The entrypoint's own arguments come first: --entrypoint takes only the program.
    if (config.contains("Entrypoint") && config["Entrypoint"].is_array())
        for (std::size_t i = 1; i < config["Entrypoint"].size(); ++i) args.push_back(config["Entrypoint"][i].get<std::string>());
    if (config.contains("Cmd") && config["Cmd"].is_array())
        for (const auto& c : config["Cmd"]) args.push_back(c.get<std::string>());
    return args;
}

}  // namespace backstop
