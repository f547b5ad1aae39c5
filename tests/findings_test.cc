// findings_test.cc: the audit of findings.h on in-memory images: each kind matches what its
// rule says and nothing else (a copy-up is waste, not hidden; a public key is no secret; headers
// count only without a compiler), grouping per place and layer, and the diff's new findings.
#include <gtest/gtest.h>

#include "analyzer/findings.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

LayerEntry Dev(const std::string& path, EntryType t, uint32_t major, uint32_t minor) {
  LayerEntry e;
  e.path = path;
  e.type = t;
  e.mode = 0666;
  e.dev_major = major;
  e.dev_minor = minor;
  return e;
}

std::vector<Finding> of_kind(const FindingsReport& r, FindingKind k) {
  std::vector<Finding> out;
  for (const auto& f : r.findings)
    if (f.kind == k) out.push_back(f);
  return out;
}

std::vector<std::string> paths(const std::vector<Finding>& v) {
  std::vector<std::string> out;
  for (const auto& f : v) out.push_back(f.path);
  return out;
}

using Paths = std::vector<std::string>;

TEST(SecretPattern, NamesFromTheList) {
  EXPECT_STREQ(secret_pattern("root/.ssh/id_rsa"), "id_rsa*");
  EXPECT_STREQ(secret_pattern("home/a/.ssh/id_ed25519"), "id_ed25519*");
  EXPECT_STREQ(secret_pattern("etc/ssl/private/site.key"), "*.key");
  EXPECT_STREQ(secret_pattern("app/CERT.PEM"), "*.pem");  // case-insensitive
  EXPECT_STREQ(secret_pattern("app/.env"), ".env");
  EXPECT_STREQ(secret_pattern("root/.npmrc"), ".npmrc");
  EXPECT_STREQ(secret_pattern("root/.pypirc"), ".pypirc");
  EXPECT_STREQ(secret_pattern("root/.netrc"), ".netrc");
  EXPECT_STREQ(secret_pattern("root/.aws/credentials"), "credentials*");
  EXPECT_STREQ(secret_pattern("app/credentials.json"), "credentials*");
  EXPECT_STREQ(secret_pattern("vault.kdbx"), "*.kdbx");
  EXPECT_STREQ(secret_pattern("root/.git-credentials"), ".git-credentials");
  EXPECT_STREQ(secret_pattern("root/.docker/config.json"), ".docker/config.json");
  // Not secrets: public keys, other config.json, names merely containing a pattern.
  EXPECT_EQ(secret_pattern("root/.ssh/id_rsa.pub"), nullptr);
  EXPECT_EQ(secret_pattern("app/config.json"), nullptr);
  EXPECT_EQ(secret_pattern("app/.envrc"), nullptr);
  EXPECT_EQ(secret_pattern("app/keys.txt"), nullptr);
  EXPECT_EQ(secret_pattern("app/my_id_rsa"), nullptr);
}

