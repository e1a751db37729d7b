using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Platform.Http;

/// <summary>
/// U+0000 is refused in request text, at the edge, as a 400 problem. PostgreSQL cannot store it in
/// a text or jsonb column nor compare with it (SQLSTATE 22021), so every field and filter that
/// reached a query failed there with a 500 while SQLite stored it; no field of this API has a use
/// for it. Found by tests/.../Platform/OpenApiFuzzTests.cs. Route values need nothing: Kestrel
/// refuses %00 in a path itself. (A JSON converter for strings would have done for bodies, but it
/// hides the type of every string from the OpenAPI schema, and misses JsonElement fields.)
/// </summary>
public static class TextWithoutNul
{
    public static IApplicationBuilder UseTextWithoutNul(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true)
        {
            await Problem.WriteAsync(context, 400, "invalid_text", "The query string contains a NUL character (%00), which no field accepts.");
            return;
        }
        if (request.ContentLength != 0 && request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            request.EnableBuffering();
            var found = await HasEscapedNulAsync(request.Body, context.RequestAborted);
            request.Body.Position = 0;
            if (found)
            {
                await Problem.WriteAsync(context, 400, "invalid_text", "The JSON body contains a NUL character (\\u0000), which no field accepts.");
                return;
            }
        }
        await next(context);
    });

    /// <summary>
    /// Whether the JSON text holds the escape <c>\u0000</c> (JSON cannot carry a raw NUL at all). A
    /// backslash escapes the next one, so only a <c>u0000</c> after an odd run of backslashes counts.
    /// </summary>
    internal static async Task<bool> HasEscapedNulAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var backslashes = 0;
        var zeros = -1; // after "\u": how many of the four '0's have followed
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var b = buffer[i];
                if (zeros >= 0)
                {
                    if (b == '0')
                    {
                        if (++zeros == 4) return true;
                        continue;
                    }
                    zeros = -1;
                }
                if (b == '\\')
                {
                    backslashes++;
                    continue;
                }
                if (b == 'u' && backslashes % 2 == 1) zeros = 0;
                backslashes = 0;
            }
        }
        return false;
    }
}
