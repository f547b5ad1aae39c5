// source_options.h: the flags that say how to reach images in registries (credentials, TLS),
// shared by every subcommand that reads an image.
#pragma once

#include <CLI/CLI.hpp>

#include "sources/open_image.h"

namespace layerdiff {

/// Adds --authfile, --creds, --cert-dir and --tls-verify to `c`, writing into `o`.
void add_source_options(CLI::App* c, SourceOptions& o);

}  // namespace layerdiff
