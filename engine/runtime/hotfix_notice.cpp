#include "runtime/hotfix_notice.h"

#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "prim/state_files.h"

namespace backstop {

namespace {
std::filesystem::path notice_file(const std::filesystem::path& state_dir, const std::string& service) {
    return state_dir / "hotfix" / (service + ".json");
}
constexpr std::int64_t kStaleAfterMs = 3'600'000;
}  // namespace

std::optional<HotfixNotice> read_hotfix_notice(const std::filesystem::path& state_dir, const std::string& service,
                                               std::int64_t now_ms) {
    check_state_folder(state_dir, "hotfix");
    auto text = read_state_file(notice_file(state_dir, service), "hotfix notice");
    if (!text) return std::nullopt;
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    HotfixNotice n;
    n.service = service;
    n.declared_ms = j.value("declared_ms", std::int64_t{0});
    n.eta_ms = j.value("eta_ms", std::int64_t{0});
    n.actor = j.value("actor", "");
    n.reason = j.value("reason", "");
    if (n.eta_ms == 0 || now_ms - n.eta_ms > kStaleAfterMs) return std::nullopt;
    return n;
}

void write_hotfix_notice(const std::filesystem::path& state_dir, const HotfixNotice& n) {
    auto file = notice_file(state_dir, n.service);
    prepare_state_folder(state_dir, "hotfix");
    write_state_file(file, json_text(nlohmann::json{{"service", n.service}, {"declared_ms", n.declared_ms},
                                                         {"eta_ms", n.eta_ms}, {"actor", n.actor}, {"reason", n.reason}}) + "\n",
                     "hotfix notice");
}

bool clear_hotfix_notice(const std::filesystem::path& state_dir, const std::string& service) {
    std::error_code ec;
    return std::filesystem::remove(notice_file(state_dir, service), ec);
}

}  // namespace backstop
