#include <gtest/gtest.h>

#include "analyzer/error.h"
#include "analyzer/path.h"

namespace layerdiff {
namespace {

TEST(Path, Normalise) {
  EXPECT_EQ(normalize_path("./a//b/"), "a/b");
  EXPECT_EQ(normalize_path("/a/b"), "a/b");
  EXPECT_EQ(normalize_path("a/./b/../c"), "a/c");
  EXPECT_EQ(normalize_path("./"), "");
  EXPECT_EQ(normalize_path("."), "");
  EXPECT_EQ(normalize_path(""), "");
  EXPECT_EQ(normalize_path("a/.."), "");
}

TEST(Path, EscapeIsAnError) {
  EXPECT_THROW(normalize_path(".."), Error);
  EXPECT_THROW(normalize_path("../x"), Error);
  EXPECT_THROW(normalize_path("a/../../x"), Error);
  EXPECT_THROW(normalize_path("/../x"), Error);
  EXPECT_THROW(normalize_path(std::string("a\0b", 3)), Error);
}

TEST(Path, Parts) {
  EXPECT_EQ(parent_path("a/b/c"), "a/b");
  EXPECT_EQ(parent_path("a"), "");
  EXPECT_EQ(base_name("a/b/c"), "c");
  EXPECT_EQ(display_path(""), "/");
  EXPECT_EQ(split_path("a/b").size(), 2u);
  EXPECT_TRUE(split_path("").empty());
  EXPECT_EQ(split_path("/a//b/"), (std::vector<std::string_view>{"a", "b"}));
}

}  // namespace
}  // namespace layerdiff
