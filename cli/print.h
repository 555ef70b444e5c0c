// How quirectl prints what more than one command shows: a message as JSON
// (--json), a template's validation findings, and a timestamp. Each
// command's own tables and lines stay with the command.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/repeated_ptr_field.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "quire/v1/common.pb.h"

namespace quire {

// Writes `m` to stdout as indented JSON, with no newline after it.
void PrintJson(const google::protobuf::Message& m);

// Writes each finding to stderr compiler-style, "file:line:col: severity:
// message [code] (path)", with its suggestion on the next line.
void PrintIssues(const std::string& file,
                 const google::protobuf::RepeatedPtrField<v1::ValidationIssue>& issues);

// "YYYY-MM-DD HH:MM:SS.mmmZ" (UTC), or "-" for an unset timestamp.
std::string TimestampText(const google::protobuf::Timestamp& t);

}  // namespace quire
