using Intelagent.Server.Insights.Events;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Analytics;

/// <summary>
/// The counts the product detectors and suggestions need, read for one organization explicitly (the
/// runner may act outside a request). Counts of messages, leads and conversations are distinct by
/// subject: a product that reports two opens of one message has one engaged message.
/// </summary>
public sealed class ProductEventData(AppDb db)
{
    public IQueryable<ProductEvent> Events(string organizationId) =>
        db.Set<ProductEvent>().IgnoreQueryFilters().AsNoTracking().Where(e => e.OrganizationId == organizationId);

    public IQueryable<ProductEventRollup> Rollups(string organizationId) =>
        db.Set<ProductEventRollup>().IgnoreQueryFilters().AsNoTracking().Where(r => r.OrganizationId == organizationId);

    public static DateTimeOffset DayOf(DateTimeOffset time) => new(time.UtcDateTime.Date, TimeSpan.Zero);

    /// <summary>Sends per weekday-hour (from the roll-ups) and distinct engaged messages per weekday-hour of their send time.</summary>
    public async Task<IReadOnlyList<SendCell>> SendCellsAsync(string organizationId, DateTimeOffset from, DateTimeOffset to, string? variant, CancellationToken cancellationToken)
    {
        var (fromDay, toDay) = (DayOf(from), DayOf(to));
        Dictionary<string, long> sent;
        if (variant is null)
            sent = await Rollups(organizationId).Where(r => r.Type == ProductEventTypes.EmailSent && r.Day >= fromDay && r.Day < toDay && r.Dimension.StartsWith("sent:"))
                .GroupBy(r => r.Dimension).Select(g => new { g.Key, Count = g.Sum(r => r.Count) }).ToDictionaryAsync(x => x.Key[5..], x => x.Count, cancellationToken);
        else
            sent = (await Events(organizationId).Where(e => e.Type == ProductEventTypes.EmailSent && e.Day >= fromDay && e.Day < toDay && e.Variant == variant)
                .Select(e => e.SentAt).ToListAsync(cancellationToken)).GroupBy(s => ProductEventWriter.SendCell(s!.Value)[5..]).ToDictionary(g => g.Key, g => (long)g.Count());
        var engaged = await Events(organizationId)
            .Where(e => (e.Type == ProductEventTypes.EmailOpened || e.Type == ProductEventTypes.EmailClicked) && e.SentAt >= fromDay && e.SentAt < toDay
                && (variant == null || e.Variant == variant))
            .Select(e => new { e.SubjectKey, e.SentAt }).Distinct().ToListAsync(cancellationToken);
        var engagedByCell = engaged.DistinctBy(e => e.SubjectKey).GroupBy(e => ProductEventWriter.SendCell(e.SentAt!.Value)[5..]).ToDictionary(g => g.Key, g => (long)g.Count());
        return sent.Select(s =>
        {
            var parts = s.Key.Split('-');
            return new SendCell(int.Parse(parts[0]), int.Parse(parts[1]), s.Value, Math.Min(s.Value, engagedByCell.GetValueOrDefault(s.Key)));
        }).OrderBy(c => c.Weekday).ThenBy(c => c.Hour).ToList();
    }

    /// <summary>Distinct subjects of a type since a time.</summary>
    public async Task<HashSet<string>> SubjectsAsync(string organizationId, string type, DateTimeOffset? from, CancellationToken cancellationToken)
    {
        var query = Events(organizationId).Where(e => e.Type == type && e.SubjectKey != null);
        if (from is { } start)
        {
            var day = DayOf(start);
            query = query.Where(e => e.Day >= day);
        }
        return (await query.Select(e => e.SubjectKey!).Distinct().ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<long> CountAsync(string organizationId, string type, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var day = DayOf(from);
        return await Rollups(organizationId).Where(r => r.Type == type && r.Dimension == "" && r.Day >= day).SumAsync(r => r.Count, cancellationToken);
    }
}
