using System.Collections;
using System.Diagnostics;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Platform.Telemetry;

/// <summary>
/// Runs right after tenant resolution: every log line written later in the request carries the
/// organization and user (and API key id) beside the request id and trace id that ASP.NET Core's
/// own scope and activity tracking add, and a recorded trace gets them as tags. Anonymous requests
/// pass straight through; a signed-in one costs one small scope object.
/// </summary>
public sealed class RequestLogScopeMiddleware(RequestDelegate next, ILogger<RequestLogScopeMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context, RequestContext request)
    {
        if (request.UserId is null) return next(context);
        // Only a sampled trace keeps tags; on an unrecorded activity SetTag would allocate for nothing.
        if (Activity.Current is { Recorded: true } activity)
        {
            activity.SetTag(CallerScope.UserTag, request.UserId);
            if (request.OrganizationId is { } organizationId) activity.SetTag(CallerScope.OrganizationTag, organizationId);
        }
        return WithScopeAsync(context, new CallerScope(request.OrganizationId, request.UserId, request.ApiKeyId));
    }

    private async Task WithScopeAsync(HttpContext context, CallerScope scope)
    {
        using (logger.BeginScope(scope))
            await next(context);
    }
}

/// <summary>The caller's ids as a log scope: formatters list them as properties (JSON) or print <see cref="ToString"/>.</summary>
internal sealed class CallerScope(string? organizationId, string userId, string? apiKeyId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string UserTag = "user.id";
    public const string OrganizationTag = "intelagent.organization.id";

    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("OrganizationId", organizationId),
        1 => new("UserId", userId),
        2 => new("ApiKeyId", apiKeyId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => apiKeyId is null
        ? $"OrganizationId:{organizationId ?? "-"} UserId:{userId}"
        : $"OrganizationId:{organizationId ?? "-"} UserId:{userId} ApiKeyId:{apiKeyId}";
}
