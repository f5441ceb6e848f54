#include "lua/runbook_engine.h"

#include <fstream>
#include <optional>
#include <sstream>

#include "lua/runbook_files.h"
#include "lua/runbook_process.h"
#include "lua/runbook_protocol.h"

namespace backstop {

namespace {

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace

struct RunbookEngine::Impl {
    struct Loaded {
        std::filesystem::path file;
        std::string text;
        std::filesystem::path policy_dir;
    };

    explicit Impl(const SandboxLimits& l) : limits(l) { start(); }

    SandboxLimits limits;
    std::optional<lua::RunbookProcess> process;
    lua::RunbookState state;
    std::optional<Loaded> loaded;  // loaded again when a stopped process is replaced
    std::size_t used = 0;
    std::size_t peak = 0;

    // A new runbook process with the default runbook only.
    void start() {
        process.reset();
        nlohmann::json ready;
        process.emplace(limits, ready);
        state = lua::decode_state(ready.at("state"));
    }

    void note_memory(const nlohmann::json& answer) {
        if (!answer.contains("memory")) return;
        used = answer["memory"].at(0).get<std::size_t>();
        peak = std::max(peak, answer["memory"].at(1).get<std::size_t>());
    }

    // Loads `runbook` into the current process; throws RunbookLoadError.
    void load(const Loaded& runbook) {
        const std::string label = "while loading " + runbook.file.string();
        nlohmann::json answer;
        try {
            answer = process->exchange({{"t", "load"},
                                        {"file", runbook.file.string()},
                                        {"text", runbook.text},
                                        {"policy_dir", runbook.policy_dir.string()}},
                                       nullptr, label);
        } catch (const lua::RunbookProcessStopped& e) {
            process.reset();
            loaded.reset();
            throw RunbookLoadError("lua-load", SourcePosition{runbook.file.string(), 0, 0}, e.what(), e.what());
        }
        note_memory(answer);
        const std::string type = answer.value("t", "");
        if (type == "load_error") throw lua::decode_load_error(answer.at("error"));
        if (type != "loaded") throw RunbookLoadError("lua-load", SourcePosition{runbook.file.string(), 0, 0},
                                                     answer.value("e", std::string("the runbook process failed")),
                                                     answer.value("e", std::string("the runbook process failed")));
        state = lua::decode_state(answer.at("state"));
        loaded = runbook;
    }

    // The process a call runs in: a new one (with the runbook loaded again) after a stop.
    std::optional<std::string> ensure_process() {
        if (process) return std::nullopt;
        try {
            start();
            if (loaded) load(Loaded(*loaded));
        } catch (const Error& e) {
            process.reset();
            return std::string("the runbook could not be started again after its process was stopped: ") + e.what();
        }
        return std::nullopt;
    }

    HookOutcome call(const char* kind, std::string_view name, const nlohmann::json& ctx, RunbookHost* host) {
        std::string label = std::string(kind == std::string_view("levels") ? "in level `" : "in hook `") + std::string(name) + "`";
        if (auto failure = ensure_process()) return HookOutcome{HookOutcome::Status::error, *failure, {}, {}};
        try {
            nlohmann::json answer = process->exchange(
                {{"t", "call"}, {"kind", kind}, {"name", std::string(name)}, {"ctx", ctx}, {"host", host != nullptr}}, host, label);
            note_memory(answer);
            if (answer.value("t", "") != "done")
                return HookOutcome{HookOutcome::Status::error, answer.value("e", std::string("the runbook process failed")) + " " + label, {}, {}};
            return lua::decode_outcome(answer.at("outcome"));
        } catch (const lua::RunbookProcessStopped& e) {
            process.reset();
            return HookOutcome{e.status(), e.what(), {}, {}};
        }
    }
};

RunbookEngine::RunbookEngine(SandboxLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
RunbookEngine::~RunbookEngine() = default;
RunbookEngine::RunbookEngine(RunbookEngine&&) noexcept = default;
RunbookEngine& RunbookEngine::operator=(RunbookEngine&&) noexcept = default;

void RunbookEngine::load(const std::filesystem::path& file, const std::string& text, const std::filesystem::path& policy_dir) {
    if (auto failure = impl_->ensure_process()) throw Error(*failure);
    impl_->load(Impl::Loaded{file, text, policy_dir});
}

void RunbookEngine::load_file(const std::filesystem::path& file, const std::filesystem::path& policy_dir) {
    if (std::string why = lua::runbook_file_problem(file); !why.empty()) throw Error("cannot load runbook " + why);
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error("cannot read runbook " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw Error("cannot read runbook " + file.string());
    load(file, text.str(), policy_dir);
}

const Diagnostics& RunbookEngine::warnings() const { return impl_->state.warnings; }
bool RunbookEngine::has_hook(std::string_view name) const { return impl_->state.hooks.count(std::string(name)) != 0; }
bool RunbookEngine::defines(std::string_view name) const { return impl_->state.user_hooks.count(std::string(name)) != 0; }
std::vector<std::string> RunbookEngine::levels() const { return impl_->state.levels; }
std::size_t RunbookEngine::memory_used() const { return impl_->used; }
std::size_t RunbookEngine::memory_peak() const { return impl_->peak; }

HookOutcome RunbookEngine::call_hook(std::string_view name, const nlohmann::json& ctx, RunbookHost& host) {
    return impl_->call("hooks", name, ctx, &host);
}

HookOutcome RunbookEngine::call_pure_hook(std::string_view name, const nlohmann::json& ctx) {
    return impl_->call("hooks", name, ctx, nullptr);
}

HookOutcome RunbookEngine::call_level(std::string_view level, const nlohmann::json& ctx, RunbookHost& host) {
    HookOutcome out = impl_->call("levels", level, ctx, &host);
    if (out.status == HookOutcome::Status::not_defined) {
        out.status = HookOutcome::Status::error;
        std::string known;
        for (const auto& l : impl_->state.levels) known += (known.empty() ? "" : ", ") + l;
        out.message = "unknown level `" + std::string(level) + "`; " +
                      (known.empty() ? std::string("no levels are defined") : "known levels: " + known);
    }
    return out;
}

Diagnostics check_runbook(const std::filesystem::path& file, const std::string& text, SandboxLimits limits,
                           const std::filesystem::path& policy_dir, std::vector<std::string>* levels) {
    RunbookEngine engine(limits);
    return check_runbook(engine, file, text, policy_dir, levels);
}

Diagnostics check_runbook(RunbookEngine& engine, const std::filesystem::path& file, const std::string& text,
                          const std::filesystem::path& policy_dir, std::vector<std::string>* levels) {
    Diagnostics out;
    try {
        engine.load(file, text, policy_dir);
    } catch (const RunbookLoadError& e) {
        std::string source_line;
        if (e.where().line > 0) {
            if (e.where().file == file.string())
                source_line = line_of(text, e.where().line);
            else if (e.where().file.rfind("stdlib/", 0) != 0 && lua::runbook_file_problem(e.where().file).empty())
                source_line = line_of(read_whole_file(e.where().file), e.where().line);
        }
        out.error(e.code(), e.where(), e.detail(), source_line);
        return out;
    }
    out.append(engine.warnings());
    if (levels) *levels = engine.levels();
    return out;
}

}  // namespace backstop
