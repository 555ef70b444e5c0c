// The scripts of the records the stores keep in Redis beside the queue:
// template versions (stored_templates.h), the history outbox's lock and
// acknowledgement (history_writer.h) and schedules (schedule_store.h). Each
// builder fills its script's KEYS and ARGV in the order documented above its
// text in store_scripts.cc; every reply is one integer, documented there.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/queue/lua_script.h"
#include "common/store/archived_templates.h"
#include "common/store/schedule_store.h"

namespace quire::scripts {

// PUT_TEMPLATE: a new version of template `id`.
ScriptCall PutTemplate(const std::string& id, const std::string& yaml, const std::string& title);
// PUT_TEMPLATE_VERSIONS: `versions` (not empty) of one template, numbered
// as the archive numbered them.
ScriptCall PutTemplateVersions(const std::vector<ArchivedTemplate>& versions);
// DELETE_TEMPLATE: template `id` unless live jobs use it.
ScriptCall DeleteTemplate(const std::string& id);

// HISTORY_LOCK: takes or renews the history writer's lock for `ttl`.
ScriptCall HistoryLock(const std::string& writer_id, std::chrono::milliseconds ttl);
// HISTORY_ACK: the job records `read` (id, ver as read) were copied.
ScriptCall HistoryAck(std::chrono::seconds retention,
                      const std::vector<std::pair<std::string, std::string>>& read);

// SCHEDULE_CREATE, SCHEDULE_SET_PAUSED (next_ms: the next run when
// resuming), SCHEDULE_DELETE, SCHEDULE_ADVANCE (past its run `run_ms`).
ScriptCall ScheduleCreate(const ScheduleRecord& record);
ScriptCall ScheduleSetPaused(const std::string& id, bool paused, int64_t next_ms);
ScriptCall ScheduleDelete(const std::string& id);
ScriptCall ScheduleAdvance(const std::string& id, int64_t run_ms, int64_t next_ms,
                           const std::string& job_id, const std::string& error);

}  // namespace quire::scripts
