#include "prim/history_file.h"
#include "core/json_text.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "prim/state_files.h"

namespace backstop {

namespace fs = std::filesystem;

namespace {

constexpr const char* kHeader = "{\"backstop_history\":1}\n";

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

void write_all(int fd, const std::string& data, const fs::path& file) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error("cannot write history " + file.string() + ": " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
}

class HistoryFile final : public HistoryStore {
public:
    explicit HistoryFile(fs::path file) : file_(std::move(file)) {}

    void record(const RunRecord& r) override {
        prepare_state_folder(file_.parent_path());
        Fd fd(open_state_file(file_, O_RDWR | O_APPEND | O_CREAT, "history"));
        // Writers take turns, and each starts on a fresh line: a writer killed mid-line leaves a
        // fragment that readers skip, and the next record must not be glued onto it.
        if (::flock(fd.get(), LOCK_EX) != 0) throw Error("cannot lock history " + file_.string() + ": " + std::strerror(errno));
        std::string line;
        struct stat st {};
        ::fstat(fd.get(), &st);
        if (st.st_size == 0) {
            line = kHeader;
        } else {
            char last = 0;
            if (::pread(fd.get(), &last, 1, st.st_size - 1) == 1 && last != '\n') line = "\n";
        }
        line += json_text(to_json(r)) + "\n";
        write_all(fd.get(), line, file_);
        if (::fdatasync(fd.get()) != 0) throw Error("cannot sync history " + file_.string() + ": " + std::strerror(errno));
    }

    std::vector<RunRecord> load() override {
        check_state_folder(file_.parent_path());
        Fd fd(open_state_file(file_, O_RDONLY, "history"));
        if (fd.get() < 0) return {};  // nothing recorded yet
        std::string data;
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(fd.get(), buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Error("cannot read history " + file_.string() + ": " + std::strerror(errno));
            if (n == 0) break;
            data.append(buf, static_cast<std::size_t>(n));
        }
        std::vector<RunRecord> runs;
        std::map<std::string, std::size_t> index;
        std::size_t pos = 0;
        while (pos < data.size()) {
            std::size_t end = data.find('\n', pos);
            if (end == std::string::npos) break;  // a torn last line: its writer died mid-write
            std::string_view line(data.data() + pos, end - pos);
            pos = end + 1;
            if (line.empty()) continue;
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_discarded() || !j.is_object() || !j.contains("run_id")) continue;
            RunRecord r;
            try {
                r = run_record_from_json(j);
            } catch (const nlohmann::json::exception&) {
                continue;
            }
            auto [it, fresh] = index.emplace(r.run_id, runs.size());
            if (fresh)
                runs.push_back(std::move(r));
            else
                runs[it->second] = std::move(r);
        }
        return runs;
    }

private:
    fs::path file_;
};

}  // namespace

std::unique_ptr<HistoryStore> make_history_file(const fs::path& file) { return std::make_unique<HistoryFile>(file); }

}  // namespace backstop