TEST(Findings, HiddenButShippedAndSecrets) {
  auto img = merge({
      {F("root/.ssh/id_rsa", "PRIVATE KEY"), F("root/.ssh/id_rsa.pub", "ssh-rsa AAAA"),
       F("root/.npmrc", "//registry/:_authToken=secret"), F("app/big.log", std::string(500, 'l')),
       F("bin/tool", "tool-binary"), F("a/moved", "moved content"), F("empty", "")},
      {W("root/.ssh/.wh.id_rsa"), W("root/.ssh/.wh.id_rsa.pub"), F("root/.npmrc", "registry=x"),
       W("app/.wh.big.log"), F("bin/tool", "tool-binary", 04755),  // chmod u+s: a copy-up
       W("a/.wh.moved"), F("b/moved", "moved content"), W(".wh.empty")},
  });
  FindingsReport r = find_findings(*img);
  auto secrets = of_kind(r, FindingKind::HiddenSecret);
  ASSERT_EQ(secrets.size(), 2u);
  // Largest first: the .npmrc (29 bytes) before the key (11).
  EXPECT_EQ(secrets[0].path, "/root/.npmrc");
  EXPECT_EQ(secrets[0].size, 29u);
  EXPECT_EQ(secrets[0].layer, 0u);
  EXPECT_EQ(secrets[0].removed_by, 1);
  EXPECT_FALSE(secrets[0].deleted);  // overwritten
  EXPECT_EQ(secrets[0].detail, ".npmrc");
  EXPECT_EQ(secrets[1].path, "/root/.ssh/id_rsa");
  EXPECT_EQ(secrets[1].size, 11u);
  EXPECT_TRUE(secrets[1].deleted);
  EXPECT_EQ(secrets[1].detail, "id_rsa*");
  EXPECT_EQ(finding_note(secrets[1]), "name matches id_rsa*");
  // Hidden: the log and the public key. Not the copied-up tool, not the moved file (their bytes
  // are visible), not the empty file (no bytes).
  EXPECT_EQ(paths(of_kind(r, FindingKind::Hidden)), (Paths{"/app/big.log", "/root/.ssh/id_rsa.pub"}));
  EXPECT_EQ(r.bytes(FindingKind::Hidden), 500u + 12u);
  // The copy-up and the move are still waste (inspect's WASTED BYTES): hidden is a subset.
  uint64_t waste = 0;
  for (const auto& w : img->waste) waste += w.bytes;
  EXPECT_EQ(waste, 29u + 11u + 12u + 500u + 11u + 13u);
  // The setuid copy-up is a setuid finding in layer 1.
  auto suid = of_kind(r, FindingKind::Setuid);
  ASSERT_EQ(suid.size(), 1u);
  EXPECT_EQ(suid[0].path, "/bin/tool");
  EXPECT_EQ(suid[0].layer, 1u);
  EXPECT_EQ(finding_note(suid[0]), "mode 4755");
}

TEST(Findings, RemovableCachesGroupedPerPlaceAndLayer) {
  auto img = merge({
      {F("var/cache/apt/pkgcache.bin", std::string(300, 'p')),
       F("var/cache/apt/srcpkgcache.bin", std::string(200, 's')),
       F("var/cache/apt/archives/hostname_3.23_amd64.deb", std::string(50, 'd')),
       F("var/cache/apt/archives/partial/jq_1.6_amd64.deb", std::string(40, 'j')),
       F("var/cache/apt/archives/lock", ""),
       F("var/cache/apt/archives/notes.txt", "not a package"),
       F("var/lib/apt/lists/deb.debian.org_dists_bookworm_main_Packages", std::string(1000, 'L')),
       F("var/lib/apt/lists/lock", ""),
       F("root/.npm/_cacache/index/x", std::string(70, 'n')),
       F("home/node/.npm/_logs/debug.log", std::string(7, 'n')),
       F("home/node/.cache/pip/http/ab/cd", std::string(90, 'i')),
       F("home/node/.cache/yarn/v6/pkg", std::string(30, 'y')),
       F("root/.cache/motd.legal-displayed", "x"),
       F("root/.config/app.conf", "kept: not a cache")},
      {F("var/lib/apt/lists/security_Packages", std::string(100, 'S'))},
  });
  FindingsReport r = find_findings(*img);
  auto rm = of_kind(r, FindingKind::Removable);
  std::vector<std::string> rows;
  for (const auto& f : rm)
    rows.push_back(f.path + " " + std::to_string(f.size) + " " + std::to_string(f.files) + " L" +
                   std::to_string(f.layer) + " " + f.detail);
  EXPECT_EQ(rows, (Paths{
                      "/var/lib/apt/lists 1000 1 L0 apt package lists",
                      "/var/cache/apt/pkgcache.bin 300 1 L0 apt package cache",
                      "/var/cache/apt/srcpkgcache.bin 200 1 L0 apt package cache",
                      "/var/lib/apt/lists 100 1 L1 apt package lists",
                      "/home/node/.cache/pip 90 1 L0 pip cache",  // ties: by path
                      "/var/cache/apt/archives 90 2 L0 downloaded .deb packages",
                      "/root/.npm 70 1 L0 npm cache",
                      "/home/node/.cache/yarn 30 1 L0 cache (~/.cache)",
                      "/home/node/.npm 7 1 L0 npm cache",
                      "/root/.cache 1 1 L0 cache (~/.cache)",
                  }));
  EXPECT_EQ(finding_note(rm[5]), "downloaded .deb packages, 2 files");
  EXPECT_EQ(r.toolchain, "");
}

