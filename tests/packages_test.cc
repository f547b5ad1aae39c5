// packages_test.cc: package databases read from in-memory merged images; ownership rules; sums;
// the package diff.
#include <gtest/gtest.h>

#include "analyzer/packages.h"
#include "tests/test_util.h"

namespace layerdiff::test {
namespace {

/// A package database file: its content is kept, as formats/ keeps it.
LayerEntry DB(const std::string& path, const std::string& content) {
  LayerEntry e = F(path, content);
  e.content = std::make_shared<std::string>(content);
  return e;
}

std::string bytes(size_t n, char c = 'x') { return std::string(n, c); }

std::string stanza(const std::string& pkg, const std::string& version, const std::string& arch = "amd64",
                   const std::string& status = "install ok installed", const std::string& ma = "") {
  std::string s = "Package: " + pkg + "\nStatus: " + status + "\nPriority: optional\n";
  if (!ma.empty()) s += "Multi-Arch: " + ma + "\n";
  s += "Architecture: " + arch + "\nVersion: " + version +
       "\nDescription: a package\n multi-line description\n .\n more\n\n";
  return s;
}

/// Checks the invariant: package bytes + [no package] == the image's content (as inspect counts).
void expect_sums(const PackageReport& r, const MergedImage& img) {
  uint64_t b = r.unowned_bytes, f = r.unowned_files;
  for (const auto& p : r.packages) {
    b += p.bytes;
    f += p.files;
  }
  InspectReport ir = build_inspect(img, {});
  EXPECT_EQ(b, ir.content_size);
  EXPECT_EQ(f, ir.files);
  EXPECT_EQ(r.content_size, ir.content_size);
  EXPECT_EQ(r.files, ir.files);
  for (size_t top : {size_t{0}, size_t{1}, size_t{100}}) {
    uint64_t tb = 0, tf = 0;
    for (const auto& row : package_table(r, top)) {
      tb += row.bytes;
      tf += row.files;
    }
    EXPECT_EQ(tb, ir.content_size) << "top " << top;
    EXPECT_EQ(tf, ir.files) << "top " << top;
  }
}

const PackageRow* find(const PackageReport& r, const std::string& name) {
  for (const auto& p : r.packages)
    if (p.name == name) return &p;
  return nullptr;
}

TEST(Packages, DatabasePathsAreRecognised) {
  for (const char* p : {"var/lib/dpkg/status", "./var/lib/dpkg/status", "/var/lib/dpkg/status",
                        "var/lib/dpkg/info/libc6:amd64.list", "var/lib/dpkg/info/bash.list",
                        "var/lib/dpkg/diversions", "var/lib/dpkg/status.d/base-files",
                        "var/lib/dpkg/status.d/base-files.md5sums", "lib/apk/db/installed",
                        "usr/lib/apk/db/installed",
                        "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/RECORD",
                        "usr/local/lib/python3.11/site-packages/six-1.16.0-py3.11.egg-info/installed-files.txt",
                        "app/node_modules/is-number/package.json",
                        "node_modules/@types/node/package.json",
                        "usr/lib/node_modules/npm/node_modules/abbrev/package.json"})
    EXPECT_TRUE(is_package_db_path(p)) << p;
  for (const char* p : {"var/lib/dpkg/status-old", "var/lib/dpkg/info/bash.md5sums",
                        "var/lib/dpkg/info/sub/x.list", "var/lib/dpkg/status.d/x/y", "app/package.json",
                        "app/node_modules/a/lib/package.json", "node_modules/@s/package.json",
                        "opt/x.dist-info/RECORD", "usr/lib/python3/dist-packages/a/b.dist-info/RECORD",
                        "etc/apk/installed", "lib/apk/db/installed.bak"})
    EXPECT_FALSE(is_package_db_path(p)) << p;
}

TEST(Packages, DpkgListsResolveThroughMergedUsrWithoutDoubleCounting) {
  std::string status = stanza("coreutils", "9.1-1") +
                       stanza("libfoo", "1.0-1", "amd64", "install ok installed", "same") +
                       stanza("gone", "1.0", "amd64", "deinstall ok config-files") +
                       stanza("never", "1.0", "amd64", "purge ok not-installed");
  auto img = merge({{
      D("usr"), D("usr/bin"), D("usr/lib"), L("bin", "usr/bin"), L("lib", "usr/lib"),
      F("usr/bin/ls", bytes(100)), F("usr/bin/cat", bytes(50)), F("usr/lib/libfoo.so.1", bytes(30)),
      F("usr/bin/mine", bytes(7)), F("etc/gone.conf", bytes(3)),
      DB("var/lib/dpkg/status", status),
      // coreutils lists /bin/ls (bin -> usr/bin) and /usr/bin/ls: one file, counted once.
      DB("var/lib/dpkg/info/coreutils.list", "/.\n/bin\n/bin/ls\n/usr/bin/ls\n/usr/bin/cat\n/usr/bin/missing\n"),
      DB("var/lib/dpkg/info/libfoo:amd64.list", "/.\n/lib/libfoo.so.1\n"),
      DB("var/lib/dpkg/info/gone.list", "/etc/gone.conf\n"),
  }});
  PackageReport r = build_package_report(*img);
  ASSERT_EQ(r.packages.size(), 2u);
  EXPECT_EQ(r.packages[0].name, "coreutils");
  EXPECT_EQ(r.packages[0].version, "9.1-1");
  EXPECT_EQ(r.packages[0].ecosystem, Ecosystem::Dpkg);
  EXPECT_EQ(r.packages[0].bytes, 150u);
  EXPECT_EQ(r.packages[0].files, 2u);
  EXPECT_EQ(r.packages[1].name, "libfoo:amd64");
  EXPECT_EQ(r.packages[1].bytes, 30u);
  EXPECT_EQ(r.contested_files, 0u);
  // [no package]: mine, gone.conf (a config-files package is not installed) and the database.
  EXPECT_EQ(r.unowned_files, 2u + 4u);
  EXPECT_EQ(r.databases, std::vector<std::string>{"dpkg: 2 packages"});
  ASSERT_EQ(r.warnings.size(), 1u);  // gone.list: not installed
  EXPECT_NE(r.warnings[0].find("1 file lists"), std::string::npos);
  expect_sums(r, *img);
}

TEST(Packages, TwoPackagesListingOneFileGoToOneByPrecedenceThenName) {
  auto img = merge({{
      F("usr/share/shared", bytes(40)), F("usr/lib/python3/dist-packages/m.py", bytes(9)),
      DB("var/lib/dpkg/status", stanza("zzz", "1") + stanza("aaa", "1") + stanza("python3-m", "2")),
      DB("var/lib/dpkg/info/zzz.list", "/usr/share/shared\n"),
      DB("var/lib/dpkg/info/aaa.list", "/usr/share/shared\n"),
      DB("var/lib/dpkg/info/python3-m.list", "/usr/lib/python3/dist-packages/m.py\n"),
      // pip's RECORD lists the same file dpkg installed: dpkg wins.
      DB("usr/lib/python3/dist-packages/m-2.dist-info/RECORD", "m.py,sha256=x,9\n"),
  }});
  PackageReport r = build_package_report(*img);
  EXPECT_EQ(find(r, "aaa")->bytes, 40u);
  EXPECT_EQ(find(r, "zzz")->bytes, 0u);
  EXPECT_EQ(find(r, "python3-m")->bytes, 9u);
  EXPECT_EQ(find(r, "m")->bytes, 0u);  // m.py went to dpkg; RECORD does not list itself here
  EXPECT_EQ(r.contested_files, 2u);
  expect_sums(r, *img);
}

TEST(Packages, DpkgDiversionSendsTheDivertedPackagesClaimToTheNewPath) {
  auto img = merge({{
      F("usr/bin/tool", bytes(11)), F("usr/bin/tool.distrib", bytes(22)),
      DB("var/lib/dpkg/status", stanza("wrapper", "1") + stanza("orig", "1")),
      DB("var/lib/dpkg/info/wrapper.list", "/usr/bin/tool\n"),
      DB("var/lib/dpkg/info/orig.list", "/usr/bin/tool\n"),
      DB("var/lib/dpkg/diversions", "/usr/bin/tool\n/usr/bin/tool.distrib\nwrapper\n"),
  }});
  PackageReport r = build_package_report(*img);
  EXPECT_EQ(find(r, "wrapper")->bytes, 11u);
  EXPECT_EQ(find(r, "orig")->bytes, 22u);
  EXPECT_EQ(r.contested_files, 0u);
  expect_sums(r, *img);
}

TEST(Packages, HardlinkedFileCountsOnceWhicheverNameIsListed) {
  auto img = merge({{
      F("usr/bin/a", bytes(64)), H("usr/bin/z", "usr/bin/a"),
      DB("var/lib/dpkg/status", stanza("p", "1")),
      DB("var/lib/dpkg/info/p.list", "/usr/bin/z\n"),
  }});
  PackageReport r = build_package_report(*img);
  EXPECT_EQ(find(r, "p")->bytes, 64u);
  EXPECT_EQ(find(r, "p")->files, 1u);
  expect_sums(r, *img);
}

TEST(Packages, LaterLayersChangeTheDatabaseAndTheFiles) {
  auto img = merge({{
                        F("usr/bin/old", bytes(10)),
                        DB("var/lib/dpkg/status", stanza("old", "1")),
                        DB("var/lib/dpkg/info/old.list", "/usr/bin/old\n"),
                    },
                    {
                        W("usr/bin/.wh.old"), W("var/lib/dpkg/info/.wh.old.list"),
                        F("usr/bin/new", bytes(20)),
                        DB("var/lib/dpkg/status", stanza("new", "2")),
                        DB("var/lib/dpkg/info/new.list", "/usr/bin/new\n"),
                    }});
  PackageReport r = build_package_report(*img);
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].name, "new");
  EXPECT_EQ(r.packages[0].bytes, 20u);
  expect_sums(r, *img);
}

