// Document::Parse: libyaml events folded into a NodeData arena, with an
// explicit stack (no recursion, however deep the nesting) and a budget on
// the nodes reachable through aliases.
#include "common/template/internal/template_yaml_node.h"

#include <yaml.h>

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace quire::yaml {
namespace {

const std::string kEmpty;

bool IsNullScalar(const yaml_event_t& event) {
  const auto& s = event.data.scalar;
  if (s.tag != nullptr || s.style != YAML_PLAIN_SCALAR_STYLE) return false;
  const std::string_view v(reinterpret_cast<const char*>(s.value), s.length);
  return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

}  // namespace

const std::string& Node::Scalar() const { return IsScalar() ? data_->scalar : kEmpty; }

quire::yaml::Mark Node::Mark() const {
  return data_ == nullptr || undefined_ ? quire::yaml::Mark() : data_->mark;
}

Node Node::Undefined() {
  Node n;
  n.undefined_ = true;
  return n;
}

Node Node::operator[](std::string_view key) const {
  if (!IsMap()) return Undefined();
  for (const MapEntry& e : data_->entries) {
    if (e.first.IsScalar() && e.first.Scalar() == key) return e.second;
  }
  return Undefined();
}

// Folds one document's events into the arena of `doc`.
class Document::Builder {
 public:
  Builder(std::string_view text, Document* doc) : text_(text), doc_(doc) {}

  // Parses the first document; false after setting doc_->error_.
  bool Run() {
    yaml_parser_t parser;
    if (yaml_parser_initialize(&parser) == 0) return Fail("out of memory", {});
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text_.data()),
                                 text_.size());
    ascii_ = std::all_of(text_.begin(), text_.end(),
                         [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    bool ok = true, done = false;
    while (ok && !done) {
      yaml_event_t event;
      if (yaml_parser_parse(&parser, &event) == 0) {
        ok = FailFromParser(parser);
        break;
      }
      utf8_ = parser.encoding == YAML_UTF8_ENCODING;
      ok = Handle(event, parser, &done);
      yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return ok;
  }

 private:
  // A collection whose end event has not come yet.
  struct Open {
    NodeData* data = nullptr;
    yaml_mark_t start{};
    std::string anchor;
    Node pending_key;         // a map's key awaiting its value
    yaml_mark_t key_start{};  // where libyaml saw pending_key start
    bool has_key = false;
  };

  bool Handle(const yaml_event_t& event, const yaml_parser_t& parser, bool* done) {
    const quire::yaml::Mark mark = ToMark(event.start_mark);
    switch (event.type) {
      case YAML_SCALAR_EVENT: {
        // yaml-cpp marks an empty node without anchor or tag ("key:" or a
        // bare "-") at the token after it; libyaml at the end of the
        // indicator before it.
        const auto& s = event.data.scalar;
        const bool bare_empty = s.length == 0 && s.anchor == nullptr && s.tag == nullptr &&
                                s.style == YAML_PLAIN_SCALAR_STYLE &&
                                event.start_mark.index == event.end_mark.index;
        quire::yaml::Mark at = mark;
        const yaml_token_t* next = bare_empty ? NextToken(parser) : nullptr;
        if (next != nullptr) {
          at = ToMark(next->start_mark);
          // A value left out after an explicit key ("? a"): yaml-cpp marks
          // it at the '?'. libyaml marks it, like any empty value in a flow
          // map, at the next token; only the text tells whether a ':' came.
          if (next->start_mark.index == event.start_mark.index && !open_.empty() &&
              open_.back().has_key && !FollowsColon(next->start_mark)) {
            at = QuestionMarkBefore(open_.back().key_start).value_or(at);
          }
        }
        NodeData* d = New(IsNullScalar(event) ? NodeType::kNull : NodeType::kScalar, at);
        if (d == nullptr) return false;
        if (d->type == NodeType::kScalar) {
          d->scalar.assign(reinterpret_cast<const char*>(event.data.scalar.value),
                           event.data.scalar.length);
        }
        Anchor(event.data.scalar.anchor, d);
        Add(Node(d), event.start_mark);
        return true;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        const bool seq = event.type == YAML_SEQUENCE_START_EVENT;
        NodeData* d = New(seq ? NodeType::kSequence : NodeType::kMap, mark);
        if (d == nullptr) return false;
        const yaml_char_t* anchor =
            seq ? event.data.sequence_start.anchor : event.data.mapping_start.anchor;
        Open& open = open_.emplace_back();
        open.data = d;
        open.start = event.start_mark;
        if (anchor != nullptr) open.anchor = reinterpret_cast<const char*>(anchor);
        return true;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        Open top = std::move(open_.back());
        open_.pop_back();
        if (!top.anchor.empty()) anchors_[top.anchor] = top.data;
        Add(Node(top.data), top.start);
        return true;
      }
      case YAML_ALIAS_EVENT: {
        const std::string name = reinterpret_cast<const char*>(event.data.alias.anchor);
        auto it = anchors_.find(name);
        if (it == anchors_.end()) {
          // An alias inside its own anchored node would make a cycle.
          const bool inside = std::any_of(open_.begin(), open_.end(),
                                          [&](const Open& o) { return o.anchor == name; });
          return Fail(inside ? "alias '*" + name + "' refers to a node that contains it"
                             : "the referenced anchor '" + name + "' is not defined",
                      mark);
        }
        if (!Spend(it->second->weight, mark)) return false;
        Add(Node(it->second), event.start_mark);
        return true;
      }
      case YAML_DOCUMENT_END_EVENT:
      case YAML_STREAM_END_EVENT:
        *done = true;
        return true;
      default:  // stream and document starts carry nothing to keep
        return true;
    }
  }

  NodeData* New(NodeType type, quire::yaml::Mark mark) {
    if (!Spend(1, mark)) return nullptr;
    NodeData& d = doc_->nodes_.emplace_back();
    d.type = type;
    d.mark = mark;
    return &d;
  }

  void Anchor(const yaml_char_t* anchor, const NodeData* d) {
    if (anchor != nullptr) anchors_[reinterpret_cast<const char*>(anchor)] = d;
  }

  // Adds a finished node, which libyaml saw start at `start`, to the open
  // collection, or makes it the root.
  void Add(Node node, const yaml_mark_t& start) {
    if (open_.empty()) {
      doc_->root_ = node;
      return;
    }
    Open& top = open_.back();
    top.data->weight += node.data_->weight;
    if (top.data->type == NodeType::kSequence) {
      top.data->items.push_back(node);
    } else if (!top.has_key) {
      top.pending_key = node;
      top.key_start = start;
      top.has_key = true;
    } else {
      top.data->entries.push_back({top.pending_key, node});
      top.has_key = false;
    }
  }

  // Counts `nodes` more nodes against kMaxNodes.
  bool Spend(size_t nodes, quire::yaml::Mark mark) {
    total_ += nodes;
    if (total_ <= kMaxNodes) return true;
    return Fail("document too large: more than " + std::to_string(kMaxNodes) +
                    " nodes with aliases expanded",
                mark);
  }

  // The first token libyaml has read but not yet turned into events, or
  // nullptr (the parser struct is public; libyaml's ABI is stable).
  static const yaml_token_t* NextToken(const yaml_parser_t& parser) {
    if (parser.tokens.head == nullptr || parser.tokens.head == parser.tokens.tail) return nullptr;
    return parser.tokens.head;
  }

  // The byte offset of `m` in the text.
  size_t Offset(const yaml_mark_t& m) {
    if (ascii_) return std::min(m.index, text_.size());
    const std::vector<size_t>& starts = LineStarts();
    if (m.line >= starts.size()) return text_.size();
    size_t pos = starts[m.line];
    for (size_t chars = 0; chars < m.column && pos < text_.size(); ++chars) {
      const auto lead = static_cast<unsigned char>(text_[pos]);
      pos += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    }
    return std::min(pos, text_.size());
  }

  // True when the last thing before `m`, blanks and line breaks aside, is ':'.
  // (Assumed for UTF-16 or UTF-32 text, whose bytes are not scanned.)
  bool FollowsColon(const yaml_mark_t& m) {
    if (!utf8_) return true;
    size_t pos = Offset(m);
    while (pos > 0 && std::string_view(" \t\r\n").find(text_[pos - 1]) != std::string_view::npos) {
      --pos;
    }
    return pos > 0 && text_[pos - 1] == ':';
  }

  // The mark of a '?' before a key starting at `key`, on the same line.
  std::optional<quire::yaml::Mark> QuestionMarkBefore(const yaml_mark_t& key) {
    if (!utf8_) return std::nullopt;
    const size_t at = Offset(key);
    size_t pos = at;
    while (pos > 0 && (text_[pos - 1] == ' ' || text_[pos - 1] == '\t')) --pos;
    if (pos == 0 || text_[pos - 1] != '?') return std::nullopt;
    quire::yaml::Mark mark = ToMark(key);
    mark.column -= static_cast<int>(at - (pos - 1));
    return mark;
  }

  // libyaml's mark as yaml-cpp would give it: the column in bytes, and at
  // the end of a text without a final line break, column 0 of the last line
  // (libyaml adds a line there).
  quire::yaml::Mark ToMark(const yaml_mark_t& m) {
    quire::yaml::Mark mark{static_cast<int>(m.line), static_cast<int>(m.column)};
    if (m.column == 0 && m.line > 0 && !text_.empty() && text_.back() != '\n' &&
        text_.back() != '\r' && m.line >= LineStarts().size()) {
      return {mark.line - 1, 0};
    }
    if (ascii_ || !utf8_) return mark;
    const std::vector<size_t>& starts = LineStarts();
    if (m.line < starts.size()) mark.column = static_cast<int>(Offset(m) - starts[m.line]);
    return mark;
  }

  // The byte offset where each line starts, with libyaml's line breaks
  // (CR LF, CR, LF, NEL, LS, PS) and after a UTF-8 byte order mark.
  const std::vector<size_t>& LineStarts() {
    if (!line_starts_.empty()) return line_starts_;
    const std::string_view t = text_;
    line_starts_.push_back(t.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);
    for (size_t i = line_starts_[0]; i < t.size(); ++i) {
      size_t width = 0;
      if (t[i] == '\n') {
        width = 1;
      } else if (t[i] == '\r') {
        width = i + 1 < t.size() && t[i + 1] == '\n' ? 2 : 1;
      } else if (t.substr(i, 2) == "\xC2\x85") {
        width = 2;
      } else if (t.substr(i, 3) == "\xE2\x80\xA8" || t.substr(i, 3) == "\xE2\x80\xA9") {
        width = 3;
      }
      if (width == 0) continue;
      i += width - 1;
      line_starts_.push_back(i + 1);
    }
    return line_starts_;
  }

  bool FailFromParser(const yaml_parser_t& parser) {
    if (parser.error == YAML_MEMORY_ERROR) return Fail("out of memory", {});
    std::string message = parser.problem != nullptr ? parser.problem : "unknown error";
    if (parser.error == YAML_READER_ERROR) {
      // The reader reports a byte offset, not a mark.
      const std::vector<size_t>& starts = LineStarts();
      const size_t offset = parser.problem_offset;
      const auto after = std::upper_bound(starts.begin(), starts.end(), offset);
      const size_t line = after == starts.begin() ? 0 : after - starts.begin() - 1;
      const size_t column = offset - std::min(starts[line], offset);
      return Fail(message, {static_cast<int>(line), static_cast<int>(column)});
    }
    if (parser.context != nullptr) message += std::string(" ") + parser.context;
    return Fail(message, ToMark(parser.problem_mark));
  }

  bool Fail(std::string message, quire::yaml::Mark mark) {
    doc_->error_ = SyntaxError{std::move(message), mark};
    doc_->root_ = Node();
    return false;
  }

  std::string_view text_;
  Document* doc_;
  bool ascii_ = true;  // marks need no byte counting
  bool utf8_ = true;
  std::vector<size_t> line_starts_;  // see LineStarts()
  std::vector<Open> open_;
  std::unordered_map<std::string, const NodeData*> anchors_;
  size_t total_ = 0;
};

Document Document::Parse(std::string_view text) {
  Document doc;
  Builder(text, &doc).Run();
  return doc;
}

}  // namespace quire::yaml
