// The Lua scripts behind every state change of a job or template (and the
// source cache's single-flight lock). Each is
// run atomically by Redis; each is documented with its KEYS, ARGV and
// result in lua_scripts.cc, right above its text. Time inside scripts is
// Redis' own clock (TIME), so workers on machines with skewed clocks agree
// on lease deadlines.
#pragma once

#include <string>

namespace quire {

struct LuaScript {
  const char* name;
  std::string text;  // the shared prelude followed by the body
  std::string sha1;
};

namespace scripts {
const LuaScript& Submit();
const LuaScript& Lease();
const LuaScript& Extend();
const LuaScript& Progress();
const LuaScript& Finish();
const LuaScript& Cancel();
const LuaScript& PutTemplate();
const LuaScript& PutTemplateVersions();
const LuaScript& DeleteTemplate();
const LuaScript& TrimIndex();
const LuaScript& Heartbeat();
const LuaScript& ReleaseCacheLock();
const LuaScript& Retry();
const LuaScript& Requeue();
const LuaScript& Release();
const LuaScript& HistoryLock();
const LuaScript& HistoryAck();
const LuaScript& ScheduleCreate();
const LuaScript& ScheduleSetPaused();
const LuaScript& ScheduleAdvance();
const LuaScript& ScheduleDelete();
}  // namespace scripts

}  // namespace quire
