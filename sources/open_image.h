// open_image.h: the one entry point of sources/: an IMAGE argument (sources/image_ref.h) read
// wherever it lives (a file, a registry, a daemon) into the same LoadedImage formats/ produces.
#pragma once

#include <string>

#include "formats/image_reader.h"
#include "sources/registry.h"

namespace layerdiff {

struct SourceOptions {
  RegistryOptions registry;  ///< --authfile, --creds, --cert-dir, --tls-verify
};

/// Reads `arg`. `ro.image` applies to archives; a REF given as PATH:REF takes its place.
/// Throws Error naming `arg`.
LoadedImage load_image(const std::string& arg, const ReadOptions& ro, const SourceOptions& so);

}  // namespace layerdiff
