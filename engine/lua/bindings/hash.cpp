// hash: digests for integrity checks in runbooks.
#include "core/sha256.h"
#include "lua/bindings/bindings.h"

namespace backstop::lua::bindings {

namespace {

// hash.sha256(text)
// @param 1 (string): any bytes
// @return (string): the SHA-256 digest in lower-case hex, as sha256sum prints it
int hash_sha256(lua_State* L) {
    std::size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    std::string hex = sha256_hex(std::string_view(data, len));
    lua_pushlstring(L, hex.data(), hex.size());
    return 1;
}

const luaL_Reg hash_functions[] = {
    {"sha256", hash_sha256},
    {nullptr, nullptr},
};

}  // namespace

int open_hash(lua_State* L) { return push_function_table(L, hash_functions); }

}  // namespace backstop::lua::bindings
