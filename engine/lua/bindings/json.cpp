// json: encoding and decoding with nlohmann::json (the same conversion hooks' ctx and results use).
#include <algorithm>

#include "core/json_depth.h"
#include "lua/bindings/bindings.h"
#include "lua/runbook_types.h"

namespace backstop::lua::bindings {

namespace {

// json.encode(value [, opts])
// @param 1 (any): nil, boolean, number, string or table (keys 1..n make an array; {} is an object)
// @param 2 (table, optional): { indent = 2 } for pretty output
// @return (string): compact JSON; raises for functions, NaN, cyclic tables and text over 4 MiB
int json_encode(lua_State* L) {
    int indent = -1;
    if (lua_istable(L, 2)) {
        lua_getfield(L, 2, "indent");
        if (lua_isinteger(L, -1)) indent = static_cast<int>(std::clamp<lua_Integer>(lua_tointeger(L, -1), -1, 16));
        lua_pop(L, 1);
    }
    std::string text;
    guarded(L, [&] {
        text = to_json(L, 1, static_cast<std::size_t>(std::max(indent, 0))).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
        return 0;
    });
    lua_pushlstring(L, text.data(), text.size());
    return 1;
}

// Refuses text above the limits before nlohmann builds a tree of it (about ten times its size).
std::string too_big_to_decode(std::string_view text) {
    if (text.size() > kMaxJsonBytes)
        return "text of " + std::to_string(text.size()) + " bytes is over the limit of " + format_bytes(kMaxJsonBytes);
    if (json_nesting_depth(text) > kMaxJsonDepth)
        return "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return {};
}

// json.decode(text)
// @param 1 (string): JSON text, at most 4 MiB, nested at most 100 levels
// @return (any): the value (objects as tables, arrays as sequences, null as nil)
// @return nil, (string): when the text is not JSON ("json.decode: ... at line 1, column 3") or is
//   over the limits
int json_decode(lua_State* L) {
    std::size_t len = 0;
    const char* text = luaL_checklstring(L, 1, &len);
    nlohmann::json value;
    std::string why = too_big_to_decode(std::string_view(text, len));
    if (!why.empty()) {
        lua_pushnil(L);
        lua_pushstring(L, ("json.decode: " + why).c_str());
        return 2;
    }
    guarded(L, [&] {
        value = nlohmann::json::parse(text, text + len, nullptr, false);
        if (value.is_discarded()) {
            try {
                nlohmann::json again = nlohmann::json::parse(text, text + len);  // throws: the reason
                (void)again;
            } catch (const nlohmann::json::exception& e) {
                why = e.what();
            }
            // "[json.exception.parse_error.101] parse error at line 1, column 3: ..." → drop the tag.
            if (auto at = why.find("] "); at != std::string::npos) why = why.substr(at + 2);
        }
        return 0;
    });
    if (value.is_discarded()) {
        lua_pushnil(L);
        lua_pushstring(L, ("json.decode: " + why).c_str());
        return 2;
    }
    push_json(L, value);
    return 1;
}

const luaL_Reg json_functions[] = {
    {"encode", json_encode},
    {"decode", json_decode},
    {nullptr, nullptr},
};

}  // namespace

int open_json(lua_State* L) { return push_function_table(L, json_functions); }

}  // namespace backstop::lua::bindings
