// "${env:NAME}" references in policy strings (webhook URLs, SMTP passwords): their syntax, checked
// when policies load, and their expansion, done only at the moment a value is used, together with
// the scrubbing that keeps the expanded secrets out of every message built from them.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backstop {

// How a name is looked up; the process environment in production, a map in tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// ::getenv; an empty value counts as unset.
EnvLookup process_env();

// Why `text` is not a valid template ("unterminated ${env:…} reference"), or nullopt when it is.
// Text outside references is literal; `$` alone is fine, `${` always starts a reference.
std::optional<std::string> env_template_error(std::string_view text);

// The variable names `text` refers to, in order, without duplicates.
std::vector<std::string> env_names(std::string_view text);

// A secret a template expanded to, and the reference that stands in for it in messages.
struct EnvSecret {
    std::string name;   // HOOK_URL
    std::string value;  // what the environment holds
};

struct ExpandedTemplate {
    std::string text;                 // the template with every reference replaced
    std::vector<EnvSecret> secrets;   // the values used, for scrub()
    std::string error;                // "environment variable HOOK_URL is not set"; names, never values
    bool ok() const { return error.empty(); }
};

ExpandedTemplate expand_env(std::string_view text, const EnvLookup& getenv);

// `text` with every occurrence of every secret value replaced by its "${env:NAME}" reference, and
// of every piece of it a receiver may echo on its own: a URL's userinfo, password, path, path
// segments, query and query values (each at least 6 characters, also percent-decoded).
std::string scrub(std::string text, const std::vector<EnvSecret>& secrets);

}  // namespace backstop
