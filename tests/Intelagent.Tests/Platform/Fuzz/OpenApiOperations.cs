using System.Text.Json;
using System.Text.RegularExpressions;

namespace Intelagent.Tests.Platform.Fuzz;

/// <summary>A parameter of an operation as the OpenAPI document declares it (path, query or header).</summary>
public sealed record OpenApiParameter(string Name, string In, string[] Types);

/// <summary>A top-level property of a JSON request body, with the JSON types its schema allows.</summary>
public sealed record OpenApiProperty(string Name, string[] Types);

/// <summary>One method on one path of <c>/openapi/v1.json</c>.</summary>
public sealed record OpenApiOperation(string Method, string Path, IReadOnlyList<OpenApiParameter> Parameters, IReadOnlyList<OpenApiProperty>? BodyProperties, bool HasBody)
{
    /// <summary>The names of the path's <c>{placeholders}</c>, in order (the document omits some from <see cref="Parameters"/>).</summary>
    public IReadOnlyList<string> PathParameters { get; } =
        [.. Regex.Matches(Path, @"\{([^}:]+)(:[^}]*)?\}").Select(m => m.Groups[1].Value)];

    public override string ToString() => $"{Method} {Path}";
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
                    body is { } schema ? Properties(schema, schemas) : null, operation.TryGetProperty("requestBody", out _)));
            }
        }
        return operations;
    }

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
