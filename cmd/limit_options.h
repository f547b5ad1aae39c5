// limit_options.h: the flags that raise the runtime limits of formats/limits.h, shared by every
// subcommand that reads an image.
#pragma once

#include <CLI/CLI.hpp>

#include "formats/limits.h"

namespace layerdiff {

/// Adds --max-entries, --max-metadata, --max-layer-size and --max-ratio to `c`, writing into `l`.
/// Sizes as the check rules write them (analyzer/threshold.h): kB/MB/GB/TB are powers of 1000,
/// KiB/MiB/GiB/TiB powers of 1024, a bare number is bytes.
void add_limit_options(CLI::App* c, Limits& l);

}  // namespace layerdiff
