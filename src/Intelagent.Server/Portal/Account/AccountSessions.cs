using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Portal.Account;

/// <summary>One of the signed-in person's live sessions as the account page lists it.</summary>
public sealed record AccountSessionRow(string Id, string Device, string? Ip, DateTimeOffset CreatedAt, DateTimeOffset? LastActiveAt, DateTimeOffset ExpiresAt, bool Current);

/// <summary>
/// The person's sessions: the API's own list (GET /api/auth/sessions) plus when each was last
/// active (the database's flushed value or this node's newer unflushed one), and "sign out
/// everywhere else" as the API's revocation of each other session.
/// </summary>
public static class AccountSessions
{
    public static async Task<Result<IReadOnlyList<AccountSessionRow>>> ListAsync(IServiceProvider services, SessionInfo session, CancellationToken cancellationToken)
    {
        var listed = await services.GetRequiredService<AccountService>().ListSessionsAsync(session.UserId, session.SessionId, cancellationToken);
        var ids = listed.Select(s => s.Id).ToList();
        var db = services.GetRequiredService<AppDb>();
        var stored = await db.Sessions.AsNoTracking().Where(s => ids.Contains(s.Id)).Select(s => new { s.Id, s.LastActivityAt }).ToDictionaryAsync(s => s.Id, s => s.LastActivityAt, cancellationToken);
        var activity = services.GetRequiredService<SessionActivity>();
        return listed.Select(s => new AccountSessionRow(s.Id, DeviceNames.Describe(s.UserAgent), s.Ip, s.CreatedAt,
            Latest(stored.GetValueOrDefault(s.Id), activity.LatestOnThisNode(s.Id)), s.ExpiresAt, s.Current)).ToList();
    }

    /// <summary>Revokes every session of the person but the current one; returns how many ended.</summary>
    public static async Task<Result<int>> SignOutElsewhereAsync(IServiceProvider services, SessionInfo session, CancellationToken cancellationToken)
    {
        var accounts = services.GetRequiredService<AccountService>();
        var others = (await accounts.ListSessionsAsync(session.UserId, session.SessionId, cancellationToken)).Where(s => !s.Current).ToList();
        var ended = 0;
        foreach (var other in others)
            if ((await accounts.RevokeSessionAsync(session.UserId, other.Id, cancellationToken)).IsSuccess) ended++;
        return ended;
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

/// <summary>A short, readable name for a browser's user agent ("Chrome on Windows").</summary>
public static class DeviceNames
{
    public static string Describe(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent)) return "Unknown device";
        var browser = Find(userAgent, ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("HeadlessChrome", "Headless Chrome"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"));
        var system = Find(userAgent, ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"));
        return (browser, system) switch
        {
            (null, null) => userAgent.Length > 40 ? userAgent[..40] + "…" : userAgent,
            (null, { } os) => os,
            ({ } b, null) => b,
            ({ } b, { } os) => $"{b} on {os}",
        };
    }

    private static string? Find(string userAgent, params (string Token, string Name)[] candidates) =>
        candidates.FirstOrDefault(c => userAgent.Contains(c.Token, StringComparison.Ordinal)).Name;
}
