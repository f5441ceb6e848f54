// libcurl, loaded with dlopen on first use and shared by the HTTP and mail clients. Private to
// prim/: the only header that includes curl.h.
//
// Not linked: libcurl drags in ~30 libraries (TLS, Kerberos, LDAP, SSH…) whose loading took 7 of
// the 11 ms every backstop command spent starting, and most commands never make a request.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "core/duration.h"

namespace backstop::curl {

// The libcurl functions prim/ uses, resolved from the shared library at first use.
struct Api {
    decltype(&::curl_global_init) global_init = nullptr;
    decltype(&::curl_easy_init) easy_init = nullptr;
    decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
    decltype(&::curl_easy_reset) easy_reset = nullptr;
    decltype(&::curl_easy_setopt) easy_setopt = nullptr;
    decltype(&::curl_easy_perform) easy_perform = nullptr;
    decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
    decltype(&::curl_easy_strerror) easy_strerror = nullptr;
    decltype(&::curl_slist_append) slist_append = nullptr;
    decltype(&::curl_slist_free_all) slist_free_all = nullptr;
    std::string error;  // why loading failed; empty when every function resolved
};

// Loaded (and curl_global_init'ed) once, on the first call, from whichever thread makes it.
const Api& api();

struct SlistDeleter {
    void operator()(curl_slist* list) const { api().slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends a copy of `line`; false when out of memory.
bool append(Slist& list, const std::string& line);

// A transport failure as a short readable string ("connection refused", "timed out after 5s");
// empty for codes the caller should describe itself. Never contains the URL.
std::string describe_common(CURLcode code, long os_errno, const char* errbuf, Duration timeout);

}  // namespace backstop::curl
