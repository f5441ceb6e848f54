#include "policy/watch_compiler.h"

#include <array>
#include <set>

#include "core/did_you_mean.h"
#include "decide/trigger_schema.h"
#include "policy/policy_keys.h"
#include "policy/rule_library.h"

namespace backstop::policy {

namespace {

// `text` as a POSIX extended expression matching exactly it.
std::string literal_pattern(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

void require(FieldReader& f, std::string_view key) {
    if (!f.table().find(key)) f.missing(key);
}

std::optional<SourceSpec> compile_source(const RawMember& member, const std::string& label, const PolicySource& source,
                                         Report& report, CompileCache& cache) {
    FieldReader f(member.value, label + ".source." + member.key, report);
    SourceSpec spec;
    spec.name = member.key;
    auto kind_text = f.string("kind");
    if (!kind_text) {
        require(f, "kind");
        return std::nullopt;
    }
    auto kind = parse_source_kind(*kind_text);
    if (!kind) {
        std::string message = "unknown source kind \"" + *kind_text + "\"; accepted:";
        for (auto k : source_kind_names()) message += " " + std::string(k);
        if (auto guess = did_you_mean(*kind_text, source_kind_names())) message += "; did you mean \"" + *guess + "\"?";
        f.bad_value("kind", message);
        return std::nullopt;
    }
    spec.kind = *kind;
    f.reject_unknown(key_names(Section::source, to_string(spec.kind)));
    if (auto d = f.duration("interval")) spec.interval = *d;
    if (auto d = f.duration("timeout")) spec.timeout = *d;
    std::string why;
    auto regex_field = [&](std::string_view key, std::string& out) {
        if (auto s = f.string(key, false)) {
            if ((why = cache.pattern_problem(*s)).empty()) out = *s;
            else f.bad_value(key, "`" + std::string(key) + "` is not a valid POSIX extended regular expression (grep -E): " + why);
        }
    };
    switch (spec.kind) {
        case SourceKind::http:
            if (auto url = f.string("url", false)) spec.http().url = *url;
            else require(f, "url");
            if (auto m = f.string("method", false)) spec.http().method = *m;
            if (const RawValue* st = f.table().find("expect_status")) {
                if (st->is(RawValue::Kind::integer)) spec.http().expect_status.push_back(static_cast<int>(st->integer));
                else if (st->is(RawValue::Kind::array))
                    for (const auto& item : st->items) {
                        if (item.is(RawValue::Kind::integer)) spec.http().expect_status.push_back(static_cast<int>(item.integer));
                        else report.error("wrong-type", item.at, "`expect_status` items must be integers");
                    }
                else report.error("wrong-type", st->at, "`expect_status` must be an integer or an array of integers");
            }
            regex_field("body", spec.http().body_regex);
            if (auto d = f.duration("max_latency")) spec.http().max_latency = *d;
            break;
        case SourceKind::tcp:
            if (auto h = f.string("host", false)) spec.tcp().host = *h;
            else spec.tcp().host = "127.0.0.1";
            if (auto p = f.integer("port", 1, 65535)) spec.tcp().port = *p;
            else require(f, "port");
            break;
        case SourceKind::command:
            if (auto argv = f.argv("command")) spec.command().argv = *argv;
            else require(f, "command");
            if (auto p = f.path("working_dir", source.base_dir)) spec.command().working_dir = p->string();
            else spec.command().working_dir = source.base_dir.string();
            break;
        case SourceKind::log:
            if (auto p = f.path("path", source.base_dir)) spec.log().path = p->string();
            else require(f, "path");
            regex_field("pattern", spec.log().pattern);
            require(f, "pattern");
            break;
        case SourceKind::unit:
            if (auto u = f.string("unit", false)) spec.unit().unit = *u;
            else require(f, "unit");
            if (auto s = f.string("scope")) {
                if (*s == "system" || *s == "user") spec.unit().scope = *s;
                else f.bad_value("scope", "`scope` must be \"system\" or \"user\"");
            }
            break;
        case SourceKind::container:
            if (auto c = f.string("container", false)) spec.container().container = *c;
            else require(f, "container");
            if (auto h = f.string("docker_host")) spec.container().host = *h;
            break;
        case SourceKind::process:
            if (auto p = f.path("pid_file", source.base_dir)) spec.process().pid_file = p->string();
            else require(f, "pid_file");
            break;
        case SourceKind::prometheus:
            if (auto url = f.string("url", false)) spec.prometheus().url = *url;
            else require(f, "url");
            if (auto q = f.string("query", false)) spec.prometheus().query = *q;
            else require(f, "query");
            break;
        case SourceKind::disk:
            if (auto p = f.path("path", source.base_dir)) spec.disk().path = p->string();
            break;
        case SourceKind::event:
            if (const RawValue* match = f.table().find("match")) {
                if (!match->is(RawValue::Kind::table)) {
                    report.error("wrong-type", match->at,
                                 "`match` must be a table of label = \"value\", e.g. match = { alertname = \"HighErrorRate\" }");
                } else {
                    for (const RawMember& m : match->members) {
                        if (m.value.is(RawValue::Kind::string)) spec.event().match[m.key] = m.value.text;
                        else report.error("wrong-type", m.value.at, "`match." + m.key + "` must be a string: labels are compared as text");
                    }
                }
            }
            break;
        case SourceKind::cpu:
        case SourceKind::memory:
            break;
    }
    return spec;
}

// The position of character `column` (1-based) of the expression inside the TOML string `v`.
SourcePosition position_in_string(const RawValue& v, int column) {
    SourcePosition at = v.at;
    if (at.column > 0) at.column += column;  // past the opening quote
    return at;
}

// The trigger names every [[trigger]] reads; one schema for all of them.
const std::shared_ptr<const ExpressionSchema>& plain_trigger_schema() {
    static const auto schema = std::make_shared<const ExpressionSchema>(trigger_schema());
    return schema;
}

std::optional<Condition> compile_condition(const RawValue& v, std::shared_ptr<const ExpressionSchema> schema,
                                           std::vector<std::pair<std::size_t, double>> params, Report& report,
                                           CompileCache& cache) {
    if (!v.is(RawValue::Kind::string)) {
        report.error("wrong-type", v.at, "`when` must be a string holding an expression, got " + std::string(kind_name(v.kind)));
        return std::nullopt;
    }
    auto compiled = cache.condition(v.text, *schema);
    if (!compiled.expression) {
        report.error(compiled.error.code, position_in_string(v, compiled.error.column), compiled.error.message);
        return std::nullopt;
    }
    Condition c;
    c.text = v.text;
    c.at = v.at;
    c.schema = std::move(schema);
    c.expression = std::move(compiled.expression);
    c.params = std::move(params);
    return c;
}

std::optional<ActionSpec> read_action(FieldReader& f, bool allow_decide) {
    auto text = f.string("then", false);
    if (!text) return std::nullopt;
    std::string why;
    auto action = parse_action(*text, allow_decide, &why);
    if (!action) f.bad_value("then", why);
    return action;
}

// Reads the tuning keys of a trigger (from [[trigger]], a rule or a rule's override) into `t`.
void read_trigger_tuning(FieldReader& f, TriggerPolicy& t) {
    if (auto s = f.string("source", false)) t.source = *s;
    if (auto d = f.duration("for", Duration{0})) t.hold = *d;
    if (auto d = f.duration("delay", Duration{0})) t.delay = *d;
    if (auto d = f.duration("window")) t.window = *d;
    if (auto d = f.duration("baseline")) t.baseline = *d;
    if (auto d = f.duration("cooldown", Duration{0})) t.cooldown = *d;
    if (auto s = f.string("severity")) {
        if (*s == "info") t.severity = TriggerSeverity::info;
        else if (*s == "warning") t.severity = TriggerSeverity::warning;
        else if (*s == "critical") t.severity = TriggerSeverity::critical;
        else f.bad_value("severity", "`severity` must be \"info\", \"warning\" or \"critical\", got \"" + *s + "\"");
    }
    if (f.table().find("then"))
        if (auto a = read_action(f, true)) t.then = *a;
}

// `fix` says what to do about a missing source; only called (and its text built) when it is missing.
template <typename Fix>
void check_source_exists(const TriggerPolicy& t, const WatchSettings& watch, const RawValue* at, const Fix& fix,
                         Report& report, const SourcePosition& fallback) {
    if (t.source.empty() || watch.source(t.source)) return;
    std::vector<std::string_view> names;
    for (const auto& s : watch.sources) names.push_back(s.name);
    std::string message = "trigger `" + t.name + "` reads source `" + t.source + "`, which the service does not define";
    if (auto guess = did_you_mean(t.source, names)) message += "; did you mean `" + *guess + "`?";
    message += "; " + fix();
    report.error("unknown-source", at ? at->at : fallback, message);
}

// The service's [service.X.health] check, watched as the source "health" unless one is defined.
SourceSpec health_source(const HealthCheck& h) {
    SourceSpec s;
    s.name = "health";
    s.kind = SourceKind::http;
    s.interval = Duration{10'000};
    s.timeout = h.timeout;
    s.http().url = h.url;
    if (h.expect_status) s.http().expect_status = {h.expect_status};
    else s.http().expect_status = {200, 201, 202, 203, 204, 205, 206};
    if (!h.expect_body.empty()) s.http().body_regex = literal_pattern(h.expect_body);
    return s;
}

void compile_rule_use(const RawValue& use, const RawValue* tuning, const std::string& label, Report& report,
                      CompileCache& cache, WatchSettings& watch) {
    const RuleLibrary& lib = RuleLibrary::builtin();
    std::set<std::string> used;
    for (const RawValue& item : use.items) {
        if (!item.is(RawValue::Kind::string)) {
            report.error("wrong-type", item.at, "`use` lists rule names (strings)");
            continue;
        }
        const RuleDefinition* rule = lib.find(item.text);
        if (!rule) {
            std::string message = "unknown rule \"" + item.text + "\" (`backstop rules list` shows them)";
            auto names = lib.names();
            if (auto guess = did_you_mean(item.text, names)) message += "; did you mean \"" + *guess + "\"?";
            report.error("unknown-rule", item.at, message);
            continue;
        }
        if (!used.insert(rule->name).second) {
            report.error("duplicate-trigger", item.at, "rule \"" + rule->name + "\" is used twice");
            continue;
        }
        TriggerPolicy t;
        t.name = rule->name;
        t.rule = rule->name;
        t.defined_at = item.at;
        Report rule_report(rule->text, report.diagnostics());
        FieldReader defaults(*rule->table, "rule." + rule->name, rule_report);
        read_trigger_tuning(defaults, t);

        const RawValue* override_table = tuning ? tuning->find(rule->name) : nullptr;
        std::vector<std::pair<std::size_t, double>> params;
        for (std::size_t i = 0; i < rule->params.size(); ++i) params.emplace_back(rule->param_slots[i], rule->params[i].second);
        const RawValue* when = rule->table->find("when");
        Report* when_report = &rule_report;
        if (override_table && override_table->is(RawValue::Kind::table)) {
            FieldReader over(*override_table, label + ".rules." + rule->name, report);
            std::vector<std::string_view> known = rule_tuning_key_names();
            for (const auto& p : rule->params) known.push_back(p.first);
            over.reject_unknown(known);
            read_trigger_tuning(over, t);
            for (std::size_t i = 0; i < rule->params.size(); ++i) {
                const RawValue* v = override_table->find(rule->params[i].first);
                if (!v) continue;
                if (v->is(RawValue::Kind::integer)) params[i].second = static_cast<double>(v->integer);
                else if (v->is(RawValue::Kind::floating)) params[i].second = v->floating;
                else report.error("wrong-type", v->at, "rule parameter `" + rule->params[i].first + "` must be a number");
            }
            if (const RawValue* w = override_table->find("when")) {
                when = w;
                when_report = &report;
            }
        }
        if (when) {
            if (auto c = compile_condition(*when, rule->schema, params, *when_report, cache)) t.when = std::move(*c);
        }
        check_source_exists(t, watch, override_table ? override_table->find("source") : nullptr, [&] {
            return "define [" + label + ".source." + t.source + "] or set `source` in [" + label + ".rules." + rule->name + "]";
        }, report, item.at);
        watch.triggers.push_back(std::move(t));
    }
    if (tuning && tuning->is(RawValue::Kind::table)) {
        for (const RawMember& m : tuning->members)
            if (!used.count(m.key))
                report.error("unused-rule", m.key_at,
                             "[" + label + ".rules." + m.key + "] tunes a rule the service does not `use`; add \"" + m.key +
                                 "\" to `use`");
    }
}

const RawValue* array_of_tables(const RawValue& service, std::string_view key, const std::string& label, Report& report) {
    const RawValue* v = service.find(key);
    if (!v) return nullptr;
    if (!v->is(RawValue::Kind::array)) {
        report.error("wrong-type", v->at,
                     "`" + std::string(key) + "` must be an array of tables (write [[" + label + "." + std::string(key) + "]])");
        return nullptr;
    }
    for (const auto& item : v->items)
        if (!item.is(RawValue::Kind::table)) {
            report.error("wrong-type", item.at, "each `" + std::string(key) + "` entry must be a table");
            return nullptr;
        }
    return v;
}

}  // namespace

void compile_watch(FieldReader& fields, const PolicySource& source, Report& report, CompileCache& cache,
                   ServicePolicy& policy) {
    WatchSettings& watch = policy.watch;
    const RawValue& service = fields.table();
    const std::string& label = fields.label();

    if (auto d = fields.duration("cooldown", Duration{0})) watch.cooldown = *d;

    // Room for everything below at once: sources and triggers are large to move.
    auto count = [&](std::string_view key, bool members) -> std::size_t {
        const RawValue* v = service.find(key);
        return v ? (members ? v->members.size() : v->items.size()) : 0;
    };
    watch.sources.reserve(count("source", true) + 1);
    watch.triggers.reserve(count("trigger", false) + count("use", false));
    watch.decide.reserve(count("decide", false));
    watch.schedules.reserve(count("schedule", false));

    if (const RawValue* sources = fields.subtable("source"))
        for (const RawMember& m : sources->members) {
            if (!m.value.is(RawValue::Kind::table)) {
                report.error("wrong-type", m.value.at, "source `" + m.key + "` must be a table ([" + label + ".source." + m.key + "])");
                continue;
            }
            if (auto spec = compile_source(m, label, source, report, cache)) watch.sources.push_back(std::move(*spec));
        }
    if (policy.health && !watch.source("health") && !policy.health->url.empty()) watch.sources.push_back(health_source(*policy.health));

    const auto& shared_schema = plain_trigger_schema();
    std::set<std::string> names;
    if (const RawValue* triggers = array_of_tables(service, "trigger", label, report)) {
        for (const RawValue& table : triggers->items) {
            FieldReader f(table, label + ".trigger", report);
            f.reject_unknown(key_names(Section::trigger));
            TriggerPolicy t;
            t.defined_at = table.at;
            if (auto n = f.string("name", false)) t.name = *n;
            else require(f, "name");
            if (!t.name.empty() && !names.insert(t.name).second)
                f.bad_value("name", "trigger name `" + t.name + "` is used twice in this service");
            read_trigger_tuning(f, t);
            if (!table.find("source")) require(f, "source");
            if (const RawValue* when = table.find("when")) {
                if (auto c = compile_condition(*when, shared_schema, {}, report, cache)) t.when = std::move(*c);
            } else {
                require(f, "when");
            }
            check_source_exists(t, watch, table.find("source"), [&] { return "define [" + label + ".source." + t.source + "]"; },
                                report, table.at);
            watch.triggers.push_back(std::move(t));
        }
    }

    if (const RawValue* use = service.find("use")) {
        if (!use->is(RawValue::Kind::array)) report.error("wrong-type", use->at, "`use` must be an array of rule names");
        else compile_rule_use(*use, fields.subtable("rules"), label, report, cache, watch);
    } else if (const RawValue* tuning = service.find("rules")) {
        report.error("unused-rule", tuning->at, "[" + label + ".rules.…] tunes rules, but the service has no `use` list");
    }
    for (const auto& t : watch.triggers)
        if (!t.name.empty() && t.rule.empty() && RuleLibrary::builtin().find(t.name))
            for (const auto& other : watch.triggers)
                if (&other != &t && other.name == t.name)
                    report.error("duplicate-trigger", t.defined_at, "trigger `" + t.name + "` is both defined here and used as a rule");

    if (const RawValue* decide = array_of_tables(service, "decide", label, report)) {
        auto schema = std::shared_ptr<const ExpressionSchema>(&decision_schema(), [](const ExpressionSchema*) {});
        for (const RawValue& table : decide->items) {
            FieldReader f(table, label + ".decide", report);
            f.reject_unknown(key_names(Section::decide));
            DecisionRule rule;
            const RawValue* when = table.find("when");
            if (!when) require(f, "when");
            if (!table.find("then")) require(f, "then");
            auto c = when ? compile_condition(*when, schema, {}, report, cache) : std::nullopt;
            auto a = table.find("then") ? read_action(f, false) : std::nullopt;
            if (c && a) watch.decide.push_back({std::move(*c), *a});
        }
    }

    if (const RawValue* schedules = array_of_tables(service, "schedule", label, report)) {
        for (const RawValue& table : schedules->items) {
            FieldReader f(table, label + ".schedule", report);
            f.reject_unknown(key_names(Section::schedule));
            ScheduleSpec s;
            s.defined_at = table.at;
            const RawValue* cron = table.find("cron");
            if (!cron) require(f, "cron");
            if (!table.find("then")) require(f, "then");
            if (cron && cron->is(RawValue::Kind::string)) {
                CronError error;
                if (auto parsed = CronSchedule::parse(cron->text, &error)) {
                    s.cron = *parsed;
                    s.cron_text = cron->text;
                } else {
                    report.error("bad-value", position_in_string(*cron, error.column), "cron schedule: " + error.message);
                    continue;
                }
            } else if (cron) {
                report.error("wrong-type", cron->at, "`cron` must be a string such as \"0 */6 * * *\"");
                continue;
            }
            auto a = table.find("then") ? read_action(f, false) : std::nullopt;
            if (!a) continue;
            if (a->kind == ActionSpec::Kind::hotfix) {
                f.bad_value("then", "a schedule cannot wait for a hotfix; use rollback, rollback:LEVEL or page");
                continue;
            }
            s.then = *a;
            if (cron) watch.schedules.push_back(std::move(s));
        }
    }
}

}  // namespace backstop::policy
