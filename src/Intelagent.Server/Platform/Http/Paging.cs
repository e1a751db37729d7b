using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Platform.Http;

/// <summary>A page of a list: <c>{"items": [...], "nextCursor": "..." | null}</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// Keyset paging over time-sortable ids: the cursor is the last id of the previous page, so pages
/// stay stable while rows are added, and each page costs one index seek.
/// </summary>
public sealed record PageRequest(int Limit, string? After)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static Result<PageRequest> From(int? limit, string? cursor)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit) return Error.Validation("limit", $"must be between 1 and {MaxLimit}.");
        if (cursor is { Length: > 64 }) return Error.Validation("cursor", "is not a cursor this API issued.");
        return new PageRequest(size, string.IsNullOrEmpty(cursor) ? null : cursor);
    }
}

public static class PagingExtensions
{
    /// <summary>Pages a query whose rows have string ids that sort by age.</summary>
    public static async Task<Page<TOut>> ToPageAsync<TIn, TOut>(this IQueryable<TIn> query, PageRequest page,
        Func<IQueryable<TIn>, string, IQueryable<TIn>> after, Func<TIn, string> idOf, Func<TIn, TOut> map, CancellationToken cancellationToken)
    {
        if (page.After is not null) query = after(query, page.After);
        var rows = await query.Take(page.Limit + 1).ToListAsync(cancellationToken);
        var hasMore = rows.Count > page.Limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        return new Page<TOut>(rows.Select(map).ToList(), hasMore ? idOf(rows[^1]) : null);
    }
}
