using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Intelagent.Tests.Platform.Fuzz;

/// <summary>
/// Builds the malformed requests for one operation from its OpenAPI description and a valid
/// template: bad path ids, wrongly typed query values, broken and hostile bodies, wrong media types.
/// Which of the many variants are sent is drawn from a seeded <see cref="Random"/>, so a run is
/// reproducible from its seed.
/// </summary>
public sealed class FuzzCases(OpenApiOperation operation, Template template, Random random, IReadOnlyList<string> foreignIds)
{
    private const string Json = "application/json";
    private static readonly string Megabyte = new('x', 1 << 20);
    private static readonly string TenThousand = new('a', 10_000);

    /// <summary>
    /// Values for a path segment, already escaped for a URL. (No %00: Kestrel refuses it before the
    /// application, and the in-process test client cannot even send it.)
    /// </summary>
    private static readonly string[] PathValues =
    [
        "not-an-id", TenThousand, Uri.EscapeDataString("ünï-😀-名前"), "..", "%2e%2e", "%FF%FE", "-1", "0",
        "99999999999999999999", "x%20y%2Fz", Uri.EscapeDataString("' OR 1=1 --"), "%F0%9F", "2026-13-45", "null",
    ];

    /// <summary>Values for a query parameter, already escaped: wrong types, out of range, bad dates and enums, huge.</summary>
    private static readonly string[] QueryValues =
    [
        "", "abc", "-1", "0", "2147483648", "-2147483649", "99999999999999999999", "1e400", "1.5", "NaN",
        "2026-13-45T25:61:00Z", "not-a-date", "0001-01-01", "9999-12-31T23:59:59Z", "%00", "%FF%FE", Uri.EscapeDataString("😀"),
        TenThousand, "NOPE", "true", Uri.EscapeDataString("a,b;c"), "%2e%2e%2f",
    ];

    /// <summary>Raw JSON values put in place of one property of an otherwise valid body.</summary>
    private static readonly string[] PropertyValues =
    [
        "null", "true", "[]", "{}", "\"\"", "\"   \"", "0", "-1", "2147483648", "9223372036854775808", "1e400", "-1e400",
        "79228162514264337593543950336", "0.0000000000000000000000000000001", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udfff x\"",
        "\"" + Megabyte + "\"", "\"" + TenThousand + "\"", "\"2026-02-30\"", "\"NOPE\"", "\"😀名前\"", Nested(200, "[", "]", "1"),
        "[\"a\",1,null,{}]", "{\"nested\":{\"x\":1}}",
    ];

    public IEnumerable<FuzzRequest> All()
    {
        foreach (var request in PathCases()) yield return request;
        foreach (var request in QueryCases()) yield return request;
        foreach (var request in HeaderCases()) yield return request;
        if (operation.HasBody)
        {
            foreach (var request in BodyCases()) yield return request;
            foreach (var request in PropertyCases()) yield return request;
            foreach (var request in NestedCases()) yield return request;
        }
        else
        {
            yield return Make("unexpected body", template.Url, "{\"unexpected\": [1,", Json);
        }
        if (template.Authenticated)
        {
            // The same call without credentials: refused before any handler, still as a problem.
            yield return new FuzzRequest("anonymous", operation.Method, template.Url, operation.HasBody ? Utf8("not json") : null, operation.HasBody ? Json : null, []);
        }
    }

    private IEnumerable<FuzzRequest> PathCases()
    {
        var (path, query) = SplitUrl(template.Url);
        var templateSegments = operation.Path.Split('/');
        var segments = path.Split('/');
        if (segments.Length != templateSegments.Length) yield break;
        for (var i = 0; i < segments.Length; i++)
        {
            if (!templateSegments[i].StartsWith('{')) continue;
            var values = Pick(PathValues, 4).Concat(foreignIds.Count > 0 ? [foreignIds[random.Next(foreignIds.Count)]] : []);
            foreach (var value in values)
            {
                var changed = (string[])segments.Clone();
                changed[i] = value;
                yield return Make($"path {templateSegments[i]}", string.Join('/', changed) + query, template.Json, template.Json is null ? null : Json);
            }
        }
    }

