// corrupt_fixture.cc: writes deterministic corruptions of one file, for tests/corrupt_test.sh (the
// libarchive-style loop that corrupts every fixture and asserts only that nothing crashes).
//   corrupt_fixture FILE OUTDIR N SEED  ->  OUTDIR/0 .. OUTDIR/N-1
// Mutant i depends only on the file's bytes, SEED and i: some random bytes flipped, a truncation,
// garbage inserted, a range zeroed or overwritten with garbage, or two of these at once.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

namespace {

struct Rng {  // splitmix64: tiny, and the same on every platform
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
};

std::string garbage(Rng& r, size_t n) {
  std::string g(n, '\0');
  for (auto& c : g) c = static_cast<char>(r.next());
  return g;
}

void mutate_once(std::string& d, Rng& r) {
  size_t at = r.below(d.size() + 1);
  switch (r.below(6)) {
    case 0:  // flip 1-8 bytes anywhere
    case 1:
      for (uint64_t k = 1 + r.below(8); k > 0 && !d.empty(); --k)
        d[r.below(d.size())] ^= static_cast<char>(1 + r.below(255));
      break;
    case 2:  // truncate
      d.resize(at);
      break;
    case 3:  // insert 1-600 bytes of garbage (a tar block and more)
      d.insert(at, garbage(r, 1 + r.below(600)));
      break;
    case 4:  // zero up to 1 KiB
      for (size_t i = at, e = std::min(d.size(), at + 1 + r.below(1024)); i < e; ++i) d[i] = 0;
      break;
    default:  // overwrite a 512-byte block (a tar header, most often) with garbage
      if (d.size() >= 512) {
        size_t b = r.below(d.size() / 512) * 512;
        d.replace(b, 512, garbage(r, 512));
      }
      break;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: corrupt_fixture FILE OUTDIR N SEED\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::string orig((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) {
    std::cerr << "corrupt_fixture: cannot read " << argv[1] << "\n";
    return 1;
  }
  const uint64_t n = std::stoull(argv[3]), seed = std::stoull(argv[4]);
  for (uint64_t i = 0; i < n; ++i) {
    Rng r{seed * 1000003 + i};
    std::string d = orig;
    mutate_once(d, r);
    if (r.below(4) == 0) mutate_once(d, r);
    std::ofstream out(std::string(argv[2]) + "/" + std::to_string(i), std::ios::binary | std::ios::trunc);
    out.write(d.data(), static_cast<std::streamsize>(d.size()));
    if (!out) {
      std::cerr << "corrupt_fixture: cannot write into " << argv[2] << "\n";
      return 1;
    }
  }
  return 0;
}
