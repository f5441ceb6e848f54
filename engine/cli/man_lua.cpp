// backstop-lua(7): the runbook API (what a runbook returns, ctx, every module and function) from
// the table in lua/runbook_api.h, with the sandbox and its limits.
#include <sstream>

#include "cli/man_pages.h"
#include "cli/roff.h"
#include "lua/runbook_api.h"

namespace backstop::cli {

namespace {

using lua::LuaFunctionDoc;
using lua::LuaValueDoc;

std::string signature(std::string_view prefix, const LuaFunctionDoc& f) {
    std::string out = std::string(prefix) + std::string(f.name) + "(";
    int optional = 0;
    for (std::size_t i = 0; i < f.params.size(); ++i) {
        const LuaValueDoc& p = f.params[i];
        if (p.optional) {
            out += i ? " [, " : "[";
            ++optional;
        } else if (i) {
            out += ", ";
        }
        out += std::string(p.name);
    }
    return out + std::string(optional, ']') + ")";
}

void values(std::ostream& out, std::string_view what, const std::vector<LuaValueDoc>& list) {
    for (const LuaValueDoc& v : list)
        out << ".br\n" << what << " \\fI" << roff::text(v.name) << "\\fR (" << roff::text(v.type)
            << (v.optional ? ", optional" : "") << "): " << roff::text(v.doc) << "\n";
}

void function_entry(std::ostream& out, std::string_view prefix, const LuaFunctionDoc& f) {
    out << ".TP\n\\fB" << roff::text(signature(prefix, f)) << "\\fR\n" << roff::text(f.doc) << "\n";
    values(out, "param", f.params);
    values(out, "returns", f.returns);
}

constexpr const char* kLuaDescription =
    "A runbook is a Lua 5.4 file named by a policy's [service.NAME.rollback] \\fBrunbook\\fR. It returns a table "
    "(backstop.Runbook below) with any of pre, levels, verify, post and decide; what it leaves out comes from the "
    "default runbook (require(\"backstop.default\")). Every module below is a global and also "
    "require(\"backstop.NAME\"). Every primitive that changes something honours dry runs: it records the step it "
    "would take and returns as if it had succeeded.\n";

constexpr const char* kSandbox =
    "Only the base, string, table, math, utf8 and coroutine libraries; no io, os, debug, dofile, loadfile, "
    "string.dump or package.loadlib; load accepts text only. require finds stdlib modules and .lua files next to the "
    "runbook, then next to the policy file. Each call of a hook runs in a runbook process of its own under a CPU "
    "budget (2 s per call; decide: 200 ms), a wall clock (the policy's hook_timeout; decide: 2 s) and a memory "
    "ceiling (64 MiB; decide: 16 MiB).\n";

}  // namespace

std::string lua_man_page() {
    std::ostringstream out;
    out << roff::header("backstop-lua", "7", "the backstop runbook API") << ".SH DESCRIPTION\n" << kLuaDescription
        << ".SH TABLES\n";
    for (const auto& c : lua::runbook_classes()) {
        out << ".SS " << roff::text(c.name) << "\n" << roff::text(c.doc) << "\n";
        for (const LuaValueDoc& f : c.fields)
            out << ".TP\n\\fB" << roff::text(f.name) << "\\fR (" << roff::text(f.type) << (f.optional ? ", may be nil" : "")
                << ")\n" << roff::text(f.doc) << "\n";
    }
    out << ".SH MODULES\n";
    for (const auto& m : lua::runbook_modules()) {
        out << ".SS " << roff::text(m.name) << "\n" << roff::text(m.doc) << "\n";
        for (const LuaFunctionDoc& f : m.functions) function_entry(out, m.is_function ? "" : std::string(m.name) + ".", f);
    }
    out << ".SH SANDBOX\n" << kSandbox << ".SH EXAMPLE\n.nf\n"
        << "return {\n  pre = function(ctx)\n    local r = exec({\"redis\\-cli\", \"SAVE\"})\n"
        << "    if not r.ok then error(\"redis SAVE failed: \" .. r.summary) end\n  end,\n"
        << "  verify = function(ctx) return health.wait() end,\n}\n.fi\n"
        << ".SH SEE ALSO\n.BR backstop (1),\n.BR backstop.toml (5)\n";
    return out.str();
}

}  // namespace backstop::cli