TEST(Findings, OrphanBytecodeOnly) {
  auto img = merge({{
      F("app/here.py", "print(1)"),
      F("app/__pycache__/here.cpython-311.pyc", std::string(20, 'h')),
      F("app/__pycache__/gone.cpython-311.pyc", std::string(30, 'g')),
      F("app/__pycache__/gone.cpython-311.opt-1.pyc", std::string(31, 'o')),
      F("app/legacy.pyc", std::string(40, 'l')),  // sourceless .pyc beside: importable, kept
      F("app/pkg/__init__.py", ""),
      L("app/linked.py", "here.py"),
      F("app/__pycache__/linked.cpython-311.pyc", std::string(10, 'k')),
      L("app/dangling.py", "nowhere.py"),
      F("app/__pycache__/dangling.cpython-311.pyc", std::string(11, 'd')),
  }});
  auto rm = of_kind(find_findings(*img), FindingKind::Removable);
  ASSERT_EQ(rm.size(), 1u);
  EXPECT_EQ(rm[0].path, "/app/__pycache__");
  EXPECT_EQ(rm[0].size, 30u + 31u + 11u);
  EXPECT_EQ(rm[0].files, 3u);
  EXPECT_EQ(rm[0].detail, "bytecode of removed sources");
}

std::vector<LayerEntry> dev_files() {
  return {F("usr/lib/x86_64-linux-gnu/libz.a", std::string(100, 'a')),
          F("usr/lib/x86_64-linux-gnu/libm.a", std::string(50, 'm')),
          F("usr/include/zlib.h", std::string(20, 'h')),
          F("usr/include/sys/types.h", std::string(10, 't')),
          F("usr/local/include/python3.11/Python.h", std::string(5, 'p')),
          F("usr/share/doc/example.h", "not under include"),
          F("usr/bin/ld.so", "the dynamic loader, not a linker")};
}

TEST(Findings, StaticLibrariesAndHeadersOnlyWithoutToolchain) {
  FindingsReport r = find_findings(*merge({dev_files()}));
  EXPECT_EQ(r.toolchain, "");
  auto rm = of_kind(r, FindingKind::Removable);
  std::vector<std::string> rows;
  for (const auto& f : rm) rows.push_back(f.path + " " + std::to_string(f.size) + " " + f.detail);
  EXPECT_EQ(rows, (Paths{"/usr/lib/x86_64-linux-gnu 150 static libraries (no compiler or linker)",
                         "/usr/include 30 C/C++ headers (no compiler)",
                         "/usr/local/include 5 C/C++ headers (no compiler)"}));

  // A compiler reached through symlinks (cc -> /etc/alternatives/cc -> /usr/bin/gcc-12).
  auto with_gcc = dev_files();
  with_gcc.push_back(F("usr/bin/gcc-12", "gcc"));
  with_gcc.push_back(L("etc/alternatives/cc", "/usr/bin/gcc-12"));
  with_gcc.push_back(L("usr/bin/cc", "/etc/alternatives/cc"));
  r = find_findings(*merge({with_gcc}));
  EXPECT_EQ(r.toolchain, "/usr/bin/cc");
  EXPECT_TRUE(of_kind(r, FindingKind::Removable).empty());

  // A dangling cc is no compiler; a linker alone is a toolchain.
  auto dangling = dev_files();
  dangling.push_back(L("usr/bin/cc", "/etc/alternatives/cc"));
  EXPECT_EQ(find_findings(*merge({dangling})).toolchain, "");
  auto ld = dev_files();
  ld.push_back(F("usr/bin/x86_64-linux-gnu-ld.bfd", "ld"));
  EXPECT_EQ(find_findings(*merge({ld})).toolchain, "/usr/bin/x86_64-linux-gnu-ld.bfd");
  auto go = dev_files();
  go.push_back(F("usr/local/go/bin/go", "go"));
  EXPECT_EQ(find_findings(*merge({go})).toolchain, "/usr/local/go/bin/go");
}

