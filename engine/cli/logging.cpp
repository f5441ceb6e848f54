#include "cli/logging.h"
#include "core/json_text.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace backstop::cli {

namespace {

// %* in a pattern: the message as the inside of a JSON string.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        std::string quoted = json_text(nlohmann::json(std::string(msg.payload.data(), msg.payload.size())));
        dest.append(quoted.data() + 1, quoted.data() + quoted.size() - 1);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

}  // namespace

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    unsigned long long device = 0, inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
    struct stat st{};
    // A child whose stderr was redirected inherits the variable, so the stream must still be ours.
    return ::fstat(STDERR_FILENO, &st) == 0 && st.st_dev == device && st.st_ino == inode;
}

void setup_logging(LogFormat format, bool verbose) {
    if (format == LogFormat::journal) {
        // The journal stamps each record itself; the message goes as it is, with its priority.
        auto logger = std::make_shared<spdlog::logger>("backstop", std::make_shared<spdlog::sinks::systemd_sink_st>("backstop"));
        logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
        spdlog::set_default_logger(logger);
        return;
    }
    auto logger = spdlog::stderr_logger_st("backstop");
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    if (format == LogFormat::json) {
        formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","message":"%*"})");
    } else {
        formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v");
    }
    logger->set_formatter(std::move(formatter));
    logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
    spdlog::set_default_logger(logger);
}

}  // namespace backstop::cli
