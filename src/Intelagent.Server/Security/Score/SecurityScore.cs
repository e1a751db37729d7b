using System.Text.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;

namespace Intelagent.Server.Security.Score;

public sealed record ScoreCheckResult(string Code, string Title, bool Passed, int Points, int MaxPoints, string Detail);

public sealed record ScoreCategoryResult(string Code, string Name, int Score, int MaxScore, IReadOnlyList<ScoreCheckResult> Checks);

public sealed record ScoreRecommendation(string Check, string Category, string Text, int Points);

public sealed record SecurityScoreResponse(int Score, int MaxScore, DateTimeOffset ComputedAt, IReadOnlyList<ScoreCategoryResult> Categories, IReadOnlyList<ScoreRecommendation> Recommendations);

public static class SnapshotReasons
{
    public const string Daily = "daily";
    public const string SettingsChanged = "settings_changed";
    public const string RetentionChanged = "retention_changed";
}

/// <summary>Computes the score from the organization's state, and keeps snapshots of it.</summary>
public sealed class SecurityScoreService(AppDb db, SecurityPosture posture)
{
    public async Task<SecurityScoreResponse> ComputeAsync(string organizationId, CancellationToken cancellationToken) =>
        Judge(await posture.ReadAsync(organizationId, cancellationToken));

    /// <summary>Pure: the facts in, the score out.</summary>
    public static SecurityScoreResponse Judge(PostureFacts facts)
    {
        var results = ScoreChecks.All.Select(c => (Check: c, Verdict: c.Judge(facts))).ToList();
        var categories = ScoreChecks.Categories.Select(category =>
        {
            var checks = results.Where(r => r.Check.Category == category.Code)
                .Select(r => new ScoreCheckResult(r.Check.Code, r.Check.Title, r.Verdict.Passed, r.Verdict.Passed ? r.Check.Points : 0, r.Check.Points, r.Verdict.Detail))
                .ToList();
            return new ScoreCategoryResult(category.Code, category.Name, checks.Sum(c => c.Points), checks.Sum(c => c.MaxPoints), checks);
        }).ToList();
        var recommendations = results.Where(r => !r.Verdict.Passed)
            .OrderByDescending(r => r.Check.Points)
            .Select(r => new ScoreRecommendation(r.Check.Code, r.Check.Category, $"{r.Check.Recommendation} (+{r.Check.Points} points).", r.Check.Points))
            .ToList();
        return new SecurityScoreResponse(categories.Sum(c => c.Score), categories.Sum(c => c.MaxScore), facts.At, categories, recommendations);
    }

    /// <summary>Adds a snapshot to the next SaveChanges (the caller saves).</summary>
    public async Task<SecurityScoreSnapshot> SnapshotAsync(string organizationId, string reason, string? sourceEventId, CancellationToken cancellationToken)
    {
        var score = await ComputeAsync(organizationId, cancellationToken);
        var snapshot = new SecurityScoreSnapshot
        {
            Id = Id.New(IdPrefix.SecurityScoreSnapshot, db.Clock),
            OrganizationId = organizationId,
            Score = score.Score,
            Categories = JsonSerializer.Serialize(score.Categories.ToDictionary(c => c.Code, c => c.Score)),
            FailedChecks = string.Join(' ', score.Categories.SelectMany(c => c.Checks).Where(c => !c.Passed).Select(c => c.Code)),
            Reason = reason,
            SourceEventId = sourceEventId,
            CreatedAt = db.Clock.GetUtcNow(),
        };
        db.Set<SecurityScoreSnapshot>().Add(snapshot);
        return snapshot;
    }
}