TEST(Packages, DistrolessStatusD) {
  auto img = merge({{
      F("etc/os-release", bytes(5)), F("usr/share/zoneinfo/UTC", bytes(6)),
      DB("var/lib/dpkg/status.d/base-files", stanza("base-files", "12.4+deb12u5")),
      DB("var/lib/dpkg/status.d/base-files.md5sums", "0123456789abcdef  etc/os-release\n"),
      DB("var/lib/dpkg/status.d/tzdata", stanza("tzdata", "2024a-0+deb12u1", "all")),
      DB("var/lib/dpkg/status.d/tzdata.md5sums", "0123456789abcdef  usr/share/zoneinfo/UTC\n"),
  }});
  PackageReport r = build_package_report(*img);
  EXPECT_EQ(find(r, "base-files")->bytes, 5u);
  EXPECT_EQ(find(r, "base-files")->version, "12.4+deb12u5");
  EXPECT_EQ(find(r, "tzdata")->bytes, 6u);
  expect_sums(r, *img);
}

TEST(Packages, ApkInstalled) {
  std::string db =
      "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383000\nF:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\n"
      "Z:Q1xyz=\nR:libc.musl-x86_64.so.1\n\n"
      "C:Q1def=\nP:busybox\nV:1.36.1-r5\nA:x86_64\nF:bin\nR:busybox\nF:etc\nR:securetty\n\n";
  auto img = merge({{
      F("lib/ld-musl-x86_64.so.1", bytes(600)), L("lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1"),
      F("bin/busybox", bytes(900)), F("etc/securetty", bytes(3)), F("etc/hostname", bytes(4)),
      DB("lib/apk/db/installed", db),
  }});
  PackageReport r = build_package_report(*img);
  EXPECT_EQ(find(r, "musl")->bytes, 600u);
  EXPECT_EQ(find(r, "musl")->version, "1.2.4-r2");
  EXPECT_EQ(find(r, "musl")->ecosystem, Ecosystem::Apk);
  EXPECT_EQ(find(r, "busybox")->bytes, 903u);
  EXPECT_EQ(find(r, "busybox")->files, 2u);
  EXPECT_EQ(r.unowned_bytes, 4u + db.size());
  expect_sums(r, *img);
}

