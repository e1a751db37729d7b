using System.Globalization;
using StackExchange.Redis;

namespace Intelagent.Server.Realtime.Presence;

/// <summary>
/// Presence shared by every node on one Redis (<c>REDIS_URL</c>). Per scope: a sorted set of the
/// present users (score: the latest expiry among their connections), one sorted set per user of
/// their connections (score: expiry, in Unix milliseconds), and a version counter; one global sorted
/// set indexes <c>scope|user</c> by expiry so a sweep finds what expired without scanning scopes.
/// Each change is one Lua script, so two nodes adding the same user at once report one change.
/// </summary>
public sealed class RedisPresenceStore(string prefix, Func<Task<IDatabase>> database) : IPresenceStore
{
    // KEYS: users, connections, version, expiry index. ARGV: user, connection, expiry, now, index member.
    private const string AddScript = """
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
        redis.call('PEXPIREAT', KEYS[2], redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')[2])
        local isNew = redis.call('ZSCORE', KEYS[1], ARGV[1]) == false
        redis.call('ZADD', KEYS[1], 'GT', ARGV[3], ARGV[1])
        redis.call('ZADD', KEYS[4], 'GT', ARGV[3], ARGV[5])
        if not isNew then return false end
        """ + "\n" + Changed + "\n" + """
        local result = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[4], '+inf')
        table.insert(result, 1, version)
        return result
        """;

    // The next version of a scope: above the last one and at least the time in milliseconds, so it
    // keeps growing even after the counter expired (a day after the last change) or Redis restarted.
    private const string Changed = """
        local version = math.max(tonumber(redis.call('GET', KEYS[3]) or '0') + 1, tonumber(ARGV[4]))
        redis.call('SET', KEYS[3], version, 'PX', 86400000)

        """;

    // KEYS: users, connections, version, expiry index. ARGV: user, connection, index member, now.
    private const string RemoveScript = """
        if redis.call('ZREM', KEYS[2], ARGV[2]) == 0 then return false end
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
        local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
        if #top > 0 then
          redis.call('ZADD', KEYS[1], top[2], ARGV[1])
          redis.call('ZADD', KEYS[4], top[2], ARGV[3])
          return false
        end
        redis.call('ZREM', KEYS[4], ARGV[3])
        if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return false end
        """ + "\n" + Changed + "\n" + """
        local result = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[4], '+inf')
        table.insert(result, 1, version)
        return result
        """;

    // KEYS: expiry index. ARGV: key prefix, now. Returns the scope keys whose set of users changed.
    private const string SweepScript = """
        local changed = {}
        for _, item in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, 500)) do
          local bar = string.find(item, '|', 1, true)
          local scope, user = string.sub(item, 1, bar - 1), string.sub(item, bar + 1)
          local users, connections = ARGV[1] .. scope, ARGV[1] .. scope .. ':u:' .. user
          redis.call('ZREMRANGEBYSCORE', connections, '-inf', ARGV[2])
          local top = redis.call('ZRANGE', connections, -1, -1, 'WITHSCORES')
          if #top > 0 then
            redis.call('ZADD', users, top[2], user)
            redis.call('ZADD', KEYS[1], top[2], item)
          else
            redis.call('ZREM', KEYS[1], item)
            if redis.call('ZREM', users, user) == 1 then
              local versionKey = ARGV[1] .. scope .. ':v'
              redis.call('SET', versionKey, math.max(tonumber(redis.call('GET', versionKey) or '0') + 1, tonumber(ARGV[2])), 'PX', 86400000)
              changed[scope] = true
            end
          end
        end
        local result = {}
        for scope, _ in pairs(changed) do table.insert(result, scope) end
        return result
        """;

    // KEYS: users, version. ARGV: now.
    private const string ReadScript = """
        local result = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')
        table.insert(result, 1, tonumber(redis.call('GET', KEYS[2]) or '0'))
        return result
        """;

    private string KeyPrefix => prefix + ":presence:";

    private RedisKey Users(PresenceScope scope) => KeyPrefix + scope.Key;

    private RedisKey Connections(PresenceScope scope, string userId) => KeyPrefix + scope.Key + ":u:" + userId;

    private RedisKey Version(PresenceScope scope) => KeyPrefix + scope.Key + ":v";

    private RedisKey Expiry => KeyPrefix + "expiry";

    public async Task<PresenceSnapshot?> AddAsync(PresenceScope scope, string userId, string connectionId, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var db = await database();
        var result = await db.ScriptEvaluateAsync(AddScript, [Users(scope), Connections(scope, userId), Version(scope), Expiry],
            [userId, connectionId, expiresAt.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), scope.Key + "|" + userId]);
        return ToSnapshot(scope, result);
    }

    public async Task<PresenceSnapshot?> RemoveAsync(PresenceScope scope, string userId, string connectionId, DateTimeOffset now)
    {
        var db = await database();
        var result = await db.ScriptEvaluateAsync(RemoveScript, [Users(scope), Connections(scope, userId), Version(scope), Expiry],
            [userId, connectionId, scope.Key + "|" + userId, now.ToUnixTimeMilliseconds()]);
        return ToSnapshot(scope, result);
    }

    public async Task<IReadOnlyList<PresenceSnapshot>> RemoveExpiredAsync(DateTimeOffset now)
    {
        var db = await database();
        var result = await db.ScriptEvaluateAsync(SweepScript, [Expiry], [KeyPrefix, now.ToUnixTimeMilliseconds()]);
        var snapshots = new List<PresenceSnapshot>();
        foreach (var key in (string[])result!)
            if (PresenceScope.Parse(key) is { } scope) snapshots.Add(await ReadAsync(scope, now));
        return snapshots;
    }

    public async Task<PresenceSnapshot> ReadAsync(PresenceScope scope, DateTimeOffset now)
    {
        var db = await database();
        var result = await db.ScriptEvaluateAsync(ReadScript, [Users(scope), Version(scope)], [now.ToUnixTimeMilliseconds()]);
        return ToSnapshot(scope, result)!;
    }

    /// <summary>A script's answer: false for "nothing changed", else the version followed by the present users.</summary>
    private static PresenceSnapshot? ToSnapshot(PresenceScope scope, RedisResult result)
    {
        if (result.IsNull || result.Resp2Type != ResultType.Array) return null;
        var items = (RedisResult[])result!;
        var users = items.Skip(1).Select(i => (string)i!).Order(StringComparer.Ordinal).ToList();
        return new PresenceSnapshot(scope, long.Parse(items[0].ToString(), CultureInfo.InvariantCulture), users);
    }
}
