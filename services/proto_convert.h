// Conversions between Quire's model (common/) and the gRPC contract
// (proto/quire/v1). Pure functions, no I/O.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/template/template.h"
#include "quire/v1/jobs.pb.h"
#include "quire/v1/templates.pb.h"

namespace quire {

grpc::Status ToGrpc(const Status& s);
// Ends a unary callback rpc with `s`: `return Done(ctx, status);`.
grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* ctx, const grpc::Status& s);
inline grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* ctx, const Status& s) {
  return Done(ctx, ToGrpc(s));
}
void ToProto(const JobRecord& record, v1::Job* out);
void ToProto(const ValidationIssue& issue, v1::ValidationIssue* out);
void SetTimestamp(int64_t ms, google::protobuf::Timestamp* ts);
// The inverse: milliseconds since the epoch.
int64_t TimestampMillis(const google::protobuf::Timestamp& ts);
// Parses an event published by the queue's scripts. False if malformed.
bool EventFromJson(const std::string& json, v1::JobEvent* out);
// Fills a JobEvent from a stored record (the first message of a watch).
void EventFromRecord(const JobRecord& record, v1::JobEvent* out);
// "pdf" for v1::PDF; "" for unspecified.
std::string FormatName(v1::OutputFormat f);
v1::OutputFormat FormatFromName(const std::string& name);

}  // namespace quire
