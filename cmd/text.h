// text.h: small formatting helpers shared by the renderers.
#pragma once

#include <cstdint>
#include <string>

namespace layerdiff {

/// 1536 -> "1.5 KiB"; below 1 KiB: "512 B".
std::string human_bytes(uint64_t n);
/// Signed delta: "+1.5 KiB", "-3 B", "0 B".
std::string human_delta(int64_t n);
/// after - before, signed.
int64_t sdiff(uint64_t before, uint64_t after);
/// The change from before to after as a percentage of before ("+12.5%"), "[NEW]" when before is
/// 0, "[DEL]" when after is 0, "" when equal.
std::string pct(uint64_t before, uint64_t after);
/// 0.8523 -> "85.2%".
std::string percent(double f);
/// Four octal digits: 0755 -> "0755", 04755 -> "4755".
std::string octal_mode(uint32_t mode);
/// Cuts s to at most `width` characters, ending in "…" when cut; newlines become spaces.
std::string clip(const std::string& s, size_t width);
/// Pads right to width (bytes).
std::string pad(const std::string& s, size_t width);
/// Pads left to width (bytes).
std::string rpad(const std::string& s, size_t width);
/// "1 file", "2 files": n and the noun, plural unless n == 1 (plural is singular + "s" unless given).
std::string count(uint64_t n, const std::string& singular, const std::string& plural = "");
/// Escapes | and newlines for a Markdown table cell.
std::string md_cell(const std::string& s);

}  // namespace layerdiff
