// The replay driver: runs a fuzz target's LLVMFuzzerTestOneInput over every file of the folders (or files)
// given, without libFuzzer. CTest runs it over each target's seeds and regressions in every test build, so a
// regression input fails the ordinary test suite (a property failure traps, which CTest reports as a crash).
//
// `--expect-finding` first: every input must still fail (each runs in a child process). That is how the open
// findings of findings/<target>/ are tested: a finding that no longer fails is fixed, and its input moves to
// regressions/<target>/ (README.md).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

static bool run_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
        return false;
    }
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", p.c_str(), bytes.size());
    // a copy in its own allocation, so that ASan sees a read past the end of the input
    std::vector<std::uint8_t> buf(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(buf.empty() ? nullptr : buf.data(), buf.size());
    return true;
}

/// Runs one input in a child process; true when it failed there (a trap, a sanitizer report, any exit but 0).
static bool fails_in_child(const fs::path& p) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) _exit(run_file(p) ? 0 : 3);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return false;
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char** argv) {
    std::size_t runs = 0;
    bool ok = true;
    int first = 1;
    const bool expect_finding = argc > 1 && std::string(argv[1]) == "--expect-finding";
    if (expect_finding) first = 2;
    auto run = [&](const fs::path& p) {
        ++runs;
        if (!expect_finding) return run_file(p);
        if (fails_in_child(p)) return true;
        std::printf("replay: %s no longer fails: the finding is fixed, move it to regressions/\n", p.c_str());
        return false;
    };
    for (int i = first; i < argc; ++i) {
        const fs::path arg = argv[i];
        if (fs::is_directory(arg)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::recursive_directory_iterator(arg))
                if (e.is_regular_file() && e.path().filename().string().front() != '.' &&
                    e.path().filename() != "README.md")
                    files.push_back(e.path());
            std::sort(files.begin(), files.end());  // a fixed order, so that a failure reproduces
            for (const auto& f : files) ok = run(f) && ok;
        } else if (fs::exists(arg)) {
            ok = run(arg) && ok;
        } else {
            std::fprintf(stderr, "replay: no such file or folder %s\n", argv[i]);
            ok = false;
        }
    }
    if (ok)
        std::printf(expect_finding ? "replay: %zu open findings, each still fails\n"
                                   : "replay: %zu inputs, every property held\n",
                    runs);
    return ok ? 0 : 1;
}
