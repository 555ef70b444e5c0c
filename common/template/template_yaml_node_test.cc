// The template parser's YAML front end (libyaml events → node tree): node
// kinds, null scalars, 0-based marks, aliases, and the guards against
// malformed and hostile input.
#include <gtest/gtest.h>

#include <string>

#include "common/template/internal/template_yaml_node.h"

namespace quire::yaml {
namespace {

TEST(YamlNodeTest, KindsNullsAndMarks) {
  Document d = Document::Parse("a: 1\nb: ~\nc: \"null\"\nd:\n  - x\n  - [y, z]\ne: {k: v}\nf:\n");
  ASSERT_FALSE(d.error().has_value());
  Node root = d.root();
  ASSERT_TRUE(root.IsMap());
  EXPECT_EQ(root.size(), 6u);
  EXPECT_EQ(root["a"].Scalar(), "1");
  EXPECT_EQ(root["a"].Mark().line, 0);
  EXPECT_EQ(root["a"].Mark().column, 3);
  EXPECT_TRUE(root["b"].IsNull());
  EXPECT_TRUE(root["c"].IsScalar());  // quoted "null" is text
  EXPECT_EQ(root["c"].Scalar(), "null");
  ASSERT_TRUE(root["d"].IsSequence());
  EXPECT_EQ(root["d"][1][1].Scalar(), "z");
  EXPECT_EQ(root["d"][1].Mark().line, 5);
  EXPECT_EQ(root["e"]["k"].Scalar(), "v");
  EXPECT_TRUE(root["f"].IsNull());
  EXPECT_FALSE(root["missing"].IsDefined());
  int keys = 0;
  for (const MapEntry& e : root) keys += e.first.IsScalar() ? 1 : 0;
  EXPECT_EQ(keys, 6);
}

TEST(YamlNodeTest, AliasesResolveToTheAnchoredNode) {
  Document d = Document::Parse("base: &b {x: 1}\nuse: *b\n");
  ASSERT_FALSE(d.error().has_value());
  EXPECT_EQ(d.root()["use"]["x"].Scalar(), "1");
}

TEST(YamlNodeTest, SyntaxErrorsHaveAPosition) {
  Document d = Document::Parse("a: 1\nb: [1, 2\nc: 3\n");
  ASSERT_TRUE(d.error().has_value());
  EXPECT_GE(d.error()->mark.line, 1);
  EXPECT_FALSE(d.error()->message.empty());
}

TEST(YamlNodeTest, HostileInputIsRefusedQuickly) {
  // Billion laughs: nine levels of ten aliases.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 10; ++k) bomb += ", " + prev;
    bomb += "]\n";
  }
  Document d = Document::Parse(bomb);
  ASSERT_TRUE(d.error().has_value());
  EXPECT_NE(d.error()->message.find("too large"), std::string::npos) << d.error()->message;

  Document self = Document::Parse("s: &s [*s]\n");
  EXPECT_TRUE(self.error().has_value());
  Document unknown = Document::Parse("a: *nope\n");
  EXPECT_TRUE(unknown.error().has_value());
}

TEST(YamlNodeTest, OnlyTheFirstDocumentIsRead) {
  Document d = Document::Parse("a: 1\n---\nb: 2\n");
  ASSERT_FALSE(d.error().has_value());
  EXPECT_EQ(d.root()["a"].Scalar(), "1");
  EXPECT_FALSE(d.root()["b"].IsDefined());
  EXPECT_TRUE(Document::Parse("").root().IsNull());
}

}  // namespace
}  // namespace quire::yaml
