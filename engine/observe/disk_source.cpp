#include "observe/disk_source.h"

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include <sys/statvfs.h>

namespace backstop {

struct DiskSource::Call {
    std::mutex mutex;
    std::condition_variable answered;
    bool done = false;
    struct statvfs result {};
    int error = 0;  // errno when statvfs failed
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

DiskSource::DiskSource(SourceSpec spec) : spec_(std::move(spec)) {}

Observation DiskSource::observe() {
    Observation o = begin_observation(spec_);
    const std::string& path = spec_.disk().path;
    if (!pending_) {
        auto call = std::make_shared<Call>();
        std::thread([call, path] {
            struct statvfs st {};
            int rc = ::statvfs(path.c_str(), &st);
            int err = rc == 0 ? 0 : errno;
            std::lock_guard lock(call->mutex);
            call->result = st;
            call->error = err;
            call->done = true;
            call->answered.notify_all();
        }).detach();
        pending_ = std::move(call);
    }
    std::shared_ptr<Call> call = pending_;
    {
        std::unique_lock lock(call->mutex);
        if (!call->answered.wait_for(lock, spec_.timeout, [&] { return call->done; })) {
            o.error = "statvfs(" + path + ") has not answered after " + format_ms(elapsed_ms(call->started)) +
                      " (a hung network filesystem?)";
            return o;
        }
    }
    pending_.reset();
    if (call->error != 0) {
        o.error = "statvfs(" + path + "): " + std::strerror(call->error);
        return o;
    }
    const struct statvfs& st = call->result;
    double unit = static_cast<double>(st.f_frsize ? st.f_frsize : st.f_bsize);
    double used = static_cast<double>(st.f_blocks >= st.f_bfree ? st.f_blocks - st.f_bfree : 0) * unit;
    double available = static_cast<double>(st.f_bavail) * unit;
    if (used + available <= 0) {
        o.error = path + ": the filesystem reports a size of 0 (a pseudo filesystem such as /proc?)";
        return o;
    }
    double percent = round_tenth(used / (used + available) * 100);
    o.status = ObservationStatus::ok;
    o.value = percent;
    char buf[64];
    std::snprintf(buf, sizeof buf, ": %.1f%% used", percent);
    o.detail = path + buf + " (" + format_bytes(used) + " used, " + format_bytes(available) + " available)";
    return o;
}

}  // namespace backstop
