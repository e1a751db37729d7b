namespace Intelagent.Server.Platform.Http;

/// <summary>
/// Whether a request is the browser's own navigation (a followed redirect, a submitted form) rather than
/// a script's or an API client's call. The person is then looking at the answer: it must be a page, not a
/// problem document. Fetch metadata says so directly (<c>Sec-Fetch-Mode: navigate</c>); a browser too old
/// to send it still asks for HTML, which API clients do not.
/// </summary>
public static class BrowserNavigation
{
    public static bool Is(HttpRequest request)
    {
        var mode = request.Headers["Sec-Fetch-Mode"].ToString();
        if (mode.Length > 0) return string.Equals(mode, "navigate", StringComparison.OrdinalIgnoreCase);
        return request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }
}
