// The replay driver: runs a fuzz target's LLVMFuzzerTestOneInput over every file of the folders (or files)
// given, without libFuzzer. CTest runs it over each target's seeds and regressions in every test build, so a
// regression input fails the ordinary test suite (a property failure traps, which CTest reports as a crash).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

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

int main(int argc, char** argv) {
    std::size_t runs = 0;
    bool ok = true;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg = argv[i];
        if (fs::is_directory(arg)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::recursive_directory_iterator(arg))
                if (e.is_regular_file() && e.path().filename().string().front() != '.' &&
                    e.path().filename() != "README.md")
                    files.push_back(e.path());
            std::sort(files.begin(), files.end());  // a fixed order, so that a failure reproduces
            for (const auto& f : files) ok = run_file(f) && ok, ++runs;
        } else if (fs::exists(arg)) {
            ok = run_file(arg) && ok, ++runs;
        } else {
            std::fprintf(stderr, "replay: no such file or folder %s\n", argv[i]);
            ok = false;
        }
    }
    std::printf("replay: %zu inputs, every property held\n", runs);
    return ok ? 0 : 1;
}