TEST(Packages, PythonRecordAndEggInfo) {
  std::string site = "usr/local/lib/python3.11/site-packages/";
  std::string record = "requests/__init__.py,sha256=a,5\n\"requests/we,ird.py\",sha256=b,6\n"
                       "../../../bin/req,sha256=c,7\nrequests-2.31.0.dist-info/RECORD,,\n";
  auto img = merge({{
      F(site + "requests/__init__.py", bytes(5)), F(site + "requests/we,ird.py", bytes(6)),
      F("usr/local/bin/req", bytes(7)), F(site + "six.py", bytes(8)),
      DB(site + "requests-2.31.0.dist-info/RECORD", record),
      DB(site + "six-1.16.0-py3.11.egg-info/installed-files.txt", "../six.py\nPKG-INFO\n"),
  }});
  PackageReport r = build_package_report(*img);
  const PackageRow* rq = find(r, "requests");
  ASSERT_TRUE(rq);
  EXPECT_EQ(rq->version, "2.31.0");
  EXPECT_EQ(rq->ecosystem, Ecosystem::Python);
  EXPECT_EQ(rq->bytes, 5u + 6u + 7u + record.size());
  EXPECT_EQ(rq->files, 4u);
  ASSERT_TRUE(find(r, "six"));
  EXPECT_EQ(find(r, "six")->version, "1.16.0");
  EXPECT_EQ(find(r, "six")->bytes, 8u);  // installed-files.txt does not list itself
  expect_sums(r, *img);
}

