namespace Intelagent.Server.Platform.Http;

/// <summary>
/// Optimistic concurrency over HTTP (RFC 9110 §13.1.1): single resources carry an ETag made from
/// their version; a PATCH with <c>If-Match</c> naming an older version is refused with 412.
/// </summary>
public static class ETags
{
    public static string For(int version) => $"\"v{version}\"";

    public static void Set(HttpContext context, int version) => context.Response.Headers.ETag = For(version);

    /// <summary>True when there is no If-Match, it is <c>*</c>, or it names the current version.</summary>
    public static bool IfMatchAllows(HttpContext context, int version)
    {
        var header = context.Request.Headers.IfMatch;
        if (header.Count == 0) return true;
        var current = For(version);
        return header.SelectMany(h => (h ?? "").Split(',')).Select(t => t.Trim().Replace("W/", ""))
            .Any(t => t == "*" || t == current);
    }
}
