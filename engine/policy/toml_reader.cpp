// TOML text → RawValue tree through toml++. The only file that includes toml++, so its types,
// exceptions and compile cost stay here.
#include "policy/toml_reader.h"

#include <sstream>

#include <toml++/toml.h>

namespace backstop::policy {

namespace {

RawPosition position(const std::string& file, const toml::source_region& region) {
    return {&file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

template <typename T>
std::string spelled(const T& value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

// Strings are moved out of toml++'s tree, not copied: the tree is dropped right after.
RawValue convert(toml::node& node, const std::string& file) {
    RawValue out;
    out.at = position(file, node.source());
    switch (node.type()) {
        case toml::node_type::table:
            out.kind = RawValue::Kind::table;
            out.members.reserve(node.as_table()->size());
            for (auto&& [key, child] : *node.as_table())
                out.members.push_back({std::string(key.str()), position(file, key.source()), convert(child, file)});
            break;
        case toml::node_type::array:
            out.kind = RawValue::Kind::array;
            out.items.reserve(node.as_array()->size());
            for (auto& child : *node.as_array()) out.items.push_back(convert(child, file));
            break;
        case toml::node_type::string:
            out.kind = RawValue::Kind::string;
            out.text = std::move(node.as_string()->get());
            break;
        case toml::node_type::integer:
            out.kind = RawValue::Kind::integer;
            out.integer = node.as_integer()->get();
            break;
        case toml::node_type::floating_point:
            out.kind = RawValue::Kind::floating;
            out.floating = node.as_floating_point()->get();
            break;
        case toml::node_type::boolean:
            out.kind = RawValue::Kind::boolean;
            out.boolean = node.as_boolean()->get();
            break;
        case toml::node_type::date:
            out.kind = RawValue::Kind::date;
            out.text = spelled(node.as_date()->get());
            break;
        case toml::node_type::time:
            out.kind = RawValue::Kind::time;
            out.text = spelled(node.as_time()->get());
            break;
        case toml::node_type::date_time:
            out.kind = RawValue::Kind::date_time;
            out.text = spelled(node.as_date_time()->get());
            break;
        case toml::node_type::none:
            break;
    }
    return out;
}

}  // namespace

std::optional<RawValue> read_toml(std::string_view text, const std::string& name, Diagnostics& out) {
    try {
        toml::table root = toml::parse(text, std::string_view{name});
        return convert(root, name);
    } catch (const toml::parse_error& e) {
        SourcePosition where = position(name, e.source());
        out.error("toml-syntax", where, std::string(e.description()), line_of(text, where.line));
        return std::nullopt;
    }
}

}  // namespace backstop::policy
