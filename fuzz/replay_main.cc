// A driver for fuzz targets when libFuzzer is not available (g++ builds):
// runs every file of the given corpus directories through the target, then
// a fixed number of deterministic mutations of them. It finds far less than
// libFuzzer, but keeps the targets building and runs them under the test
// suite's sanitizers.
//
//   usage: NAME_replay [--mutations N] DIR...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::string Mutate(std::string s, std::mt19937_64& rng) {
  static const char* kTokens[] = {"\"",        ",", "\n", "\r\n",         "X",    "0",    "9",
                                  "-",         ".", "元", "\xEF\xBB\xBF", "\xE5", "\xFF", "\"\"",
                                  "2024-02-29"};
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0:  // flip a byte
        if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(rng());
        break;
      case 1:  // delete a run
        if (pos < s.size()) s.erase(pos, 1 + rng() % 8);
        break;
      case 2:  // insert a token
        s.insert(pos, kTokens[rng() % std::size(kTokens)]);
        break;
      case 3:  // duplicate a run
        if (pos < s.size()) s.insert(pos, s.substr(pos, 1 + rng() % 16));
        break;
      default:  // truncate
        s.resize(pos);
        break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 20000;
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--mutations" && i + 1 < argc) {
      mutations = std::strtol(argv[++i], nullptr, 10);
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(arg)) {
      std::ifstream in(entry.path(), std::ios::binary);
      corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "no corpus files\n");
    return 2;
  }
  for (const std::string& input : corpus) Run(input);
  std::mt19937_64 rng(0x79616e676c616fULL);  // fixed: failures reproduce
  for (long i = 0; i < mutations; ++i) Run(Mutate(corpus[rng() % corpus.size()], rng));
  std::printf("%zu corpus files, %ld mutations: no failure\n", corpus.size(), mutations);
  return 0;
}
