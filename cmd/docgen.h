// docgen.h: the man page layerdiff(1) and the bash, zsh and fish completions, written from the
// command line's own definitions (main.cc build_cli), the ones --help prints, so that they
// never drift: every subcommand, option, help text, choice list and example comes from there.
// The build runs the hidden `layerdiff --generate KIND` to make the installed files.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

namespace layerdiff {

/// Writes `kind` ("man", "bash", "zsh" or "fish") for the command line `app`.
void write_docs(const CLI::App& app, const std::string& kind, std::ostream& out);

}  // namespace layerdiff
