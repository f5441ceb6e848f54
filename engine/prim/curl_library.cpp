// Loading libcurl at first use, and the error wording the HTTP and mail clients share.
#include "prim/curl_library.h"

#include <dlfcn.h>

#include <cerrno>

namespace backstop::curl {

namespace {

template <typename F>
void resolve(void* lib, const char* name, F& fn, std::string& error) {
    fn = reinterpret_cast<F>(::dlsym(lib, name));
    if (!fn && error.empty()) error.append("libcurl lacks ").append(name);
}

}  // namespace

const Api& api() {
    static const Api loaded = [] {
        Api a;
        void* lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            const char* why = ::dlerror();
            a.error = std::string("cannot load libcurl.so.4 (install libcurl4): ") + (why ? why : "unknown error");
            return a;
        }
        resolve(lib, "curl_global_init", a.global_init, a.error);
        resolve(lib, "curl_easy_init", a.easy_init, a.error);
        resolve(lib, "curl_easy_cleanup", a.easy_cleanup, a.error);
        resolve(lib, "curl_easy_reset", a.easy_reset, a.error);
        resolve(lib, "curl_easy_setopt", a.easy_setopt, a.error);
        resolve(lib, "curl_easy_perform", a.easy_perform, a.error);
        resolve(lib, "curl_easy_getinfo", a.easy_getinfo, a.error);
        resolve(lib, "curl_easy_strerror", a.easy_strerror, a.error);
        resolve(lib, "curl_slist_append", a.slist_append, a.error);
        resolve(lib, "curl_slist_free_all", a.slist_free_all, a.error);
        // Not thread-safe itself; the magic static runs it once even when threads race here.
        if (a.error.empty()) a.global_init(CURL_GLOBAL_DEFAULT);
        return a;
    }();
    return loaded;
}

bool append(Slist& list, const std::string& line) {
    curl_slist* head = api().slist_append(list.get(), line.c_str());  // the same head once non-empty
    if (!head) return false;
    if (!list) list.reset(head);
    return true;
}

std::string describe_common(CURLcode code, long os_errno, const char* errbuf, Duration timeout) {
    std::string detail = errbuf && *errbuf ? std::string(errbuf) : std::string(api().easy_strerror(code));
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
            return "timed out after " + format_duration(timeout);
        case CURLE_COULDNT_CONNECT:
            if (os_errno == ECONNREFUSED) return "connection refused";
            if (os_errno == ENETUNREACH) return "network unreachable";
            if (os_errno == EHOSTUNREACH) return "host unreachable";
            return "cannot connect: " + detail;
        case CURLE_COULDNT_RESOLVE_HOST:
            return "cannot resolve host: " + detail;
        case CURLE_GOT_NOTHING:
            return "empty reply from server";
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
            if (os_errno == ECONNRESET) return "connection reset by peer";
            return detail;
        default:
            return {};
    }
}

}  // namespace backstop::curl
