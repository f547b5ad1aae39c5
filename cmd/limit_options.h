// limit_options.h: the flags that raise the runtime limits of formats/limits.h, shared by every
// subcommand that reads an image.
#pragma once

#include <CLI/CLI.hpp>

#include "formats/limits.h"

namespace layerdiff {

/// Adds --max-entries, --max-metadata, --max-layer-size and --max-ratio to `c`, writing into `l`.
/// Sizes accept a unit suffix (K, M, G, T: powers of 1024; KiB, MiB, ... too).
void add_limit_options(CLI::App* c, Limits& l);

}  // namespace layerdiff
