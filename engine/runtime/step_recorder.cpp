#include "runtime/step_recorder.h"

#include "core/error.h"

namespace backstop {

std::size_t StepRecorder::start(std::string name, std::string detail) {
    record_.steps.push_back({std::move(name), std::move(detail), StepStatus::ok, 0, {}});
    started_.resize(record_.steps.size());
    started_.back() = std::chrono::steady_clock::now();
    observer_.step_started(record_.steps.back());
    return record_.steps.size() - 1;
}

void StepRecorder::finish(std::size_t index, StepStatus status, std::string message) {
    auto& step = record_.steps.at(index);
    step.status = status;
    step.message = std::move(message);
    step.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_.at(index)).count();
    observer_.step_finished(step);
}

void StepRecorder::run(std::string name, std::string detail, const std::function<std::string()>& act) {
    std::size_t i = start(std::move(name), std::move(detail));
    std::string message;
    try {
        message = act();
    } catch (const Error& e) {
        finish(i, StepStatus::failed, e.what());
        throw;
    }
    finish(i, StepStatus::ok, std::move(message));
}

void StepRecorder::note(std::string name, std::string detail, StepStatus status, std::string message) {
    std::size_t i = start(std::move(name), std::move(detail));
    finish(i, status, std::move(message));
}

void StepRecorder::log(std::string level, std::string message) {
    if (log_truncated_) return;
    if (message.size() > kMaxLogLineBytes) {
        std::size_t cut = message.size() - kMaxLogLineBytes;
        message.resize(kMaxLogLineBytes);
        message += " [... " + std::to_string(cut) + " more bytes cut]";
    }
    if (log_bytes_ + message.size() > kMaxRunLogBytes) {
        log_truncated_ = true;
        level = "warn";
        message = "[log truncated: this run's log reached " + std::to_string(kMaxRunLogBytes >> 20) +
                  " MiB; later lines are not recorded]";
    }
    log_bytes_ += message.size();
    record_.log.push_back({std::move(level), std::move(message)});
    observer_.logged(record_.log.back());
}

}  // namespace backstop
