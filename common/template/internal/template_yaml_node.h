// Internal to quire_template: a small read-only YAML node tree built from
// libyaml's event parser, offering the part of yaml-cpp's Node API the
// template parser uses (shape tests, scalar text, 0-based marks, sequence
// and map access). Scalars are resolved as yaml-cpp resolves them: an
// untagged plain ~, null, Null, NULL or empty scalar is null; anything
// quoted or tagged is text. An alias is the anchored node itself.
// Not a general YAML library: no emitting, no tag resolution beyond null,
// no merge keys, and only the first document of a stream is read.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quire::yaml {

enum class NodeType { kUndefined, kNull, kScalar, kSequence, kMap };

// A position in the text, 0-based like libyaml's and yaml-cpp's; -1 when
// the node has no position (a default Node).
struct Mark {
  int line = -1;
  int column = -1;
};

struct NodeData;
struct MapEntry;

// A handle to a node of a Document: cheap to copy, valid while the Document
// lives. A default Node is null with no mark (like yaml-cpp's Node()); a
// lookup that finds nothing gives an undefined Node (IsDefined() false).
class Node {
 public:
  Node() = default;

  NodeType Type() const;
  bool IsDefined() const { return Type() != NodeType::kUndefined; }
  bool IsNull() const { return Type() == NodeType::kNull; }
  bool IsScalar() const { return Type() == NodeType::kScalar; }
  bool IsSequence() const { return Type() == NodeType::kSequence; }
  bool IsMap() const { return Type() == NodeType::kMap; }

  // The text of a scalar; "" for any other node.
  const std::string& Scalar() const;
  quire::yaml::Mark Mark() const;

  // Items of a sequence or entries of a map; 0 for any other node.
  size_t size() const;
  // Item `index` of a sequence; undefined when out of range or not a list.
  Node operator[](size_t index) const;
  // The value of the first entry of a map whose key is the scalar `key`;
  // undefined when there is none or this is not a map.
  Node operator[](std::string_view key) const;
  // The entries of a map, in document order (duplicates kept); empty for
  // any other node.
  const MapEntry* begin() const;
  const MapEntry* end() const;

 private:
  friend class Document;
  explicit Node(const NodeData* data) : data_(data) {}
  static Node Undefined();

  const NodeData* data_ = nullptr;  // nullptr: the default null node
  bool undefined_ = false;
};

struct MapEntry {
  Node first;   // the key
  Node second;  // the value
};

// What a Node points at; owned by a Document.
struct NodeData {
  NodeType type = NodeType::kNull;
  quire::yaml::Mark mark;
  std::string scalar;             // kScalar
  std::vector<Node> items;        // kSequence
  std::vector<MapEntry> entries;  // kMap
  size_t weight = 1;              // nodes in this subtree, aliases expanded
};

struct SyntaxError {
  std::string message;
  quire::yaml::Mark mark;
};

// The node tree of one YAML document. Movable; moving keeps Nodes valid.
class Document {
 public:
  // Nodes a document may hold with every alias expanded: bounds the work of
  // walking a "billion laughs" document whose aliases share nodes.
  static constexpr size_t kMaxNodes = 1'000'000;

  // Parses the first document of `text`; later documents are not read.
  // On a syntax error (or more than kMaxNodes nodes) error() is set and
  // root() is a default Node.
  static Document Parse(std::string_view text);

  // The root node; a default (null, unmarked) Node for an empty stream.
  Node root() const { return root_; }
  const std::optional<SyntaxError>& error() const { return error_; }

 private:
  class Builder;

  std::deque<NodeData> nodes_;  // stable addresses
  Node root_;
  std::optional<SyntaxError> error_;
};

// ---------------------------------------------------------------------------
// Inline accessors: the template walker calls these for every field.

inline NodeType Node::Type() const {
  if (undefined_) return NodeType::kUndefined;
  return data_ == nullptr ? NodeType::kNull : data_->type;
}

inline size_t Node::size() const {
  switch (Type()) {
    case NodeType::kSequence:
      return data_->items.size();
    case NodeType::kMap:
      return data_->entries.size();
    default:
      return 0;
  }
}

inline Node Node::operator[](size_t index) const {
  if (!IsSequence() || index >= data_->items.size()) return Undefined();
  return data_->items[index];
}

inline const MapEntry* Node::begin() const { return IsMap() ? data_->entries.data() : nullptr; }

inline const MapEntry* Node::end() const {
  return IsMap() ? data_->entries.data() + data_->entries.size() : nullptr;
}

}  // namespace quire::yaml
