using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Retention;

/// <summary>Reads, changes, previews and enforces the retention policies of the organization in context.</summary>
public sealed class RetentionService(AppDb db, IServiceProvider services)
{
    public async Task<RetentionResponse> GetAsync(CancellationToken cancellationToken)
    {
        var policies = await db.Set<RetentionPolicy>().AsNoTracking().ToDictionaryAsync(p => p.Category, p => p.Days, cancellationToken);
        return new RetentionResponse(RetentionCategories.All.Select(c =>
            new RetentionPolicyResponse(c.Code, c.Name, c.Description, policies.TryGetValue(c.Code, out var days) ? days : null, c.MinimumDays, c.LegalMinimum)).ToList());
    }

    public async Task<Result<RetentionResponse>> UpdateAsync(UpdateRetentionRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.When(request.Policies is null or { Count: 0 }, "policies", "must list at least one category.");
        var seen = new HashSet<string>();
        for (var i = 0; request.Policies is not null && i < request.Policies.Count; i++)
        {
            var item = request.Policies[i];
            if (item is null || RetentionCategories.Find(item.Category) is not { } category)
            {
                validation.Add($"policies[{i}].category", $"must be one of {string.Join(", ", RetentionCategories.All.Select(c => c.Code))}.");
                continue;
            }
            validation.When(!seen.Add(category.Code), $"policies[{i}].category", "is listed twice.");
            validation.When(item.Days is < 1 or > RetentionCategories.MaximumDays, $"policies[{i}].days",
                $"must be between 1 and {RetentionCategories.MaximumDays} days, or null to keep indefinitely.");
            validation.When(!category.LegalMinimum && item.Days is { } d && d >= 1 && d < category.MinimumDays, $"policies[{i}].days",
                $"must be at least {category.MinimumDays} days for {category.Code}.");
        }
        if (validation.Failed) return validation.ToError();
        // Shorter than the law allows is understood but not permitted: 422, not a malformed request.
        if (request.Policies!.FirstOrDefault(p => RetentionCategories.Find(p.Category)!.LegalMinimum && p.Days < RetentionCategories.Find(p.Category)!.MinimumDays) is { } illegal)
            return Error.Unprocessable("below_legal_minimum",
                $"{illegal.Category} must be kept at least {RetentionCategories.Find(illegal.Category)!.MinimumDays} days (10 years) by law.");

        var existing = await db.Set<RetentionPolicy>().ToDictionaryAsync(p => p.Category, cancellationToken);
        var now = db.Clock.GetUtcNow();
        foreach (var item in request.Policies!)
        {
            var found = existing.GetValueOrDefault(item.Category!);
            if (item.Days is null)
            {
                if (found is not null) db.Set<RetentionPolicy>().Remove(found);
            }
            else if (found is null)
                db.Set<RetentionPolicy>().Add(new RetentionPolicy { OrganizationId = db.Request.OrganizationId!, Category = item.Category!, Days = item.Days.Value, UpdatedAt = now });
            else if (found.Days != item.Days)
            {
                found.Days = item.Days.Value;
                found.UpdatedAt = now;
            }
        }
        if (db.ChangeTracker.HasChanges())
        {
            db.Raise(new RetentionPoliciesChanged(db.Request.OrganizationId!));
            await db.SaveChangesAsync(cancellationToken);
        }
        return await GetAsync(cancellationToken);
    }

    /// <summary>What enforcement would delete now, under the stored policies or the proposed days given per category.</summary>
    public async Task<RetentionPreviewResponse> PreviewAsync(string organizationId, IReadOnlyDictionary<string, int?> proposed, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var stored = await db.Set<RetentionPolicy>().IgnoreQueryFilters().AsNoTracking().Where(p => p.OrganizationId == organizationId)
            .ToDictionaryAsync(p => p.Category, p => (int?)p.Days, cancellationToken);
        var items = new List<RetentionPreviewItem>();
        foreach (var category in RetentionCategories.All)
        {
            var days = proposed.TryGetValue(category.Code, out var wanted) ? wanted : stored.GetValueOrDefault(category.Code);
            var cutoff = days is { } d ? now.AddDays(-d) : (DateTimeOffset?)null;
            items.Add(new RetentionPreviewItem(category.Code, days, cutoff, cutoff is { } c ? await category.CountAsync(db, organizationId, c, cancellationToken) : 0));
        }
        return new RetentionPreviewResponse(now, items, items.Sum(i => i.WouldDelete));
    }

    /// <summary>Applies every policy of one organization; the purge of each category is audited with its count.</summary>
    public async Task<IReadOnlyDictionary<string, long>> EnforceAsync(string organizationId, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var policies = await db.Set<RetentionPolicy>().IgnoreQueryFilters().AsNoTracking().Where(p => p.OrganizationId == organizationId).ToListAsync(cancellationToken);
        var purged = new Dictionary<string, long>();
        foreach (var policy in policies.OrderBy(p => p.Category))
        {
            if (RetentionCategories.Find(policy.Category) is not { } category) continue;
            var days = Math.Max(policy.Days, category.MinimumDays);
            var count = await category.PurgeAsync(services, organizationId, now.AddDays(-days), cancellationToken);
            if (count > 0) purged[category.Code] = count;
        }
        if (purged.Count > 0)
        {
            db.Audit("retention.enforced", "organization", organizationId, purged, organizationId: organizationId);
            await db.SaveChangesAsync(cancellationToken);
        }
        return purged;
    }
}