TEST(Packages, NpmPackageOwnsItsDirectoryMinusNestedPackages) {
  std::string nm = "app/node_modules/";
  auto img = merge({{
      F("app/package.json", bytes(10)), F("app/index.js", bytes(11)),
      F(nm + ".package-lock.json", bytes(12)),
      DB(nm + "is-odd/package.json",
         R"({"repository":{"name":"wrong","version":"0"},"name":"is-odd","version":"3.0.1"})"),
      F(nm + "is-odd/index.js", bytes(100)),
      DB(nm + "is-odd/lib/package.json", R"({"type":"module"})"),  // not a package
      DB(nm + "is-odd/node_modules/is-number/package.json", R"({"name":"is-number","version":"6.0.0"})"),
      F(nm + "is-odd/node_modules/is-number/index.js", bytes(200)),
      DB(nm + "is-number/package.json", "{\n  \"version\": \"7.0.0\",\n  \"name\": \"is-number\"\n}"),
      F(nm + "is-number/index.js", bytes(300)),
      DB(nm + "@types/node/package.json", R"({"name":"@types/node","version":"20.1.0"})"),
      F(nm + "@types/node/index.d.ts", bytes(400)),
  }});
  PackageReport r = build_package_report(*img);
  const PackageRow* odd = find(r, "is-odd");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->version, "3.0.1");
  EXPECT_EQ(odd->files, 3u);  // package.json, index.js, lib/package.json
  const PackageRow* num = find(r, "is-number");
  ASSERT_TRUE(num);
  EXPECT_EQ(num->version, "6.0.0, 7.0.0");
  EXPECT_EQ(num->copies, 2u);
  EXPECT_EQ(num->files, 4u);
  EXPECT_EQ(find(r, "@types/node")->files, 2u);
  EXPECT_EQ(r.unowned_files, 3u);
  EXPECT_EQ(r.unowned_bytes, 33u);
  expect_sums(r, *img);
}

TEST(Packages, DatabaseWithoutContentIsAWarning) {
  auto img = merge({{F("usr/bin/x", bytes(5)), F("var/lib/dpkg/status", stanza("p", "1"))}});
  PackageReport r = build_package_report(*img);
  EXPECT_TRUE(r.packages.empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].rfind("/var/lib/dpkg/status: package database not read: past the 256 MiB", 0), 0u)
      << r.warnings[0];
  expect_sums(r, *img);
}

TEST(Packages, TableFoldsIntoOtherAndNoPackage) {
  std::string status, files;
  std::vector<LayerEntry> layer;
  for (int i = 0; i < 5; ++i) {
    std::string n = "p" + std::to_string(i);
    status += stanza(n, "1");
    layer.push_back(F("usr/" + n, bytes(10 * (i + 1))));
    layer.push_back(DB("var/lib/dpkg/info/" + n + ".list", "/usr/" + n + "\n"));
  }
  layer.push_back(DB("var/lib/dpkg/status", status));
  auto img = merge({layer});
  PackageReport r = build_package_report(*img);
  auto t = package_table(r, 2);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].name, "p4");
  EXPECT_EQ(t[1].name, "p3");
  EXPECT_EQ(t[2].name, "[other]");
  EXPECT_EQ(t[2].bytes, 60u);
  EXPECT_EQ(t[2].folded, 3u);
  EXPECT_EQ(t[3].name, "[no package]");
  expect_sums(r, *img);
}

