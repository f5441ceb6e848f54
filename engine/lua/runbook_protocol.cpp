#include "lua/runbook_protocol.h"

namespace backstop::lua {

using nlohmann::json;

namespace {

json encode_position(const SourcePosition& p) { return {{"file", p.file}, {"line", p.line}, {"column", p.column}}; }

SourcePosition decode_position(const json& j) {
    return SourcePosition{j.at("file").get<std::string>(), j.at("line").get<int>(), j.at("column").get<int>()};
}

json encode_diagnostics(const Diagnostics& diagnostics) {
    json out = json::array();
    for (const auto& d : diagnostics.items())
        out.push_back({{"error", d.severity == Severity::error},
                       {"code", d.code},
                       {"where", encode_position(d.where)},
                       {"message", d.message},
                       {"line", d.source_line}});
    return out;
}

Diagnostics decode_diagnostics(const json& j) {
    Diagnostics out;
    for (const auto& d : j)
        out.add(Diagnostic{d.at("error").get<bool>() ? Severity::error : Severity::warning, d.at("code").get<std::string>(),
                           decode_position(d.at("where")), d.at("message").get<std::string>(),
                           d.at("line").get<std::string>()});
    return out;
}

}  // namespace

json encode(const RunbookState& state) {
    return {{"hooks", state.hooks}, {"user_hooks", state.user_hooks}, {"levels", state.levels}, {"warnings", encode_diagnostics(state.warnings)}};
}

RunbookState decode_state(const json& j) {
    return RunbookState{j.at("hooks").get<std::set<std::string>>(), j.at("user_hooks").get<std::set<std::string>>(),
                        j.at("levels").get<std::vector<std::string>>(), decode_diagnostics(j.at("warnings"))};
}

json encode(const HookOutcome& outcome) {
    return {{"status", static_cast<int>(outcome.status)},
            {"message", outcome.message},
            {"traceback", outcome.traceback},
            {"returns", outcome.returns}};
}

HookOutcome decode_outcome(const json& j) {
    HookOutcome out;
    int status = j.at("status").get<int>();
    if (status < 0 || status > static_cast<int>(HookOutcome::Status::out_of_memory)) status = static_cast<int>(HookOutcome::Status::error);
    out.status = static_cast<HookOutcome::Status>(status);
    out.message = j.at("message").get<std::string>();
    out.traceback = j.at("traceback").get<std::string>();
    out.returns = j.at("returns").get<std::vector<json>>();
    return out;
}

json encode(const RunbookLoadError& error) {
    return {{"code", error.code()},     {"where", encode_position(error.where())}, {"detail", error.detail()},
            {"what", error.what()},     {"traceback", error.traceback()}};
}

RunbookLoadError decode_load_error(const json& j) {
    return RunbookLoadError(j.at("code").get<std::string>(), decode_position(j.at("where")), j.at("detail").get<std::string>(),
                            j.at("what").get<std::string>(), j.at("traceback").get<std::string>());
}

}  // namespace backstop::lua