    private IEnumerable<FuzzRequest> QueryCases()
    {
        var parameters = operation.Parameters.Where(p => p.In == "query").ToList();
        if (parameters.Count == 0) yield break;
        var (path, _) = SplitUrl(template.Url);
        foreach (var parameter in parameters)
            foreach (var value in Pick(QueryValues, 4))
                yield return Make($"query {parameter.Name}", $"{path}?{parameter.Name}={value}", template.Json, template.Json is null ? null : Json);
        var repeated = string.Join('&', parameters.SelectMany(p => new[] { $"{p.Name}=1", $"{p.Name}=abc", $"{p.Name}=" }));
        yield return Make("query repeated", $"{path}?{repeated}", template.Json, template.Json is null ? null : Json);
        var huge = string.Join('&', parameters.Select(p => $"{p.Name}={TenThousand}"));
        yield return Make("query all huge", $"{path}?{huge}", template.Json, template.Json is null ? null : Json);
    }

    private IEnumerable<FuzzRequest> HeaderCases()
    {
        foreach (var parameter in operation.Parameters.Where(p => p.In == "header"))
            foreach (var value in new[] { "", TenThousand, "\u00e9t\u00e9" })
                yield return Make($"header {parameter.Name}", template.Url, template.Json, Json) with
                {
                    Headers = [.. template.Headers, new(parameter.Name, value)],
                };
    }

    private IEnumerable<FuzzRequest> BodyCases()
    {
        var valid = BaseBody().ToJsonString();
        yield return Make("no body", template.Url, null, null);
        yield return Make("empty body", template.Url, "", Json);
        yield return Make("null body", template.Url, "null", Json);
        yield return Make("not json", template.Url, "this is not json", Json);
        yield return Make("truncated json", template.Url, valid[..(valid.Length / 2)], Json);
        yield return Make("array body", template.Url, "[" + valid + "]", Json);
        yield return Make("number body", template.Url, "12345", Json);
        yield return Make("string body", template.Url, "\"text\"", Json);
        yield return Make("deep object", template.Url, Nested(200, "{\"a\":", "}", "1"), Json);
        yield return Make("deep array", template.Url, Nested(200, "[", "]", "1"), Json);
        yield return Make("megabyte string body", template.Url, "\"" + Megabyte + "\"", Json);
        yield return Make("text/plain", template.Url, valid, "text/plain");
        yield return Make("form", template.Url, "name=a&email=b%40c.test&role=owner", "application/x-www-form-urlencoded");
        yield return Make("json with bom", template.Url, "\uFEFF" + valid, Json);
        yield return Make("json with charset latin1", template.Url, valid, "application/json; charset=iso-8859-1");
        yield return Make("invalid utf-8", template.Url, null, Json) with { Body = InvalidUtf8(valid) };
        var extra = BaseBody();
        extra["zzUnknown"] = 1;
        extra["id"] = "fz_injected";
        extra["organizationId"] = foreignIds.Count > 0 ? foreignIds[0] : "org_other";
        extra["__proto__"] = new JsonObject { ["admin"] = true };
        yield return Make("unknown properties", template.Url, extra.ToJsonString(), Json);
        if (BaseBody().FirstOrDefault() is { Key: var first })
            yield return Make("duplicate property", template.Url, valid.TrimEnd('}') + (valid.Length > 2 ? "," : "") + $"\"{first}\":12345}}", Json);
    }

    private IEnumerable<FuzzRequest> PropertyCases()
    {
        var names = BaseBody().Select(p => p.Key).Union(operation.BodyProperties?.Select(p => p.Name) ?? []).Distinct().ToList();
        foreach (var name in names)
        {
            var types = operation.BodyProperties?.FirstOrDefault(p => p.Name == name)?.Types ?? ["string"];
            foreach (var value in Pick(PropertyValues, 4).Prepend(WrongType(types)).Concat(MustHaves(types)).Distinct())
            {
                var body = BaseBody();
                const string Placeholder = "\"__fuzz_value__\"";
                body[name] = "__fuzz_value__";
                var text = body.ToJsonString().Replace(Placeholder, value, StringComparison.Ordinal);
                yield return Make($"property {name}", template.Url, text, Json);
            }
        }
    }

