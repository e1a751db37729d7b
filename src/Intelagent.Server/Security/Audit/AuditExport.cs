using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Intelagent.Server.Platform.Auditing;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Audit;

/// <summary>
/// Writes the filtered audit log to the response as it reads it (rows streamed from the database,
/// flushed every few hundred), so an export of any size holds only one row in memory.
/// </summary>
public static class AuditExport
{
    public static readonly string[] Columns =
    [
        "id", "at", "organizationId", "actorUserId", "actorApiKeyId", "actorIsOperator", "action", "targetType", "targetId",
        "outcome", "ip", "userAgent", "data", "sequence", "hash",
    ];

    private const int FlushEvery = 200;

    public static async Task WriteCsvAsync(IQueryable<AuditEntry> rows, Stream body, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(string.Join(',', Columns) + "\r\n");
        var count = 0;
        await foreach (var e in rows.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            string?[] cells =
            [
                e.Id, e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), e.OrganizationId, e.ActorUserId, e.ActorApiKeyId,
                e.ActorIsOperator ? "true" : "false", e.Action, e.TargetType, e.TargetId, e.Outcome, e.Ip, e.UserAgent, e.Data,
                e.Sequence?.ToString(CultureInfo.InvariantCulture), e.Hash,
            ];
            await writer.WriteAsync(string.Join(',', cells.Select(Cell)) + "\r\n");
            if (++count % FlushEvery == 0) await writer.FlushAsync(cancellationToken);
        }
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>System.Text.Json writes an IAsyncEnumerable as a JSON array, flushing asynchronously as it goes.</summary>
    public static Task WriteJsonAsync(IQueryable<AuditEntry> rows, Stream body, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeAsync(body, Responses(rows, cancellationToken), JsonSerializerOptions.Web, cancellationToken);

    private static async IAsyncEnumerable<AuditEntryResponse> Responses(IQueryable<AuditEntry> rows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in rows.AsAsyncEnumerable().WithCancellation(cancellationToken)) yield return AuditEntryResponse.From(entry);
    }

    /// <summary>
    /// RFC 4180 quoting, and a leading apostrophe for cells a spreadsheet would run as a formula
    /// (OWASP "CSV injection"): audit data holds text that callers chose, such as names.
    /// </summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
