// The flags that describe a job, read into requests: "-p name=value"
// parameters, --priority and --output. `submit` and `schedules create` fill
// a whole job request; `templates validate` and `render` take parameters.
#pragma once

#include <google/protobuf/repeated_ptr_field.h>

#include <string>
#include <vector>

#include "quire/v1/common.pb.h"
#include "quire/v1/jobs.pb.h"

namespace quire {

// Splits "name=value"; false, after a message, for one without a name or '='.
bool ParseParam(const std::string& text, std::string* name, std::string* value);

// Parses "name=value" pairs into request parameters; false, after a
// message, for one without a name or '='.
bool AddParams(const std::vector<std::string>& in,
               google::protobuf::RepeatedPtrField<v1::ParameterValue>* out);

// Fills a job request's priority, parameters and outputs from the command
// line; false, after a message, for a bad one.
bool FillJob(const std::string& priority, const std::vector<std::string>& params,
             const std::vector<std::string>& outputs, v1::SubmitJobRequest* req);

}  // namespace quire
