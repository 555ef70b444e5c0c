// LuaScript: a script Redis runs atomically, and ScriptCall: one call of it
// with its KEYS and ARGV. The scripts themselves live with the records they
// change: job_scripts.h and lease_script.h (jobs), store_scripts.h
// (templates, schedules, the history outbox, the source cache's lock). Each
// script has a typed builder that makes its ScriptCall, right below its
// text, so the order of KEYS and ARGV is written down once, beside the code
// that reads them.
//
// Time inside every script comes from now_ms(): Redis' own TIME, the one
// clock every worker agrees on, unless RunScript() is given a Clock (a test's
// SimulatedClock). The clock travels as an extra first ARGV that every script
// takes off before its body runs, so bodies index ARGV as documented.
#pragma once

#include <string>
#include <vector>

#include "common/base/clock.h"
#include "common/base/status.h"
#include "common/queue/redis_client.h"

namespace quire {

struct LuaScript {
  const char* name;
  std::string text;  // the shared prelude followed by the body
  std::string sha1;
};

struct ScriptCall {
  const LuaScript* script = nullptr;
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

// A script from `body`, after the prelude every script shares: now_ms(),
// int(), emit(), history() and the other helpers lua_script.cc documents.
LuaScript MakeScript(const char* name, const std::string& body);

// Runs `call` on `conn`; `clock` is the time the script sees (nullptr: Redis'
// own clock).
StatusOr<RedisReply> RunScript(RedisConnection& conn, ScriptCall call,
                               const Clock* clock = nullptr);

// A Lua table literal of `names`, e.g. {'tpl', 'tver'}, for field lists that
// C++ defines and scripts read (job_codec.h).
std::string LuaStringList(const std::vector<std::string>& names);

}  // namespace quire
