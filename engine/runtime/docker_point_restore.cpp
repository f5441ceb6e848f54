// Point restore for docker services; the order and the put-back are described in the header.
#include "runtime/docker_point_restore.h"

#include "core/error.h"

namespace backstop {

DockerPointRestore::DockerPointRestore(DockerVersions& versions, const RollbackPoint& point, const PointStore& store,
                                       const DockerCli& docker, StepRecorder& steps)
    : versions_(versions), point_(point), store_(store), docker_(docker), steps_(steps) {}

RollbackPoint DockerPointRestore::with_live_volumes() const {
    RollbackPoint here = point_;
    for (auto& v : here.volumes)
        if (!v.docker_volume.empty()) v.path = docker_.volume_mountpoint(v.docker_volume);
    return here;
}

void DockerPointRestore::plan(const std::string& from, const std::string& to) {
    RollbackPoint here = with_live_volumes();
    steps_.note("stage", versions_.describe_stage(to), StepStatus::planned);
    steps_.note("stop", versions_.describe_stop(from), StepStatus::planned);
    PointFiles(here, store_, steps_).plan();
    steps_.note("start", versions_.describe_start(to), StepStatus::planned,
                "on a failure, " + from + " comes back with the config files and volume content it had");
}

void DockerPointRestore::run(const std::string& from, const std::string& to, const std::string& run_id) {
    RollbackPoint here = with_live_volumes();  // before anything changes
    PointFiles files(here, store_, steps_);
    DockerVersions::Switch s;
    steps_.run("stage", versions_.describe_stage(to), [&] {
        s = versions_.stage(to, run_id);
        return "created " + s.staged;
    });
    try {
        steps_.run("stop", versions_.describe_stop(from), [&] {
            versions_.stop(s);
            return std::string("stopped");
        });
        files.restore();
        steps_.run("start", versions_.describe_start(to), [&] {
            versions_.replace(s);
            return "running on " + to;
        });
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + "; " + put_back(s, files, from));
    }
    versions_.finish(s);
    files.commit();
}

std::string DockerPointRestore::put_back(const DockerVersions::Switch& s, PointFiles& files, const std::string& from) {
    std::string what = "container " + versions_.container() + " on " + from + " with the config files and volume content it had";
    std::string failures;
    auto attempt = [&](const auto& act) {
        try {
            act();
        } catch (const Error& e) {
            failures += (failures.empty() ? "" : "; ") + std::string(e.what());
        }
    };
    std::size_t step = steps_.start("put-back", what);
    // No container runs while the files go back, and the old one starts on them.
    attempt([&] { versions_.discard_new(s); });
    attempt([&] { files.put_back(); });
    attempt([&] { versions_.start_old(s, from); });
    if (failures.empty()) {
        steps_.finish(step, StepStatus::ok, "running again");
        return "put back " + what;
    }
    steps_.finish(step, StepStatus::failed, failures);
    return "putting back " + what + " failed too: " + failures;
}

}  // namespace backstop
