// main.cc: flags (CLI11) -> plain options -> pipeline -> renderer; the one place that catches
// Error and chooses the exit code: 0 ok, 1 differences/gate failed (where asked), 2 error.
#include <malloc.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <future>
#include <optional>
#include <set>
#include <iostream>

#include <fstream>
#include <sstream>

#include "analyzer/diff.h"
#include "analyzer/diff_report.h"
#include "analyzer/dockerfile.h"
#include "analyzer/error.h"
#include "analyzer/gate.h"
#include "analyzer/inspect.h"
#include "analyzer/merged_image.h"
#include "analyzer/packages.h"
#include "cmd/check_options.h"
#include "cmd/limit_options.h"
#include "cmd/progress.h"
#include "cmd/source_options.h"
#include "cmd/docgen.h"
#include "cmd/render.h"
#include "cmd/version.h"
#include "formats/image_reader.h"

namespace layerdiff {
namespace {

struct Options {
  std::string image_path;
  ReadOptions read;
  bool no_verify = false;
  bool no_cache = false;
  bool quiet = false;
  std::string cache_dir;
  std::string format = "table";
  std::string color = "auto";
  bool wide = false;  ///< --wide: never cut table cells to the terminal's width
  std::string layer;  ///< ls --layer N|all
  std::string before_image, after_image, before_platform, after_platform;
  size_t top = 10;
  int depth = 2;
  // diff
  std::vector<std::string> images;          ///< BEFORE AFTER
  std::vector<std::string> stages;          ///< NAME=IMAGE
  std::string dockerfile, before_dockerfile;
  bool mtime = false;
  bool exit_code = false;
  std::string by = "path";  ///< --by: path (directories and files) or package
  CheckFlags check;  ///< `layerdiff check`
  SourceOptions sources;  ///< registries and daemons (sources/)
  std::string html_file;        ///< --html FILE: the HTML page too, beside --format's output
  size_t treemap_nodes = 20000;  ///< --treemap-nodes: paths the HTML treemap keeps by name
  std::string generate;         ///< hidden --generate KIND: the man page or a shell completion
};

Format parse_format(const std::string& s) {
  if (s == "json") return Format::Json;
  if (s == "html") return Format::Html;
  if (s == "markdown" || s == "md") return Format::Markdown;
  return Format::Table;
}

/// Colour: --color always, or on a terminal unless NO_COLOR is set (https://no-color.org: an
/// explicit flag wins over the variable). Cells are cut to the terminal's width only when
/// stdout is one and --wide is not given.
Style style_for(const Options& o) {
  Style st;
  const char* nc = std::getenv("NO_COLOR");
  bool no_color = nc && *nc;
  bool tty = isatty(STDOUT_FILENO);
  if (o.color == "always") st.color = true;
  else if (o.color == "auto") st.color = !no_color && tty;
  if (tty && !o.wide) {
    struct winsize ws {};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) st.width = ws.ws_col;
    else if (const char* c = std::getenv("COLUMNS"); c && std::atoi(c) > 0) st.width = std::atoi(c);
    else st.width = 80;
  }
  return st;
}

TerminalProgress* g_progress = nullptr;  ///< the run's progress line (main() owns it)

LayerStore* g_store = nullptr;  ///< the run's layer store (main() owns it)

/// Every image is merged: the layers' entries are no longer needed (the trees hold the result).
void images_loaded() {
  if (g_store) g_store->drop_memory();
}

/// The report starts: the progress line goes away for good.
void output_begins() {
  if (g_progress) g_progress->finish();
}

void warn(const std::string& w) {
  if (g_progress) g_progress->print("layerdiff: warning: " + w);
  else std::cerr << "layerdiff: warning: " << w << "\n";
}

enum class Side { Any, Before, After };

/// Reads and merges one image. --before-image/--after-image and --before-platform/--after-platform
/// override --image and --platform for that side of a diff (or the baseline and image of check).
std::unique_ptr<MergedImage> load(const std::string& path, const Options& o, Side side = Side::Any,
                                  LayerChangeSink* changes = nullptr) {
  if (g_progress) g_progress->set_label(path);
  ReadOptions ro = o.read;
  const std::string& ref = side == Side::Before ? o.before_image : side == Side::After ? o.after_image : "";
  const std::string& plat =
      side == Side::Before ? o.before_platform : side == Side::After ? o.after_platform : "";
  if (!ref.empty()) ro.image = ref;
  if (!plat.empty()) ro.platform = plat;
  ro.merged_cache = changes == nullptr;  // listing what each layer did takes the layers
  LoadedImage li = load_image(path, ro, o.sources);
  for (auto& w : li.warnings) warn(w);
  Diagnostics diag;
  auto img = merge_loaded(std::move(li), diag, ro.store, changes);
  for (auto& w : diag.warnings) warn(w);
  return img;
}

/// -n N (--top too): rows per list. Messages name -n, as the README does.
void add_top_option(CLI::App* c, size_t& top, const std::string& help) {
  c->add_option_function<std::string>(
       "-n,--top",
       [&top](const std::string& v) {
         char* end = nullptr;
         long long n = std::strtoll(v.c_str(), &end, 10);
         if (v.empty() || *end || n < 1 || n > 1000000)
           throw CLI::ValidationError("-n", "expected a number of rows from 1 to 1000000, got " + v);
         top = static_cast<size_t>(n);
       },
       help)
      ->type_name("N");
}

void add_read_options(CLI::App* c, Options& o) {
  c->add_option("--image", o.read.image, "which image of an archive holding several (tag or ref)");
  c->add_option("--platform", o.read.platform,
                "os/arch[/variant] of a multi-platform index (default linux/amd64, else the only one)");
  c->add_flag("--no-verify", o.no_verify,
              "skip checking blob sha256 digests and diff_ids (faster, trusts the archive)");
  add_limit_options(c, o.read.limits);
  c->add_option("--before-image", o.before_image, "--image for BEFORE (the baseline of check) only");
  c->add_option("--after-image", o.after_image, "--image for AFTER (the checked image) only");
  c->add_option("--before-platform", o.before_platform, "--platform for BEFORE (the baseline) only");
  c->add_option("--after-platform", o.after_platform, "--platform for AFTER (the checked image) only");
  add_source_options(c, o.sources);
  c->add_flag("-q,--quiet", o.quiet, "no progress line on stderr (it only shows on a terminal)");
  c->add_flag("--no-cache", o.no_cache,
              "neither use nor write the cache of layer indexes and merged images (re-read and\n"
              "re-verify every layer)");
  c->add_option("--cache-dir", o.cache_dir,
                "the cache of layer indexes and merged images (default $XDG_CACHE_HOME/layerdiff\n"
                "or ~/.cache/layerdiff)");
}

void add_image_options(CLI::App* c, Options& o) {
  c->add_option("IMAGE", o.image_path,
                "docker save archive, OCI archive, OCI layout directory, or - for stdin (the\n"
                "archive may be gzip- or zstd-compressed); docker://HOST/NAME:TAG (a registry),\n"
                "docker-daemon:NAME:TAG; a bare NAME:TAG that is no file is read from its registry")
      ->required();
  add_read_options(c, o);
}

/// The HTML page: --html FILE beside another --format, and (inspect, diff) the treemap's size.
void add_html_options(CLI::App* c, Options& o, bool treemap) {
  c->add_option("--html", o.html_file,
                "also write the report as one self-contained HTML page to FILE (beside the\n"
                "--format output on stdout; --format html writes the page to stdout)")
      ->type_name("FILE")
      ->check([](const std::string& s) {
        return s == "-" ? std::string("use --format html to write the page to stdout") : std::string();
      });
  if (treemap)
    c->add_option("--treemap-nodes", o.treemap_nodes,
                  "paths the HTML treemap draws by name (the biggest; the rest of each directory\n"
                  "folds into [other]); bounds the page's size (default 20000)")
        ->check(CLI::Range(1, 10000000));
}

/// True when the run writes an HTML page (it needs the treemap and the packages).
bool wants_html(const Options& o) { return o.format == "html" || !o.html_file.empty(); }

/// Writes a report to `path` with `render`; an error names the file.
template <class Render>
void write_file(const std::string& path, Render&& render) {
  std::ofstream file(path, std::ios::trunc | std::ios::binary);
  if (file) render(file);
  file.close();
  if (!file) throw Error(path + ": cannot write the report");
}

/// Options of the diff, on both `layerdiff diff` and the bare `layerdiff BEFORE AFTER`.
void add_diff_options(CLI::App* c, Options& o, bool required) {
  auto* imgs = c->add_option("BEFORE AFTER", o.images, "the two images (archive, directory, -, docker://…, docker-daemon:…)")
                   ->expected(2);
  if (required) imgs->required();
  add_read_options(c, o);
  c->add_option("--format", o.format, "table, json, markdown or html")
      ->check(CLI::IsMember({"table", "json", "markdown", "md", "html"}));
  add_html_options(c, o, true);
  add_top_option(c, o.top, "rows per list and per rollup level; the rest fold into [other]");
  c->add_option("--depth", o.depth, "directory depth of the size rollup")->check(CLI::Range(1, 4096));
  c->add_option("--color", o.color, "auto (a terminal without NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  c->add_flag("--wide", o.wide, "never cut table cells to fit the terminal's width");
  c->add_option("--stage", o.stages,
                "NAME=IMAGE: the image of an intermediate build stage (e.g. saved with\n"
                "docker build --target NAME); reports what it held that AFTER lacks")
      ->each([](const std::string& s) {
        if (s.find('=') == std::string::npos || s.front() == '=' || s.back() == '=')
          throw CLI::ValidationError("expected NAME=IMAGE, got " + s);
      })
      ->allow_extra_args(false);  // one value per --stage: the images that follow stay positional
  c->add_option("--dockerfile", o.dockerfile,
                "Dockerfile of AFTER: label layers with their stage and instruction");
  c->add_option("--before-dockerfile", o.before_dockerfile,
                "Dockerfile of BEFORE when it was built from another one (default: --dockerfile)");
  c->add_flag("--mtime", o.mtime,
              "also report files whose only change is their mtime, and the config's created");
  c->add_flag("--exit-code", o.exit_code,
              "exit 1 when the images differ: files or config (errors exit 2)");
  c->add_option("--by", o.by, "path (default) or package: the size rollup by dpkg/apk/python/npm\n"
                             "package in place of by directory")
      ->check(CLI::IsMember({"path", "package"}));
}

/// The --stage images and Dockerfiles that label layers with stages and instructions, for the
/// diff and the check. `in` points into the other members: fill it where it will stay.
struct StageSources {
  std::vector<std::unique_ptr<MergedImage>> images;
  Dockerfile df, before_df;
  StageInputs in;
};

void load_stage_sources(const Options& o, StageSources& src) {
  std::set<std::string> names;
  for (const auto& s : o.stages) {
    auto eq = s.find('=');
    std::string name = s.substr(0, eq);
    std::string lname = name;
    for (auto& c : lname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!names.insert(lname).second)
      throw Error("--stage " + name + " is given twice; which image is stage " + name + "?");
    src.images.push_back(load(s.substr(eq + 1), o));
    src.in.stages.push_back({name, src.images.back().get()});
  }
  auto read_dockerfile = [](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(path + ": cannot open the Dockerfile");
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_dockerfile(ss.str(), path);
  };
  if (!o.dockerfile.empty()) {
    src.df = read_dockerfile(o.dockerfile);
    src.in.dockerfile = &src.df;
    for (const auto& st : src.in.stages)
      if (!src.df.find(st.name)) {
        std::string all;
        for (const auto& x : src.df.stages) all += (all.empty() ? "" : ", ") + x.name;
        warn("--stage " + st.name + ": " + o.dockerfile + " has no stage of that name (its stages: " +
             all + "); its layers are labelled " + st.name + " by their ChainIDs only");
      }
  }
  if (!o.before_dockerfile.empty()) {
    src.before_df = read_dockerfile(o.before_dockerfile);
    src.in.before_dockerfile = &src.before_df;
  }
}

/// `created`: compare the configs' creation times even without --mtime (check's rules).
DiffReport diff_report(const MergedImage& before, const MergedImage& after, const StageInputs& in,
                       const Options& o, bool created = false) {
  DiffOptions dopt;
  dopt.mtime = o.mtime;
  DiffReportOptions ropt;
  ropt.top = o.top;
  ropt.depth = o.depth;
  ropt.config.created = o.mtime || created;
  if (wants_html(o)) ropt.treemap_nodes = o.treemap_nodes;
  return build_diff_report(before, after, in, dopt, ropt);
}

/// --by package on inspect: the image's package report (its warnings printed here).
std::optional<PackageView> package_view(const MergedImage& img, const Options& o) {
  if (o.by != "package") return std::nullopt;
  PackageView v;
  v.report = build_package_report(img);
  v.top = o.top;
  for (const auto& w : v.report.warnings) std::cerr << "layerdiff: warning: " << w << "\n";
  return v;
}

/// The package diff of two images, each image's report built on its own core: a report reads
/// only its own image's tree (whose lookup caches are not shared).
PackageDiff package_diff_of(const MergedImage& before, const MergedImage& after) {
  auto b = std::async(std::launch::async, [&] { return build_package_report(before); });
  PackageReport a = build_package_report(after);
  return diff_packages(b.get(), std::move(a));
}

int run_diff(const Options& o) {
  if (o.images.size() != 2) throw Error("diff needs two images: layerdiff BEFORE AFTER");
  if (o.images[0] == "-" && o.images[1] == "-") throw Error("only one image can come from stdin (-)");
  auto before = load(o.images[0], o, Side::Before);
  auto after = load(o.images[1], o, Side::After);
  StageSources src;
  load_stage_sources(o, src);
  images_loaded();
  DiffReport r = diff_report(*before, *after, src.in, o);
  output_begins();
  PackageDiffView pk;
  pk.diff = package_diff_of(*before, *after);
  pk.top = o.top;
  pk.by_package = o.by == "package";
  for (const auto& w : pk.diff.warnings) std::cerr << "layerdiff: warning: " << w << "\n";
  render_diff(r, parse_format(o.format), style_for(o), std::cout, &pk);
  if (!o.html_file.empty()) write_file(o.html_file, [&](std::ostream& s) { render_html_diff(r, &pk, s); });
  return o.exit_code && images_differ(r) ? 1 : 0;
}

/// `layerdiff check`: the rules (flags over the config file) judged on AFTER and its diff against
/// --baseline. Reports on stdout, in --junit FILE and, when GITHUB_ACTIONS=true, as `::error::`
/// commands (stdout; stderr with --format json) and a Markdown $GITHUB_STEP_SUMMARY.
/// Returns 1 when a rule failed; errors throw (exit 2).
int run_check(Options& o, CLI::App* cmd) {
  apply_check_config(cmd, o.check);
  GateRules rules = gate_rules(o.check);
  const std::string& base = o.check.baseline;
  if (base == "-" && o.image_path == "-") throw Error("only one image can come from stdin (-)");
  auto after = load(o.image_path, o, Side::After);
  std::unique_ptr<MergedImage> before;
  if (!base.empty()) before = load(base, o, Side::Before);
  StageSources src;
  load_stage_sources(o, src);
  images_loaded();
  InspectOptions io;
  io.top = o.top;
  io.depth = o.depth;
  InspectReport ir = build_inspect(*after, io);
  std::optional<DiffReport> diff;
  GateInput in;
  in.after = after.get();
  in.inspect = &ir;
  if (before) {
    diff = diff_report(*before, *after, src.in, o, true);
    in.diff = &*diff;
    in.labels = after_layer_labels(*diff);
  } else {
    in.labels = label_layers(nullptr, *after, src.in).after;
  }
  std::optional<PackageReport> packages;  // --forbid-package, --max-package-growth
  std::optional<PackageDiff> package_diff;
  if (!rules.forbid_packages.empty() || rules.max_package_growth) {
    // BEFORE's report on the other core while AFTER's is built (each reads only its own tree)
    std::future<PackageReport> before_packages;
    if (before) before_packages = std::async(std::launch::async, [&] { return build_package_report(*before); });
    packages = build_package_report(*after);
    in.packages = &*packages;
    if (before) {
      package_diff = diff_packages(before_packages.get(), *packages);
      in.package_diff = &*package_diff;
    }
  }
  GateOptions go;
  go.top = o.top;
  GateReport g = evaluate_gate(rules, in, go);

  Format f = parse_format(o.format);
  output_begins();
  render_check(g, f, style_for(o), std::cout);
  const char* gha = std::getenv("GITHUB_ACTIONS");
  bool on_github = gha && std::string(gha) == "true";
  if (on_github) render_github_annotations(g, f == Format::Json ? std::cerr : std::cout);
  auto write = [](const std::string& path, std::ios::openmode mode, const auto& render) {
    std::ofstream file(path, mode | std::ios::binary);
    if (file) render(file);
    file.close();
    if (!file) throw Error(path + ": cannot write the report");
  };
  if (!o.check.junit.empty())
    write(o.check.junit, std::ios::trunc, [&](std::ostream& s) { render_junit(g, s); });
  if (!o.html_file.empty()) write_file(o.html_file, [&](std::ostream& s) { render_html_check(g, s); });
  const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (on_github && summary && *summary)
    write(summary, std::ios::app, [&](std::ostream& s) { render_check(g, Format::Markdown, {}, s); });
  return g.passed() ? 0 : 1;
}

/// The command line: every subcommand and option with the texts that --help, the man page and
/// the shell completions show (cmd/docgen.cc reads them from here), bound to `o`.
struct Cli {
  std::unique_ptr<CLI::App> app;
  CLI::App *diff = nullptr, *inspect = nullptr, *ls = nullptr, *check = nullptr;
};

Cli build_cli(Options& o) {
  Cli cli;
  cli.app = std::make_unique<CLI::App>(
      "layerdiff: open container images, merge their layers as a runtime does, and show where\n"
      "their bytes are and where they went.",
      "layerdiff");
  CLI::App& app = *cli.app;
  app.set_version_flag("--version", version_line(), "print the version and the commit it was built from");
  app.add_option("--generate", o.generate, "write the man page or a shell completion (build use)")
      ->check(CLI::IsMember({"man", "bash", "zsh", "fish"}))
      ->group("");  // hidden: the build makes the installed files with it
  app.require_subcommand(0, 1);
  app.footer(
      "Examples:\n"
      "  layerdiff before.tar after.tar              what changed, where the bytes went\n"
      "  layerdiff old.tar new.tar --dockerfile Dockerfile --stage builder=builder.tar\n"
      "                                              ... by instruction and build stage\n"
      "  layerdiff inspect app.tar                   where the bytes of an image are\n"
      "  docker save app | layerdiff inspect -       read the archive from stdin\n"
      "  layerdiff inspect --format json oci-dir/    machine-readable report\n"
      "  layerdiff docker://reg.example/app:main docker://reg.example/app:pr-42\n"
      "                                              two images in a registry\n"
      "  layerdiff inspect docker-daemon:app:1       an image of the local Docker daemon\n"
      "  layerdiff ls --platform linux/arm64 img.tar the merged filesystem, one path a line\n"
      "\n"
      "Exit codes: 0 ok, 1 differences or a failed gate (where asked), 2 error.");
  add_diff_options(&app, o, false);
  CLI::App* diff = cli.diff = app.add_subcommand("diff", "diff two images (the same as layerdiff BEFORE AFTER)");
  add_diff_options(diff, o, true);
  diff->footer(
      "Examples:\n"
      "  layerdiff diff before.tar after.tar\n"
      "  layerdiff diff --format markdown base.tar pr.tar > comment.md\n"
      "  layerdiff diff --dockerfile Dockerfile --stage builder=builder.tar single.tar multi.tar\n"
      "  layerdiff diff --exit-code a.tar b.tar || echo 'images differ'");

  CLI::App* inspect = cli.inspect = app.add_subcommand(
      "inspect", "one image's size analysis, its config, and audit findings (hidden files,\n"
                 "leftover caches, setuid/world-writable files, devices outside /dev)");
  add_image_options(inspect, o);
  inspect->add_option("--format", o.format, "table, json, markdown or html")
      ->check(CLI::IsMember({"table", "json", "markdown", "md", "html"}));
  add_html_options(inspect, o, true);
  add_top_option(inspect, o.top, "rows per list and per directory level; the rest fold into [other]");
  inspect->add_option("--depth", o.depth, "directory depth of the largest-directories list")
      ->check(CLI::Range(1, 4096));
  inspect->add_option("--by", o.by, "path (default: layers, directories, files) or package (which\n"
                                    "dpkg/apk/python/npm package owns the bytes)")
      ->check(CLI::IsMember({"path", "package"}));
  inspect->add_option("--dockerfile", o.dockerfile,
                      "the image's Dockerfile: label each layer with its stage and instruction");
  inspect->add_option("--color", o.color, "auto (a terminal without NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  inspect->footer(
      "Examples:\n"
      "  layerdiff inspect app.tar\n"
      "  layerdiff inspect -n 20 --depth 3 app.tar\n"
      "  layerdiff inspect --format markdown app.tar >> $GITHUB_STEP_SUMMARY");

  CLI::App* ls = cli.ls = app.add_subcommand(
      "ls", "the merged filesystem as a runtime would unpack it: one line per path,\n"
            "sorted bytewise, tab-separated: path type size mode uid gid target");
  add_image_options(ls, o);
  ls->add_option("--format", o.format, "table (tab-separated) or json (JSON lines)")
      ->check(CLI::IsMember({"table", "json"}));
  ls->add_option("--layer", o.layer,
                 "N or all: what layer N did to the tree below it, one changed path a line:\n"
                 "A added, M modified, D removed (a whiteout, an opaque directory, a replaced type),\n"
                 "then the ls columns (the new state; a removed path's old one)")
      ->type_name("N|all");
  ls->footer(
      "Types: f file, d directory, l symlink (target), h another name of a file (target = first\n"
      "name), c/b device (target = major,minor), p fifo, s socket.\n"
      "Examples:\n"
      "  layerdiff ls app.tar | grep '^/usr/bin/'\n"
      "  layerdiff ls --layer 3 app.tar          what layer 3 added (A), modified (M), removed (D)\n"
      "  layerdiff ls --layer all --format json app.tar > changes.jsonl");

  CLI::App* check = cli.check = app.add_subcommand(
      "check", "a size-regression gate for CI: rules on AFTER and on its growth over\n"
               "--baseline; exit 0 all rules pass, 1 a rule failed, 2 an error");
  check->add_option("AFTER", o.image_path, "the image to check (archive, directory, -, docker://…, docker-daemon:…)")->required();
  add_read_options(check, o);
  check->add_option("--format", o.format, "table, json, markdown or html")
      ->check(CLI::IsMember({"table", "json", "markdown", "md", "html"}));
  add_html_options(check, o, false);
  add_top_option(check, o.top, "paths and layers listed per failed rule");
  check->add_option("--color", o.color, "auto (a terminal without NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  check->add_option("--dockerfile", o.dockerfile,
                    "Dockerfile of AFTER: name the stage and instruction behind each blamed layer");
  add_check_options(check, o.check);
  check->footer(
      "SIZE: 10MiB, 120MB, 512 (B, kB/MB/GB/TB = 1000, KiB/MiB/GiB/TiB = 1024); N%: percent.\n"
      "GLOB: anchored at the image root; * and ? within a name, ** any number of directories.\n"
      "Examples:\n"
      "  layerdiff check --max-size 200MiB --forbid '/usr/bin/gcc*' app.tar\n"
      "  layerdiff check --baseline main.tar --max-growth 5% --max-new-file 20MiB pr.tar\n"
      "  layerdiff check --config ci/layerdiff.toml --junit gate.xml pr.tar\n"
      "  layerdiff check --forbid-root-user --forbid-finding hidden-secret app.tar\n"
      "  layerdiff check --baseline main.tar --forbid-config-change Entrypoint pr.tar\n"
      "Config (.layerdiff.toml):\n"
      "  [check]\n"
      "  max-growth = \"5%\"\n"
      "  budget = [\"/usr/lib/**=120MiB\"]\n"
      "  forbid = [\"/usr/bin/gcc*\", \"**/.cache/**\"]");

  return cli;
}

}  // namespace

int run(int argc, char** argv) {
  // Blocks of 1 MiB and more (layer buffers, the tree's tables) are mapped and unmapped on their
  // own. glibc's default raises that threshold as such blocks are freed, after which their pages
  // stay in the heap: a quarter more peak memory on a large image.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  Options o;
  Cli cli = build_cli(o);
  CLI::App& app = *cli.app;
  CLI::App *diff = cli.diff, *inspect = cli.inspect, *ls = cli.ls, *check = cli.check;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "layerdiff: error: " << e.what() << "\n"
              << "Run 'layerdiff --help' (or 'layerdiff COMMAND --help') for usage.\n";
    return 2;
  }
  if (!o.generate.empty()) {
    write_docs(app, o.generate, std::cout);
    std::cout.flush();
    return std::cout ? 0 : 2;
  }

