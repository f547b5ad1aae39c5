#include "formats/image_reader.h"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "analyzer/error.h"
#include "analyzer/path.h"
#include "formats/byte_source.h"
#include "formats/config_reader.h"
#include "formats/limits.h"

namespace layerdiff {
namespace json = boost::json;
namespace {

constexpr std::string_view kRefName = "org.opencontainers.image.ref.name";
constexpr std::string_view kContainerdName = "io.containerd.image.name";

json::value parse_json(const std::string& text, const std::string& what) {
  json::parse_options po;
  po.max_depth = limits::kMaxJsonDepth;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, po);
  if (ec) throw Error(what + ": invalid JSON: " + ec.message());
  return v;
}

std::string str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

const json::object* obj(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

const json::array* arr(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_array() ? &v->as_array() : nullptr;
}

struct Platform {
  std::string os, arch, variant;
  bool empty() const { return os.empty() && arch.empty(); }
  std::string str() const {
    std::string s = os + "/" + arch;
    if (!variant.empty()) s += "/" + variant;
    return s;
  }
};

Platform platform_of(const json::object& o) {
  return {str(o, "os"), str(o, "architecture"), str(o, "variant")};
}

Platform parse_platform(const std::string& s) {
  auto parts = split_path(s);
  if (parts.size() < 2 || parts.size() > 3)
    throw Error("--platform " + s + ": expected os/arch[/variant], e.g. linux/arm64/v8");
  return {std::string(parts[0]), std::string(parts[1]),
          parts.size() == 3 ? std::string(parts[2]) : std::string()};
}

bool platform_matches(const Platform& want, const Platform& have) {
  if (want.os != have.os || want.arch != have.arch) return false;
  if (want.variant.empty()) return true;
  // arm64 images often omit the (only) variant v8.
  return want.variant == have.variant || (have.variant.empty() && want.arch == "arm64" &&
                                          want.variant == "v8");
}

/// A reference given with --image matches a stored one exactly, by its tag alone (OCI layouts
/// often store just "edge"), or with a registry/namespace prefix ("docker.io/library/x:1" ~ "x:1").
bool ref_matches(const std::string& want, const std::string& have) {
  if (want == have) return true;
  auto ends = [](const std::string& s, const std::string& suf) {
    return s.size() > suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
  };
  if (ends(have, "/" + want) || ends(want, ":" + have)) return true;
  if (want.find(':') == std::string::npos && want.find('@') == std::string::npos)
    return ref_matches(want + ":latest", have);
  return false;
}

/// "sha256:<hex>" -> "blobs/sha256/<hex>", refusing anything that is not a plain digest.
std::string blob_path(const std::string& digest, const std::string& what) {
  auto c = digest.find(':');
  bool ok = c != std::string::npos && c > 0 && c + 1 < digest.size();
  if (ok) {
    for (size_t i = 0; i < digest.size(); ++i) {
      char ch = digest[i];
      if (i == c) continue;
      bool good = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                  (i < c && (ch == '+' || ch == '.' || ch == '_' || ch == '-'));
      if (!good) ok = false;
    }
  }
  if (!ok) throw Error(what + ": invalid digest \"" + digest + "\"");
  return "blobs/" + digest.substr(0, c) + "/" + digest.substr(c + 1);
}

bool is_index_media_type(const std::string& mt) {
  return mt == "application/vnd.oci.image.index.v1+json" ||
         mt == "application/vnd.docker.distribution.manifest.list.v2+json";
}

bool is_manifest_media_type(const std::string& mt) {
  return mt == "application/vnd.oci.image.manifest.v1+json" ||
         mt == "application/vnd.docker.distribution.manifest.v2+json";
}

struct Candidate {
  std::string ref;
  std::string digest;  // manifest digest
  std::string context;  // the index that lists it, for messages
  json::object manifest;
  bool loaded = false;  // manifest read (else only its descriptor is known)
  Platform platform;
  bool attestation = false;
};

class Reader {
 public:
  Reader(std::unique_ptr<ImageSource> src, const ReadOptions& opt)
      : opt_(opt), src_(std::move(src)) {}

  LoadedImage read() {
    bool docker = src_->has("manifest.json");
    bool oci = src_->has("index.json");
    if (docker && !(oci && !opt_.platform.empty())) return read_docker();
    if (oci) return read_oci();
    throw Error(src_->label() + ": not a container image: no manifest.json (docker save) or "
                "index.json (OCI layout) found");
  }

 private:
  std::string what(const std::string& member) const { return src_->label() + ": " + member; }

  std::string read_verified(const std::string& digest, const std::string& context) {
    std::string member = blob_path(digest, context);
    std::string text = src_->read_small(member);
    if (opt_.verify && digest.rfind("sha256:", 0) == 0) {
      std::string got = sha256_digest(text);
      if (got != digest)
        throw Error(what(member) + ": digest mismatch: expected " + digest + ", content is " + got);
    }
    return text;
  }

  void walk_index(const json::object& index, const std::string& context, int depth,
                  const std::string& inherited_ref, std::vector<Candidate>& out) {
    if (depth > limits::kMaxIndexDepth)
      throw LimitError(context + ": indexes nested deeper than " +
                       std::to_string(limits::kMaxIndexDepth) + limit_hint(""));
    const json::array* ms = arr(index, "manifests");
    if (!ms) throw Error(context + ": index has no \"manifests\" array");
    for (const auto& dv : *ms) {
      if (!dv.is_object()) throw Error(context + ": a manifests entry is not an object");
      const json::object& d = dv.as_object();
      std::string digest = str(d, "digest");
      std::string mt = str(d, "mediaType");
      std::string ref = inherited_ref;
      const json::object* ann = obj(d, "annotations");
      bool attest = false;
      if (ann) {
        std::string r = str(*ann, kRefName);
        if (r.empty()) r = str(*ann, kContainerdName);
        if (!r.empty()) ref = r;
        attest = str(*ann, "vnd.docker.reference.type") == "attestation-manifest";
      }
      if (++manifests_seen_ > limits::kMaxManifests)
        throw LimitError(context + ": more than " + std::to_string(limits::kMaxManifests) +
                         " manifest descriptors in the indexes" + limit_hint(""));
      std::string member = blob_path(digest, context);
      Candidate c;
      c.ref = ref;
      c.digest = digest;
      c.context = context;
      if (const json::object* p = obj(d, "platform")) c.platform = platform_of(*p);
      c.attestation = attest || c.platform.os == "unknown";
      if (is_manifest_media_type(mt)) {
        // An image manifest by its descriptor: read only if chosen (a registry serves each
        // platform's manifest on its own request).
        out.push_back(std::move(c));
        continue;
      }
      if (std::find(index_chain_.begin(), index_chain_.end(), digest) != index_chain_.end())
        throw Error(context + ": index " + digest + " contains itself");
      std::string text = read_verified(digest, context);
      json::value doc = parse_json(text, what(member));
      if (!doc.is_object()) throw Error(what(member) + ": expected a JSON object");
      const json::object& o = doc.as_object();
      if (is_index_media_type(mt) || is_index_media_type(str(o, "mediaType")) ||
          o.contains("manifests")) {
        index_chain_.push_back(digest);
        walk_index(o, what(member), depth + 1, ref, out);
        index_chain_.pop_back();
        continue;
      }
      c.manifest = o;
      c.loaded = true;
      out.push_back(std::move(c));
    }
  }

  /// The candidate's manifest, read now if only its descriptor was.
  const json::object& manifest_of(Candidate& c) {
    if (!c.loaded) {
      std::string member = blob_path(c.digest, c.context);
      json::value doc = parse_json(read_verified(c.digest, c.context), what(member));
      if (!doc.is_object()) throw Error(what(member) + ": expected a JSON object");
      if (doc.as_object().contains("manifests"))
        throw Error(what(member) + ": an index where its descriptor says image manifest");
      c.manifest = std::move(doc.as_object());
      c.loaded = true;
    }
    return c.manifest;
  }

  LoadedImage read_oci() {
    json::value idx = parse_json(src_->read_small("index.json"), what("index.json"));
    if (!idx.is_object()) throw Error(what("index.json") + ": expected a JSON object");
    if (!src_->has("oci-layout"))
      warnings_.push_back(src_->label() + ": oci-layout file missing; reading index.json anyway");
    std::vector<Candidate> all;
    walk_index(idx.as_object(), what("index.json"), 1, "", all);
    std::vector<Candidate> cands;
    for (auto& c : all)
      if (!c.attestation) cands.push_back(std::move(c));
    if (cands.empty()) throw Error(what("index.json") + ": no image manifest in the index");

    if (!opt_.image.empty()) {
      std::vector<Candidate> keep;
      for (auto& c : cands)
        if (ref_matches(opt_.image, c.ref) || c.digest == opt_.image) keep.push_back(std::move(c));
      if (keep.empty())
        throw Error(src_->label() + ": no image " + opt_.image + " here; images: " +
                    list_refs(cands));
      cands = std::move(keep);
    } else {
      std::set<std::string> refs;
      for (auto& c : cands) refs.insert(c.ref);
      if (refs.size() > 1)
        throw Error(src_->label() + ": holds " + std::to_string(refs.size()) +
                    " images; choose one with --image: " + list_refs(cands));
    }

    // Platforms: from the descriptor, else from the config (not needed to take the only one).
    for (auto& c : cands) {
      if (!c.platform.empty() || (cands.size() == 1 && opt_.platform.empty())) continue;
      if (const json::object* cfg = obj(manifest_of(c), "config")) {
        std::string cd = str(*cfg, "digest");
        json::value cj = parse_json(read_verified(cd, what("manifest " + short_digest(c.digest))),
                                    what(blob_path(cd, "config")));
        if (cj.is_object()) c.platform = platform_of(cj.as_object());
      }
    }
    Candidate* chosen = nullptr;
    if (!opt_.platform.empty()) {
      Platform want = parse_platform(opt_.platform);
      for (auto& c : cands)
        if (platform_matches(want, c.platform)) {
          chosen = &c;
          break;
        }
      if (!chosen)
        throw Error(src_->label() + ": no image for platform " + opt_.platform +
                    "; platforms: " + list_platforms(cands));
    } else if (cands.size() == 1) {
      chosen = &cands[0];
    } else {
      for (auto& c : cands)
        if (c.platform.os == "linux" && c.platform.arch == "amd64") {
          chosen = &c;
          break;
        }
      if (!chosen)
        throw Error(src_->label() + ": several platforms and none is linux/amd64; choose one with "
                    "--platform: " + list_platforms(cands));
    }

    LoadedImage img;
    img.info.layout = src_->oci_layout_name();
    img.info.manifest_digest = chosen->digest;
    img.info.reference = chosen->ref.empty() ? chosen->digest : chosen->ref;
    const json::object& chosen_manifest = manifest_of(*chosen);
    const json::object* cfg = obj(chosen_manifest, "config");
    if (!cfg) throw Error(what("manifest " + short_digest(chosen->digest)) + ": no config");
    std::string cd = str(*cfg, "digest");
    std::string ctext = read_verified(cd, what("manifest " + short_digest(chosen->digest)));
    std::vector<LayerDesc> descs;
    const json::array* ls = arr(chosen_manifest, "layers");
    if (!ls) throw Error(what("manifest " + short_digest(chosen->digest)) + ": no layers array");
    for (const auto& lv : *ls) {
      if (!lv.is_object()) throw Error(what("manifest") + ": a layers entry is not an object");
      const json::object& l = lv.as_object();
      LayerDesc d;
      d.digest = str(l, "digest");
      d.media_type = str(l, "mediaType");
      auto* sz = l.if_contains("size");
      d.size = sz && sz->is_int64() && sz->as_int64() >= 0 ? static_cast<uint64_t>(sz->as_int64()) : 0;
      d.has_size = sz && sz->is_int64();
      d.member = blob_path(d.digest, what("manifest " + short_digest(chosen->digest)));
      descs.push_back(std::move(d));
    }
    finish(img, cd, ctext, blob_path(cd, "config"), descs);
    return img;
  }

  struct LayerDesc {
    std::string member, digest, media_type;
    uint64_t size = 0;
    bool has_size = false;
  };

  LoadedImage read_docker() {
    json::value man = parse_json(src_->read_small("manifest.json"), what("manifest.json"));
    if (!man.is_array() || man.as_array().empty())
      throw Error(what("manifest.json") + ": expected a non-empty JSON array of images");
    struct Entry {
      std::string config;
      std::vector<std::string> tags, layers;
    };
    std::vector<Entry> entries;
    for (const auto& ev : man.as_array()) {
      if (!ev.is_object()) throw Error(what("manifest.json") + ": an entry is not an object");
      const json::object& o = ev.as_object();
      Entry e;
      e.config = str(o, "Config");
      if (e.config.empty()) throw Error(what("manifest.json") + ": an entry has no Config");
      if (auto* t = arr(o, "RepoTags"))
        for (auto& v : *t)
          if (v.is_string()) e.tags.emplace_back(v.as_string());
      const json::array* ls = arr(o, "Layers");
      if (!ls) throw Error(what("manifest.json") + ": entry " + e.config + " has no Layers");
      for (auto& v : *ls) {
        if (!v.is_string()) throw Error(what("manifest.json") + ": a Layers entry is not a string");
        e.layers.emplace_back(v.as_string());
      }
      entries.push_back(std::move(e));
    }
    auto label = [](const Entry& e) {
      return e.tags.empty() ? short_digest(std::string(base_name(e.config))) : e.tags[0];
    };
    const Entry* chosen = nullptr;
    if (!opt_.image.empty()) {
      for (auto& e : entries) {
        for (auto& t : e.tags)
          if (ref_matches(opt_.image, t)) chosen = &e;
        if (!chosen && base_name(e.config).substr(0, opt_.image.size()) == opt_.image &&
            opt_.image.size() >= 12)
          chosen = &e;
        if (chosen) break;
      }
      if (!chosen) {
        std::string names;
        for (auto& e : entries) names += (names.empty() ? "" : ", ") + label(e);
        throw Error(src_->label() + ": no image " + opt_.image + " here; images: " + names);
      }
    } else if (entries.size() == 1) {
      chosen = &entries[0];
    } else {
      std::string names;
      for (auto& e : entries) names += (names.empty() ? "" : ", ") + label(e);
      throw Error(src_->label() + ": holds " + std::to_string(entries.size()) +
                  " images; choose one with --image: " + names);
    }

    LoadedImage img;
    std::string config_member = normalize_member(chosen->config);
    bool oci_blobs = config_member.rfind("blobs/", 0) == 0;
    img.info.layout = oci_blobs ? "docker-save (Docker 25+: OCI layout + manifest.json)"
                                : "docker-save (legacy)";
    img.info.reference = label(*chosen);
    std::string ctext = src_->read_small(config_member);
    if (!opt_.platform.empty()) {
      // A docker archive holds one platform per image: --platform must name it.
      json::value cv = parse_json(ctext, what(config_member));
      Platform have = cv.is_object() ? platform_of(cv.as_object()) : Platform{};
      if (!platform_matches(parse_platform(opt_.platform), have))
        throw Error(src_->label() + ": no image for platform " + opt_.platform + "; platforms: " +
                    have.str());
    }
    // The config's digest is its sha256; the legacy layout names it <hex>.json.
    std::string cdigest = sha256_digest(ctext);
    std::string expect;
    auto parts = split_path(config_member);
    if (oci_blobs && parts.size() == 3) expect = std::string(parts[1]) + ":" + std::string(parts[2]);
    else if (parts.size() == 1 && parts[0].size() == 69 && parts[0].substr(64) == ".json")
      expect = "sha256:" + std::string(parts[0].substr(0, 64));
    if (opt_.verify && !expect.empty() && expect != cdigest)
      throw Error(what(config_member) + ": digest mismatch: expected " + expect + ", content is " +
                  cdigest);
    std::vector<LayerDesc> descs;
    for (auto& l : chosen->layers) {
      LayerDesc d;
      d.member = normalize_member(l);
      auto lp = split_path(d.member);
      if (lp.size() == 3 && lp[0] == "blobs") d.digest = std::string(lp[1]) + ":" + std::string(lp[2]);
      descs.push_back(std::move(d));
    }
    // Docker 25+ also has the OCI manifest: take the layers' media types and sizes from it.
    if (oci_blobs && src_->has("index.json")) {
      try {
        json::value idx = parse_json(src_->read_small("index.json"), what("index.json"));
        std::vector<Candidate> all;
        if (idx.is_object()) walk_index(idx.as_object(), what("index.json"), 1, "", all);
        for (auto& c : all) {
          const json::object& m = manifest_of(c);
          const json::object* cfg = obj(m, "config");
          const json::array* ls = arr(m, "layers");
          if (!cfg || !ls || str(*cfg, "digest") != cdigest || ls->size() != descs.size()) continue;
          img.info.manifest_digest = c.digest;
          for (size_t i = 0; i < descs.size(); ++i) {
            if (!(*ls)[i].is_object()) continue;
            const json::object& l = (*ls)[i].as_object();
            if (str(l, "digest") != descs[i].digest) continue;
            descs[i].media_type = str(l, "mediaType");
          }
          break;
        }
      } catch (const Error& e) {
        warnings_.push_back(std::string("ignoring index.json beside manifest.json: ") + e.what());
      }
    }
    finish(img, cdigest, ctext, config_member, descs);
    return img;
  }

  std::string normalize_member(const std::string& raw) {
    try {
      return normalize_path(raw);
    } catch (const Error& e) {
      throw Error(what("manifest.json") + ": " + e.what());
    }
  }

  void finish(LoadedImage& img, const std::string& config_digest, const std::string& ctext,
              const std::string& config_member, const std::vector<LayerDesc>& descs) {
    img.info.source = src_->label();
    img.info.config_digest = config_digest;
    json::value cv = parse_json(ctext, what(config_member));
    if (!cv.is_object()) throw Error(what(config_member) + ": config is not a JSON object");
    const json::object& cfg = cv.as_object();
    img.info.platform = platform_of(cfg).str();
    img.info.created = str(cfg, "created");
    img.info.config = parse_image_config(cfg, what(config_member), warnings_);
    std::vector<std::string> diff_ids;
    if (const json::object* rootfs = obj(cfg, "rootfs"))
      if (const json::array* d = arr(*rootfs, "diff_ids"))
        for (auto& v : *d)
          if (v.is_string()) diff_ids.emplace_back(v.as_string());
    if (diff_ids.size() != descs.size())
      throw Error(what(config_member) + ": config lists " + std::to_string(diff_ids.size()) +
                  " diff_ids but the manifest lists " + std::to_string(descs.size()) + " layers");
    if (const json::array* h = arr(cfg, "history"))
      for (auto& v : *h) {
        if (!v.is_object()) continue;
        const json::object& o = v.as_object();
        HistoryEntry he;
        he.created_by = str(o, "created_by");
        he.created = str(o, "created");
        he.comment = str(o, "comment");
        auto* el = o.if_contains("empty_layer");
        he.empty_layer = el && el->is_bool() && el->as_bool();
        img.info.history.push_back(std::move(he));
      }

    if (descs.size() > limits::kMaxLayers)
      throw LimitError(what(config_member) + ": " + std::to_string(descs.size()) +
                       " layers, more than " + std::to_string(limits::kMaxLayers) +
                       limit_hint(""));
    // Layers this run (the other image of a diff) or the cache already holds are not read
    // again. The key is the blob digest the manifest names; a legacy docker archive names none,
    // and its uncompressed layer.tar's digest is the diff_id.
    std::vector<std::shared_ptr<const LayerData>> got(descs.size());
    std::vector<bool> fresh(descs.size(), false);
    std::vector<std::string> keys(descs.size()), need;
    for (size_t i = 0; i < descs.size(); ++i) keys[i] = descs[i].digest.empty() ? diff_ids[i] : descs[i].digest;
    // The merged image may be cached whole (formats/image_cache.h): then no layer is read. Its
    // blobs must still be there, of the sizes they had when they were verified.
    std::shared_ptr<const CachedImage> merged;
    std::string merged_key;
    if (opt_.store) {
      merged_key = merged_image_key(keys, diff_ids);
      if (opt_.merged_cache) merged = opt_.store->find_merged(merged_key);
      if (merged && merged->blobs.size() != descs.size()) merged = nullptr;
      for (size_t i = 0; merged && i < descs.size(); ++i)
        if (src_->member_size(descs[i].member) != static_cast<int64_t>(merged->blobs[i].compressed_size))
          merged = nullptr;
    }
    for (size_t i = 0; i < descs.size() && !merged; ++i) {
      if (opt_.store) got[i] = opt_.store->find(keys[i]);
      // A layer known from the cache is not read again, but its blob must still be there, and
      // of the size the layer had when it was read and verified (a truncated copy is caught).
      if (got[i] && src_->member_size(descs[i].member) !=
                        static_cast<int64_t>(got[i]->blob.compressed_size))
        got[i] = nullptr;
      if (!got[i]) need.push_back(descs[i].member);
    }
    if (!need.empty()) {
      auto data = src_->read_layers(need);
      for (size_t i = 0; i < descs.size(); ++i)
        if (!got[i]) {
          got[i] = data.at(descs[i].member);
          fresh[i] = true;
        }
    }
    std::vector<const LayerBlobInfo*> blob(descs.size());
    for (size_t i = 0; i < descs.size(); ++i) blob[i] = merged ? &merged->blobs[i] : &got[i]->blob;
    // A layer from the cache was read under the limits of the run that cached it: judge it
    // against this run's, so that a warm run refuses what a cold one would.
    {
      LayerReadOptions lo;
      lo.limits = opt_.limits;
      for (size_t i = 0; i < descs.size(); ++i) {
        if (!fresh[i])
          check_layer_limits(*blob[i], lo,
                             src_->label() + ": layer " +
                                 short_digest(descs[i].digest.empty() ? diff_ids[i] : descs[i].digest));
        lo.entries_before += blob[i]->entries;
        lo.metadata_before += blob[i]->metadata_bytes;
      }
    }
    // The merge applies a layer once per mention: a manifest naming one layer many times costs
    // as much as that many layers.
    uint64_t merged_entries = 0;
    for (const LayerBlobInfo* b : blob) merged_entries += b->entries;
    if (merged_entries > opt_.limits.max_entries)
      throw LimitError(src_->label() + ": the image's layers hold " +
                       std::to_string(merged_entries) + " entries, more than " +
                       std::to_string(opt_.limits.max_entries) + limit_hint("--max-entries"));
    size_t h = 0;
    size_t non_empty = 0;
    for (auto& he : img.info.history) non_empty += !he.empty_layer;
    if (!img.info.history.empty() && non_empty != descs.size())
      warnings_.push_back(src_->label() + ": history has " + std::to_string(non_empty) +
                          " layer entries for " + std::to_string(descs.size()) +
                          " layers; created_by may be misattributed");
    for (size_t i = 0; i < descs.size(); ++i) {
      const LayerDesc& d = descs[i];
      const LayerBlobInfo& b = *blob[i];
      LayerInfo li;
      li.index = static_cast<uint32_t>(i);
      // Legacy docker archives name no blob digest: an uncompressed layer's is its diff_id.
      li.digest = !d.digest.empty() ? d.digest
                  : b.compression == Compression::None ? diff_ids[i]
                                                       : b.blob_digest;
      li.diff_id = diff_ids[i];
      li.chain_id = i == 0 ? diff_ids[0]
                           : sha256_digest(img.info.layers[i - 1].chain_id + " " + diff_ids[i]);
      li.media_type = d.media_type;
      li.compression = compression_name(b.compression);
      li.compressed_size = b.compressed_size;
      li.tar_size = b.tar_size;
      li.entries = b.entries;
      std::string lw = src_->label() + ": layer " + short_digest(li.digest);
      if (opt_.verify) {
        if (!d.digest.empty() && d.digest.rfind("sha256:", 0) == 0 && b.blob_digest != d.digest)
          throw Error(lw + ": digest mismatch: the manifest says " + d.digest +
                      ", the blob hashes to " + b.blob_digest);
        if (b.diff_id != diff_ids[i])
          throw Error(lw + ": diff_id mismatch: the config says " + diff_ids[i] +
                      ", the uncompressed layer hashes to " + b.diff_id);
      }
      if (d.has_size && d.size != b.compressed_size)
        throw Error(lw + ": size mismatch: the manifest says " + std::to_string(d.size) +
                    " bytes, the blob has " + std::to_string(b.compressed_size));
      while (h < img.info.history.size() && img.info.history[h].empty_layer) ++h;
      if (h < img.info.history.size()) {
        li.created_by = img.info.history[h].created_by;
        li.created = img.info.history[h].created;
        li.comment = img.info.history[h].comment;
        ++h;
      }
      if (fresh[i] && opt_.store) opt_.store->put(keys[i], got[i], opt_.verify);
      img.info.layers.push_back(std::move(li));
      if (!merged) img.layers.push_back(got[i]);
      img.blobs.push_back(b);
    }
    img.merged = std::move(merged);
    // Every layer was verified just now or before it was cached: the merge may be cached too.
    if (opt_.verify) img.merged_key = merged_key;
    img.warnings = std::move(warnings_);
  }

  static std::string list_refs(const std::vector<Candidate>& cs) {
    std::set<std::string> s;
    for (auto& c : cs) s.insert(c.ref.empty() ? c.digest : c.ref);
    std::string out;
    for (auto& r : s) out += (out.empty() ? "" : ", ") + r;
    return out;
  }
  static std::string list_platforms(const std::vector<Candidate>& cs) {
    std::string out;
    for (auto& c : cs) out += (out.empty() ? "" : ", ") + c.platform.str();
    return out;
  }

  ReadOptions opt_;
  std::unique_ptr<ImageSource> src_;
  std::vector<std::string> warnings_;
  uint64_t manifests_seen_ = 0;
  std::vector<std::string> index_chain_;  ///< digests of the indexes being walked (cycle check)
};

}  // namespace

std::unique_ptr<MergedImage> merge_loaded(LoadedImage&& li, Diagnostics& diag, LayerStore* store,
                                          LayerChangeSink* changes) {
  if (li.merged) {
    for (const auto& w : li.merged->warnings) diag.warn(w);
    return merged_image_from_cache(std::move(li.info), std::move(li.merged));
  }
  std::vector<const PackedEntries*> layers;
  for (const auto& l : li.layers) layers.push_back(&l->entries);
  size_t warned = diag.warnings.size();
  auto img = merge_image(li.info, layers, diag, changes, [&](size_t i) { li.layers[i].reset(); });
  if (store && !li.merged_key.empty())
    store->put_merged(li.merged_key, *img, li.blobs,
                      std::vector<std::string>(diag.warnings.begin() + static_cast<std::ptrdiff_t>(warned),
                                               diag.warnings.end()));
  return img;
}

LayerReadOptions layer_options(const ReadOptions& opt) {
  LayerReadOptions lo;
  lo.sha256 = opt.verify;
  lo.content = opt.content || opt.verify;
  lo.limits = opt.limits;
  lo.progress = opt.progress;
  lo.contents = opt.store ? opt.store->contents() : std::make_shared<ContentPool>();
  return lo;
}

LoadedImage read_image(std::unique_ptr<ImageSource> src, const ReadOptions& opt) {
  return Reader(std::move(src), opt).read();
}

LoadedImage read_image(const std::string& path, const ReadOptions& opt) {
  return Reader(open_image_source(path, layer_options(opt)), opt).read();
}

LoadedImage read_image_memory(std::string_view data, const std::string& label,
                              const ReadOptions& opt) {
  return Reader(open_image_memory(data, label, layer_options(opt)), opt).read();
}

}  // namespace layerdiff
