#include "observe/container_source.h"

#include "prim/docker_cli.h"

namespace backstop {

ContainerSource::ContainerSource(SourceSpec spec, ProcessRunner& runner) : spec_(std::move(spec)), runner_(runner) {}

Observation ContainerSource::observe() {
    Observation o = begin_observation(spec_);
    const std::string& name = spec_.container().container;
    DockerCli docker(runner_, spec_.container().host, spec_.timeout);
    ProcessResult r = docker.try_run({"container", "inspect", "--", name});
    if (!r.ok()) {
        if (r.started && !r.timed_out && r.err.find("No such container") != std::string::npos) {
            o.status = ObservationStatus::failed;
            o.state = "missing";
            o.detail = "container " + name + ": no such container";
        } else {
            o.error = "docker container inspect " + name + ": " + r.summary();
        }
        return o;
    }
    nlohmann::json all = nlohmann::json::parse(r.out, nullptr, false);
    const nlohmann::json* c = all.is_array() && !all.empty() && all[0].is_object() ? &all[0] : nullptr;
    if (!c || !c->contains("State") || !(*c)["State"].is_object()) {
        o.error = "docker container inspect " + name + " printed no container state";
        return o;
    }
    const nlohmann::json& state = (*c)["State"];
    o.state = state.value("Status", "");
    bool restarting = state.value("Restarting", false) || o.state == "restarting";
    if (auto it = c->find("RestartCount"); it != c->end() && it->is_number()) o.value = o.restarts = it->get<double>();
    o.status = o.state == "running" && !restarting ? ObservationStatus::ok : ObservationStatus::failed;
    o.detail = "container " + name + ": " + o.state;
    if (!std::isnan(o.restarts)) o.detail += ", " + std::to_string(static_cast<long long>(o.restarts)) + " restarts";
    return o;
}

}  // namespace backstop
