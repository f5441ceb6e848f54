// A log file as a source: ok while no new line matches the pattern, failed once some did; value =
// how many new lines matched since the last observation, matched_line = the last of them. New means
// appended since the previous observation (see LogFollower: the first observation starts at the end
// of the file and reports nothing old; rotation and truncation are followed). A missing or
// unreadable file is `unknown`. Its place in the file survives the process through save_state /
// restore_state: {"path", "started", "file": {"device", "inode", "offset", "partial_hex"}}; a state
// saved for another path is ignored (see LogFollower::resume for what a restored source does).
#pragma once

#include "observe/log_follower.h"
#include "observe/source.h"
#include "core/text_pattern.h"

namespace backstop {

class LogSource : public Source {
public:
    // Throws Error when the pattern does not compile.
    explicit LogSource(SourceSpec spec);
    Observation observe() override;
    nlohmann::json save_state() const override;
    void restore_state(const nlohmann::json& state) override;

private:
    SourceSpec spec_;
    TextPattern pattern_;
    LogFollower follower_;
};

// `line` without surrounding whitespace, cut to at most `max` bytes (at a UTF-8 character boundary).
std::string shorten_line(std::string_view line, std::size_t max = 512);

}  // namespace backstop