    /// <summary>
    /// The same inside the body: each property of a nested object, and of the first element of a
    /// nested array (passwordPolicy.minLength, events[0].properties, lines[0].amount), down to three
    /// levels, gets a value of the wrong type for what the template holds there and one drawn value.
    /// </summary>
    private IEnumerable<FuzzRequest> NestedCases()
    {
        const int MaxPaths = 16;
        var paths = new List<(List<object> Path, JsonValueKind Kind)>();
        foreach (var (name, value) in BaseBody()) Collect(value, [name], 1, paths);
        foreach (var (path, kind) in paths.Take(MaxPaths))
        {
            var wrong = kind switch
            {
                JsonValueKind.String => "12345",
                JsonValueKind.Number => "\"not-a-number\"",
                JsonValueKind.True or JsonValueKind.False => "\"yes\"",
                JsonValueKind.Array => "{\"not\":\"an array\"}",
                JsonValueKind.Object => "[\"not an object\"]",
                _ => "{}",
            };
            foreach (var value in Pick(PropertyValues, 1).Prepend(wrong).Distinct())
            {
                var body = BaseBody();
                const string Placeholder = "\"__fuzz_value__\"";
                JsonNode parent = body;
                foreach (var segment in path.SkipLast(1)) parent = segment is int index ? parent[index]! : parent[(string)segment]!;
                if (path[^1] is int last) parent[last] = "__fuzz_value__";
                else parent[(string)path[^1]] = "__fuzz_value__";
                var text = body.ToJsonString().Replace(Placeholder, value, StringComparison.Ordinal);
                yield return Make($"nested {Describe(path)}", template.Url, text, Json);
            }
        }
    }

    private static void Collect(JsonNode? node, List<object> path, int depth, List<(List<object>, JsonValueKind)> paths)
    {
        if (depth > 3) return;
        switch (node)
        {
            case JsonObject inner:
                foreach (var (name, value) in inner)
                {
                    List<object> child = [.. path, name];
                    paths.Add((child, value?.GetValueKind() ?? JsonValueKind.Null));
                    Collect(value, child, depth + 1, paths);
                }
                break;
            case JsonArray { Count: > 0 } array:
                List<object> first = [.. path, 0];
                paths.Add((first, array[0]?.GetValueKind() ?? JsonValueKind.Null));
                Collect(array[0], first, depth + 1, paths);
                break;
        }
    }

    private static string Describe(List<object> path) =>
        string.Concat(path.Select((segment, i) => segment is int index ? $"[{index}]" : (i == 0 ? "" : ".") + segment));

    /// <summary>Values every property of a type gets, whatever the draw: the ones that broke things before.</summary>
    private static IEnumerable<string> MustHaves(string[] types) =>
        types.Contains("integer") || types.Contains("number") ? ["9223372036854775808", "79228162514264337593543950335", "-79228162514264337593543950335", "1e400"]
        : types.Contains("string") ? ["\"a\\u0000b\"", "\"" + TenThousand + "\""]
        : [];

    private static string WrongType(string[] types) =>
        types.Contains("string") ? "12345"
        : types.Contains("integer") || types.Contains("number") ? "\"not-a-number\""
        : types.Contains("boolean") ? "\"yes\""
        : types.Contains("array") ? "{\"not\":\"an array\"}"
        : "[\"not an object\"]";

    /// <summary>The template's body as an object to mutate; a body made from the schema when the template has none.</summary>
    private JsonObject BaseBody()
    {
        if (template.Json is { } json && JsonNode.Parse(json) is JsonObject parsed) return parsed;
        var made = new JsonObject();
        foreach (var property in operation.BodyProperties ?? [])
            made[property.Name] = property.Types switch
            {
                var t when t.Contains("string") => "fuzz",
                var t when t.Contains("integer") => 1,
                var t when t.Contains("number") => 1.5,
                var t when t.Contains("boolean") => true,
                var t when t.Contains("array") => new JsonArray(),
                _ => new JsonObject(),
            };
        return made;
    }

    private IEnumerable<string> Pick(string[] values, int count) => values.OrderBy(_ => random.Next()).Take(count);

    private FuzzRequest Make(string label, string url, string? body, string? contentType) =>
        new(label, operation.Method, url, body is null ? null : Utf8(body), contentType, template.Headers);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] InvalidUtf8(string valid)
    {
        // A property value made of bytes that are not UTF-8 at all (0xFF, 0xFE, a lone continuation byte).
        var text = valid.Length > 2 ? valid.TrimEnd('}') + ",\"zz\":\"" : "{\"zz\":\"";
        return [.. Utf8(text), 0xFF, 0xFE, 0x80, (byte)'"', (byte)'}'];
    }

    private static string Nested(int depth, string open, string close, string inner) =>
        new StringBuilder().Insert(0, open, depth).Append(inner).Insert(open.Length * depth + inner.Length, close, depth).ToString();

    private static (string Path, string Query) SplitUrl(string url) =>
        url.IndexOf('?') is var q and >= 0 ? (url[..q], url[q..]) : (url, "");
}