  o.read.verify = !o.no_verify;
  // Plain `ls` shows no digest and no package: unverified, its layers are read for their
  // headers alone (file data is skipped, a seek in an uncompressed archive).
  if (ls->parsed() && o.layer.empty() && o.format != "json") o.read.content = false;
  std::string cache_dir = o.no_cache ? std::string()
                                     : (o.cache_dir.empty() ? LayerStore::default_dir() : o.cache_dir);
  std::string unwritable = LayerStore(cache_dir).check_writable();
  if (!unwritable.empty()) {
    std::cerr << "layerdiff: warning: the layer cache is off for this run: " << unwritable << "\n";
    cache_dir.clear();
  }
  LayerStore store(cache_dir);
  o.read.store = &store;
  g_store = &store;
  // One image: nothing else in the run reads its layers, so each is freed once merged.
  if (inspect->parsed() || ls->parsed()) store.keep_in_memory(false);
  TerminalProgress progress(!o.quiet && isatty(STDERR_FILENO));
  g_progress = &progress;
  o.read.progress = &progress;
  try {
    std::ios::sync_with_stdio(false);
    if (check->parsed()) {
      int rc = run_check(o, check);
      std::cout.flush();
      if (!std::cout) throw Error("writing the output failed");
      return rc;
    }
    if (diff->parsed() || (!inspect->parsed() && !ls->parsed())) {
      if (o.images.empty()) {
        std::cerr << app.help() << "\nlayerdiff: error: no command or images given\n";
        return 2;
      }
      int rc = run_diff(o);
      std::cout.flush();
      if (!std::cout) throw Error("writing the output failed");
      return rc;
    }
    if (inspect->parsed()) {
      auto img = load(o.image_path, o);
      images_loaded();
      if (o.by != "package") img->tree.drop_contents();  // package databases: only for --by package
      InspectOptions io;
      io.top = o.top;
      io.depth = o.depth;
      if (wants_html(o)) io.treemap_nodes = o.treemap_nodes;
      InspectReport report = build_inspect(*img, io);
      if (!o.dockerfile.empty()) {
        StageSources src;
        load_stage_sources(o, src);
        auto labels = label_layers(nullptr, *img, src.in).after;
        for (size_t i = 0; i < labels.size() && i < report.layers.size(); ++i)
          if (labels[i].source != "history") {
            report.layers[i].stage = labels[i].stage;
            report.layers[i].instruction = labels[i].instruction;
          }
      }
      output_begins();
      std::optional<PackageView> pk = package_view(*img, o);
      // The page shows the packages whatever --by says (the other formats: with --by package).
      std::optional<PackageView> page_pk = pk;
      if (wants_html(o) && !page_pk) {
        page_pk.emplace();
        page_pk->report = build_package_report(*img);
        page_pk->top = o.top;
        for (const auto& w : page_pk->report.warnings) std::cerr << "layerdiff: warning: " << w << "\n";
      }
      Format f = parse_format(o.format);
      const std::optional<PackageView>& shown = f == Format::Html ? page_pk : pk;
      render_inspect(report, f, style_for(o), std::cout, shown ? &*shown : nullptr);
      if (!o.html_file.empty())
        write_file(o.html_file, [&](std::ostream& s) { render_html_inspect(report, page_pk ? &*page_pk : nullptr, s); });
    } else if (ls->parsed() && !o.layer.empty()) {
      LayerChangeRows changes;
      bool all = o.layer == "all";
      if (!all) {
        char* end = nullptr;
        long n = std::strtol(o.layer.c_str(), &end, 10);
        if (o.layer.empty() || *end || n < 0 || n > 1000000)
          throw Error("--layer: expected a layer index (0 is the bottom layer) or all, got " + o.layer);
        changes.only = static_cast<int>(n);
      }
      auto img = load(o.image_path, o, Side::Any, &changes);
      if (!all && static_cast<size_t>(changes.only) >= img->info.layers.size())
        throw Error(o.image_path + ": --layer " + o.layer + ": the image has " +
                    std::to_string(img->info.layers.size()) + " layers (0 to " +
                    std::to_string(img->info.layers.size() - 1) + ")");
      images_loaded();
      output_begins();
      render_layer_changes(changes, all, parse_format(o.format), std::cout);
    } else if (ls->parsed()) {
      auto img = load(o.image_path, o);
      images_loaded();
      img->tree.drop_contents();  // no package report
      output_begins();
      render_ls(*img, parse_format(o.format), std::cout);
    }
    std::cout.flush();
    if (!std::cout) {
      std::cerr << "layerdiff: error: writing the output failed\n";
      return 2;
    }
  } catch (const Error& e) {
    progress.finish();
    std::cout.flush();
    std::cerr << "layerdiff: error: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    progress.finish();
    std::cerr << "layerdiff: error: out of memory\n";
    return 2;
  } catch (const std::exception& e) {
    progress.finish();
    std::cerr << "layerdiff: error: internal: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace layerdiff

int main(int argc, char** argv) { return layerdiff::run(argc, argv); }
