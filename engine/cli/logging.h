// Diagnostics logging on stderr: text for people, one JSON object per line for log shippers.
#pragma once

namespace backstop::cli {

enum class LogFormat { text, json };

void setup_logging(LogFormat format, bool verbose);

}  // namespace backstop::cli
