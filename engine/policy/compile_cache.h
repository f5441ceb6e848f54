// What one policy load compiles once and shares. A fleet's policies repeat the same conditions (a
// built-in rule's, the same decision rules) and the same log patterns, so each distinct condition is
// compiled once per schema — every condition holding it shares the one immutable Expression — and
// each distinct regular expression is checked once.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "decide/expression.h"

namespace backstop::policy {

class CompileCache {
public:
    struct Compiled {
        std::shared_ptr<const Expression> expression;  // null when the text does not compile
        ExpressionError error;                          // why, when it does not
    };

    // A boolean condition. `schema` is a key by address: it must outlive the cache and not change.
    // Failures are not kept: each occurrence reports its own error at its own position.
    Compiled condition(const std::string& text, const ExpressionSchema& schema);

    // TextPattern::problem(pattern): empty when it is a valid POSIX extended regular expression.
    std::string pattern_problem(const std::string& pattern);

private:
    std::mutex mutex_;  // documents compile on several threads
    // By schema, then text (found by a view: a lookup copies nothing).
    std::map<const ExpressionSchema*, std::map<std::string, std::shared_ptr<const Expression>, std::less<>>> conditions_;
    std::map<std::string, std::string> pattern_problems_;
};

}  // namespace backstop::policy
