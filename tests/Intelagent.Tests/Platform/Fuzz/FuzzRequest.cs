using System.Net.Http.Headers;
using System.Text;

namespace Intelagent.Tests.Platform.Fuzz;

/// <summary>A valid request for an operation, from the isolation matrix: the URL with real ids, the caller's headers and a body.</summary>
public sealed record Template(string Url, string? Json, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public bool Authenticated => Headers.Any(h => h.Key == "Authorization");
}

/// <summary>One malformed request; <see cref="Describe"/> is what a failure prints to reproduce it.</summary>
public sealed record FuzzRequest(string Label, string Method, string Url, byte[]? Body, string? ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Url);
        foreach (var (name, value) in Headers) message.Headers.TryAddWithoutValidation(name, value);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null) message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        }
        return message;
    }

    public string Describe()
    {
        var url = Url.Length > 300 ? Url[..300] + $"...({Url.Length} chars)" : Url;
        var body = Body is null ? "(no body)" : Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 300)) + (Body.Length > 300 ? $"...({Body.Length} bytes)" : "");
        var caller = Headers.Any(h => h.Key == "Authorization") ? "signed in" : "anonymous";
        return $"[{Label}] {Method} {url} ({caller}) {ContentType} {body}";
    }
}
