#include "serve/worker_effects.h"

#include <unistd.h>

#include "prim/history_file.h"
#include "prim/lock_files.h"

namespace backstop {

WorkerEffects::WorkerEffects(const WorkerSettings& settings)
    : host_(settings.host),
      processes_(make_process_runner()),
      history_(make_history_file(settings.history_file)),
      locks_(make_lock_files(settings.lock_dir)),
      points_(settings.points_dir, *processes_),
      spool_(settings.dry_run ? std::filesystem::path() : settings.state_dir) {}

RunDependencies WorkerEffects::dependencies() {
    RunDependencies deps{*processes_, http_, *history_, *locks_, host_, static_cast<long>(::getpid())};
    deps.points = &points_;
    return deps;
}

}  // namespace backstop