TEST(Packages, DiffAddedRemovedUpgradedWithByteDeltas) {
  auto before = merge({{
      F("usr/lib/libssl.so", bytes(1000)), F("usr/bin/curl", bytes(300)), F("usr/bin/vim", bytes(50)),
      F("etc/motd", bytes(9)),
      DB("var/lib/dpkg/status", stanza("libssl3", "3.0.11-1~deb12u2") + stanza("curl", "7.88.1-10") +
                                    stanza("vim", "2:9.0.1378-2")),
      DB("var/lib/dpkg/info/libssl3.list", "/usr/lib/libssl.so\n"),
      DB("var/lib/dpkg/info/curl.list", "/usr/bin/curl\n"),
      DB("var/lib/dpkg/info/vim.list", "/usr/bin/vim\n"),
  }});
  auto after = merge({{
      F("usr/lib/libssl.so", bytes(1200)), F("usr/bin/vim", bytes(40)), F("usr/bin/jq", bytes(70)),
      F("etc/motd", bytes(9)),
      DB("var/lib/dpkg/status", stanza("libssl3", "3.0.13-1~deb12u1") + stanza("jq", "1.6-2.1") +
                                    stanza("vim", "2:9.0.1378-1")),
      DB("var/lib/dpkg/info/libssl3.list", "/usr/lib/libssl.so\n"),
      DB("var/lib/dpkg/info/jq.list", "/usr/bin/jq\n"),
      DB("var/lib/dpkg/info/vim.list", "/usr/bin/vim\n"),
  }});
  PackageReport rb = build_package_report(*before), ra = build_package_report(*after);
  PackageDiff d = diff_packages(rb, ra);
  EXPECT_TRUE(d.any);
  ASSERT_EQ(d.rows.size(), 4u);
  EXPECT_EQ(d.rows[0].name, "curl");  // |-300|
  EXPECT_EQ(d.rows[0].change, PackageChange::Removed);
  EXPECT_EQ(d.rows[0].delta(), -300);
  EXPECT_EQ(d.rows[1].name, "libssl3");  // +200
  EXPECT_EQ(d.rows[1].change, PackageChange::Upgraded);
  EXPECT_EQ(d.rows[1].version_before, "3.0.11-1~deb12u2");
  EXPECT_EQ(d.rows[1].version_after, "3.0.13-1~deb12u1");
  EXPECT_EQ(d.rows[1].delta(), 200);
  EXPECT_EQ(d.rows[2].name, "jq");
  EXPECT_EQ(d.rows[2].change, PackageChange::Added);
  EXPECT_EQ(d.rows[3].name, "vim");
  EXPECT_EQ(d.rows[3].change, PackageChange::Downgraded);
  EXPECT_EQ(d.added, 1u);
  EXPECT_EQ(d.removed, 1u);
  EXPECT_EQ(d.upgraded, 1u);
  EXPECT_EQ(d.downgraded, 1u);
  int64_t sum = d.unowned.delta();
  for (const auto& row : d.rows) sum += row.delta();
  EXPECT_EQ(sum, static_cast<int64_t>(ra.content_size) - static_cast<int64_t>(rb.content_size));
  // A table of every package reconciles; one of the changed ones folds the rest into [other].
  auto all = package_diff_table(d, 2, false);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[2].name, "[other]");
  EXPECT_EQ(all[2].folded, 2u);
  EXPECT_EQ(all[3].name, "[no package]");
  int64_t tsum = 0;
  uint64_t tb = 0;
  for (const auto& row : all) {
    tsum += row.delta();
    tb += row.before;
  }
  EXPECT_EQ(tsum, static_cast<int64_t>(ra.content_size) - static_cast<int64_t>(rb.content_size));
  EXPECT_EQ(tb, rb.content_size);
}

TEST(Packages, DiffUnchangedAndNoDatabases) {
  auto a = merge({{F("x", "1")}});
  PackageDiff d = diff_packages(build_package_report(*a), build_package_report(*a));
  EXPECT_FALSE(d.any);
  EXPECT_TRUE(d.rows.empty());
  auto t = package_diff_table(d, 10, true);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].name, "[no package]");
  EXPECT_EQ(t[0].change, PackageChange::Unchanged);
}

TEST(Packages, PythonNamesCompareNormalised) {
  auto b = merge({{DB("usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/RECORD", "")}});
  auto a = merge({{DB("usr/lib/python3/dist-packages/pyyaml-6.0.1.dist-info/RECORD", "")}});
  PackageDiff d = diff_packages(build_package_report(*b), build_package_report(*a));
  ASSERT_EQ(d.rows.size(), 1u);
  EXPECT_EQ(d.rows[0].change, PackageChange::Upgraded);
  EXPECT_EQ(d.rows[0].name, "pyyaml");
}

TEST(Packages, VersionsCompareAsDpkgDoes) {
  EXPECT_LT(compare_versions("1.0~rc1", "1.0"), 0);
  EXPECT_LT(compare_versions("1.0-1", "1.0-2"), 0);
  EXPECT_GT(compare_versions("2.10", "2.9"), 0);
  EXPECT_GT(compare_versions("1:1.0", "2.0"), 0);
  EXPECT_EQ(compare_versions("1.0", "1.00"), 0);
  EXPECT_LT(compare_versions("1.2.4-r1", "1.2.4-r2"), 0);
  EXPECT_GT(compare_versions("3.0.13-1~deb12u1", "3.0.11-1~deb12u2"), 0);
  EXPECT_LT(compare_versions("1.0a", "1.0b"), 0);
}

}  // namespace
}  // namespace layerdiff::test
