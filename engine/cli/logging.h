// Diagnostics logging: on stderr as text for people or one JSON object per line for log shippers,
// or straight to the systemd journal (with priorities) when stderr is a journal stream.
#pragma once

namespace backstop::cli {

enum class LogFormat { text, json, journal };

// True when systemd connected stderr to the journal: $JOURNAL_STREAM names stderr's device:inode.
bool stderr_is_journal();

void setup_logging(LogFormat format, bool verbose);

}  // namespace backstop::cli
