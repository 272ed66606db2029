//! The Lua scripts that must be atomic: finishing a batch of jobs, and cancelling one.
//!
//! A script runs whole or not at all, so a worker that dies halfway through finishing a job
//! leaves either nothing (the job is claimed again and runs again) or everything (result stored,
//! acknowledged, removed from the stream, backlog counted down, event written). Run twice (a
//! reply lost on a dropped connection, or two workers that both ran the job), it changes nothing
//! the second time: the result is `SET NX` and the backlog only counts an `XACK` that removed
//! something.

use std::sync::LazyLock;

use redis::Script;

/// KEYS: jobs, backlog, events, dead. ARGV: group, result TTL (s), events MAXLEN, dead MAXLEN,
/// key prefix, then for each job eight values: entry id, job id, stored result, kind (`done`,
/// `failed`, `dead`, or `skip` for a job that already had a result), function, argument,
/// attempts, last error (the last four are only read for `dead`). Returns how many entries it
/// acknowledged.
pub(crate) static FINISH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local group, ttl, emax, dmax, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ended = {done = {}, failed = {}, dead = {}}
local acked = 0
for i = 6, #ARGV, 8 do
  local entry, id, value, kind = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  acked = acked + redis.call('XACK', KEYS[1], group, entry)
  redis.call('XDEL', KEYS[1], entry)
  if kind ~= 'skip' then
    if redis.call('SET', prefix .. 'r:' .. id, value, 'NX', 'EX', ttl) then
      table.insert(ended[kind], id)
      if kind == 'dead' then
        redis.call('XADD', KEYS[4], 'MAXLEN', '~', dmax, '*', 'id', id, 'f', ARGV[i + 4],
          'a', ARGV[i + 5], 'attempts', ARGV[i + 6], 'error', ARGV[i + 7])
      end
    end
    redis.call('DEL', prefix .. 'e:' .. id)
  end
end
for _, kind in ipairs({'done', 'failed', 'dead'}) do
  if #ended[kind] > 0 then
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', emax, '*', 'k', kind,
      'ids', table.concat(ended[kind], ' '))
  end
end
if acked > 0 then
  redis.call('DECRBY', KEYS[2], acked)
end
return acked
"#,
    )
});

/// KEYS: the job's result key, events. ARGV: the stored "cancelled" result, result TTL (s), job
/// id, events MAXLEN. Returns 1 if the job had no result yet (it is now cancelled), else 0.
pub(crate) static CANCEL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'k', 'cancelled', 'ids', ARGV[3])
  return 1
end
return 0
"#,
    )
});