TEST(Findings, Permissions) {
  LayerEntry sock = Dev("run/app.sock", EntryType::Socket, 0, 0);
  sock.mode = 0777;
  auto img = merge({{
      F("usr/bin/su", std::string(60, 's'), 04755),
      F("usr/bin/wall", std::string(30, 'w'), 02755),
      F("usr/bin/both", std::string(10, 'b'), 06755),
      H("usr/bin/su-again", "usr/bin/su"),  // one file, two names: reported once
      F("app/data.txt", "x", 0666),
      F("app/private.txt", "x", 0600),
      D("app/upload", 0777),
      D("tmp", 01777),
      D("var/mail", 02775),  // a setgid directory: group inheritance, not a privilege
      L("app/link", "data.txt"),
      Dev("dev/null", EntryType::CharDev, 1, 3),
      Dev("dev/loop0", EntryType::BlockDev, 7, 0),
      Dev("app/null", EntryType::CharDev, 1, 3),
      Dev("app/disk", EntryType::BlockDev, 8, 0),
      sock,
  }});
  FindingsReport r = find_findings(*img);
  EXPECT_EQ(paths(of_kind(r, FindingKind::Setuid)), (Paths{"/usr/bin/su", "/usr/bin/both"}));
  EXPECT_EQ(paths(of_kind(r, FindingKind::Setgid)), (Paths{"/usr/bin/wall", "/usr/bin/both"}));
  auto ww = of_kind(r, FindingKind::WorldWritable);
  EXPECT_EQ(paths(ww), (Paths{"/app/data.txt", "/app/upload"}));
  EXPECT_EQ(ww[1].type, 'd');
  EXPECT_EQ(finding_note(ww[1]), "mode 0777");
  auto dev = of_kind(r, FindingKind::Device);
  EXPECT_EQ(paths(dev), (Paths{"/app/disk", "/app/null"}));
  EXPECT_EQ(finding_note(dev[0]), "block device 8,0");
  EXPECT_EQ(finding_note(dev[1]), "char device 1,3");
}

TEST(Findings, HardlinkedSetuidReportsItsFirstName) {
  auto img = merge({{F("usr/bin/z-tool", "t", 04755), H("usr/bin/a-tool", "usr/bin/z-tool")}});
  EXPECT_EQ(paths(of_kind(find_findings(*img), FindingKind::Setuid)), (Paths{"/usr/bin/a-tool"}));
}

TEST(Findings, NewInAfterByKindAndPath) {
  auto before = merge({{F("usr/bin/su", "s", 04755), F("var/lib/apt/lists/a", "lists")}});
  auto after = merge({{F("usr/bin/su", "s2", 04755), F("usr/bin/newsuid", "n", 04755),
                       F("var/lib/apt/lists/a", "lists, grown"), F("app/x", "x", 0666)}});
  FindingsReport n = new_findings(find_findings(*before), find_findings(*after));
  std::vector<std::string> got;
  for (const auto& f : n.findings) got.push_back(std::string(finding_kind_name(f.kind)) + " " + f.path);
  EXPECT_EQ(got, (Paths{"setuid /usr/bin/newsuid", "world-writable /app/x"}));
}

TEST(Findings, KindNamesRoundTrip) {
  for (FindingKind k : finding_kinds()) EXPECT_EQ(parse_finding_kind(finding_kind_name(k)), k);
  EXPECT_FALSE(parse_finding_kind("secret"));
  EXPECT_EQ(finding_kinds().size(), 7u);
}

}  // namespace
}  // namespace layerdiff::test
