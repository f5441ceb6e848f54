#include "prim/git_checkout.h"

#include "core/error.h"
#include "core/text.h"

namespace backstop {

GitCheckout::GitCheckout(ProcessRunner& runner, std::filesystem::path dir, Duration timeout)
    : runner_(runner), dir_(std::move(dir)), timeout_(timeout) {}

std::string GitCheckout::run(const std::vector<std::string>& args) const {
    ProcessRequest req;
    req.argv = {"git", "-C", dir_.string()};
    req.argv.insert(req.argv.end(), args.begin(), args.end());
    req.timeout = timeout_;
    // Never stop for a credential or editor prompt at 3 a.m.: fail instead.
    req.env_overrides = {{"GIT_TERMINAL_PROMPT", "0"}, {"GIT_EDITOR", "true"}, {"LC_ALL", "C"}};
    ProcessResult r = runner_.run(req);
    if (r.ok()) return r.out;
    std::string cmd = "git";
    for (const auto& a : args) cmd += " " + a;
    throw Error("`" + cmd + "` in " + dir_.string() + " failed: " + r.summary(3));
}

std::string GitCheckout::resolve(const std::string& rev) const {
    return trim_right(run({"rev-parse", "--verify", "--quiet", rev + "^{commit}"}));
}

std::string GitCheckout::head() const { return resolve("HEAD"); }

std::string GitCheckout::short_id(const std::string& rev) const { return trim_right(run({"rev-parse", "--short", rev})); }

std::string GitCheckout::subject(const std::string& rev) const { return trim_right(run({"log", "-1", "--format=%s", rev})); }

bool GitCheckout::is_clean() const { return trim_right(run({"status", "--porcelain", "--untracked-files=no"})).empty(); }

bool GitCheckout::is_ancestor(const std::string& ancestor, const std::string& of) const {
    try {
        run({"merge-base", "--is-ancestor", ancestor, of});
        return true;
    } catch (const Error&) {
        return false;
    }
}

std::string GitCheckout::fetch_tip(const std::string& remote, const std::string& branch) const {
    run({"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote,
         "+refs/heads/" + branch + ":refs/backstop/fetched"});
    std::string tip = resolve("refs/backstop/fetched");
    run({"update-ref", "-d", "refs/backstop/fetched"});
    return tip;
}

}  // namespace backstop
