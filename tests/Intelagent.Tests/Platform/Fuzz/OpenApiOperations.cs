using System.Text.Json;
using System.Text.RegularExpressions;

namespace Intelagent.Tests.Platform.Fuzz;

/// <summary>A parameter of an operation as the OpenAPI document declares it (path, query or header).</summary>
public sealed record OpenApiParameter(string Name, string In, string[] Types);

/// <summary>A top-level property of a JSON request body, with the JSON types its schema allows.</summary>
public sealed record OpenApiProperty(string Name, string[] Types);

/// <summary>
/// One method on one path of <c>/openapi/v1.json</c>. <see cref="Responses"/> holds the statuses its
/// <c>responses</c> declare (keys as written: "200", "4XX", "default"), each with its media types.
/// </summary>
public sealed record OpenApiOperation(string Method, string Path, IReadOnlyList<OpenApiParameter> Parameters, IReadOnlyList<OpenApiProperty>? BodyProperties, bool HasBody,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Responses)
{
    /// <summary>The names of the path's <c>{placeholders}</c>, in order (the document omits some from <see cref="Parameters"/>).</summary>
    public IReadOnlyList<string> PathParameters { get; } =
        [.. Regex.Matches(Path, @"\{([^}:]+)(:[^}]*)?\}").Select(m => m.Groups[1].Value)];

    public override string ToString() => $"{Method} {Path}";

    /// <summary>
    /// What is wrong with answering <paramref name="status"/> with <paramref name="mediaType"/> (null: no
    /// body), as an outside conformance checker (Schemathesis' status_code_conformance and
    /// content_type_conformance) sees it: the status must be declared, exactly, by its class ("4XX") or
    /// by "default"; a body's media type must be one the document lists for that status, when it lists any.
    /// </summary>
    public string? Nonconformance(int status, string? mediaType)
    {
        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!Responses.TryGetValue(code, out var declared) && !Responses.TryGetValue($"{code[0]}XX", out declared) && !Responses.TryGetValue("default", out declared))
            return $"{this} answered {status}, which its responses do not declare (declared: {string.Join(", ", Responses.Keys)})";
        if (mediaType is null || declared.Count == 0 || declared.Any(d => MediaTypeMatches(d, mediaType))) return null;
        return $"{this} answered {status} as {mediaType}, which the document does not list for {status} (listed: {string.Join(", ", declared)})";
    }

    private static bool MediaTypeMatches(string declared, string actual)
    {
        var (declaredType, declaredSubtype) = Split(declared);
        var (actualType, actualSubtype) = Split(actual);
        return (declaredType == "*" || declaredType == actualType) && (declaredSubtype == "*" || declaredSubtype == actualSubtype);
    }

    private static (string Type, string Subtype) Split(string mediaType)
    {
        var bare = mediaType.Split(';')[0].Trim().ToLowerInvariant();
        var slash = bare.IndexOf('/');
        return slash < 0 ? (bare, "*") : (bare[..slash], bare[(slash + 1)..]);
    }
}

/// <summary>Reads the operations, their parameters and their body schemas out of the OpenAPI document.</summary>
public static class OpenApiOperations
{
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    public static List<OpenApiOperation> Read(JsonElement document)
    {
        var schemas = document.GetProperty("components").TryGetProperty("schemas", out var s) ? s : default;
        var operations = new List<OpenApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var shared = path.Value.TryGetProperty("parameters", out var p) ? Parameters(p) : [];
            foreach (var method in Methods)
            {
                if (!path.Value.TryGetProperty(method, out var operation)) continue;
                var parameters = operation.TryGetProperty("parameters", out var own) ? [.. shared, .. Parameters(own)] : shared;
                var body = operation.TryGetProperty("requestBody", out var requestBody) ? BodySchema(requestBody, schemas) : null;
                operations.Add(new OpenApiOperation(method.ToUpperInvariant(), path.Name, parameters,
                    body is { } schema ? Properties(schema, schemas) : null, operation.TryGetProperty("requestBody", out _), Responses(operation)));
            }
        }
        return operations;
    }

    private static Dictionary<string, IReadOnlyList<string>> Responses(JsonElement operation) =>
        !operation.TryGetProperty("responses", out var responses) ? [] : responses.EnumerateObject().ToDictionary(
            r => r.Name, r => (IReadOnlyList<string>)(r.Value.TryGetProperty("content", out var content) ? [.. content.EnumerateObject().Select(m => m.Name)] : []));

    private static List<OpenApiParameter> Parameters(JsonElement parameters) =>
        [.. parameters.EnumerateArray().Select(p => new OpenApiParameter(
            p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!,
            p.TryGetProperty("schema", out var schema) ? Types(schema) : ["string"]))];

    private static JsonElement? BodySchema(JsonElement requestBody, JsonElement schemas)
    {
        if (!requestBody.TryGetProperty("content", out var content)) return null;
        foreach (var media in content.EnumerateObject())
            if (media.Name.Contains("json", StringComparison.Ordinal) && media.Value.TryGetProperty("schema", out var schema))
                return Resolve(schema, schemas);
        return null;
    }

    private static List<OpenApiProperty> Properties(JsonElement schema, JsonElement schemas)
    {
        if (!schema.TryGetProperty("properties", out var properties)) return [];
        return [.. properties.EnumerateObject().Select(p => new OpenApiProperty(p.Name, Types(Resolve(p.Value, schemas))))];
    }

    private static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        for (var depth = 0; depth < 10 && schema.TryGetProperty("$ref", out var reference); depth++)
        {
            var name = reference.GetString()!.Split('/')[^1];
            if (schemas.ValueKind != JsonValueKind.Object || !schemas.TryGetProperty(name, out schema)) break;
        }
        return schema;
    }

    /// <summary>The JSON types a schema allows ("type" may be a string or an array; a $ref or enum is an object or string).</summary>
    private static string[] Types(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object) return ["string"];
        if (schema.TryGetProperty("type", out var type))
            return type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)] : [type.GetString()!];
        if (schema.TryGetProperty("$ref", out _)) return ["object"];
        if (schema.TryGetProperty("enum", out _)) return ["string"];
        return ["string"];
    }
}
