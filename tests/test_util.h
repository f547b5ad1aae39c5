// test_util.h: in-memory layers for tests. LayerEntry builders for the analyzer tests, and a tar
// writer (libarchive) with gzip/zstd compression for the formats tests.
#pragma once

#include <string>
#include <vector>

#include "analyzer/file_tree.h"
#include "analyzer/inspect.h"
#include "analyzer/layer_entry.h"
#include "analyzer/merged_image.h"

namespace layerdiff::test {

LayerEntry F(const std::string& path, const std::string& content, uint32_t mode = 0644);
LayerEntry D(const std::string& path, uint32_t mode = 0755);
LayerEntry L(const std::string& path, const std::string& target);
LayerEntry H(const std::string& path, const std::string& target);
LayerEntry W(const std::string& path);  ///< an empty regular file, e.g. "a/.wh.b"
ContentDigest digest_of(const std::string& content);

/// Merges layers (bottom first) and returns the image; throws like the real merge. `changes`
/// receives what each layer did (merge.h).
std::unique_ptr<MergedImage> merge(const std::vector<std::vector<LayerEntry>>& layers,
                                   LayerChangeSink* changes = nullptr);
/// `layerdiff ls` text of a merged image.
std::string ls(const MergedImage& img);

enum class TarFormat { Pax, Gnu, Ustar };
/// A tar archive in memory holding `entries`; `contents` (parallel to entries) holds the data of
/// regular files.
std::string make_tar(const std::vector<LayerEntry>& entries, const std::vector<std::string>& contents,
                     TarFormat fmt = TarFormat::Pax);
std::string gzip(const std::string& data);
std::string zstd(const std::string& data);
std::string sha256_hex(const std::string& data);

/// Checks the report's sums: rows sum to totals, written == content + wasted, per layer too.
void expect_sums(const InspectReport& r);

}  // namespace layerdiff::test
