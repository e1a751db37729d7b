using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Security.Audit;

namespace Intelagent.Tests.Unit;

public sealed class AuditChainUnitTests
{
    private static readonly AuditChainKey Key = new("unit-test-audit-chain-key-of-enough-length");

    private static AuditEntry Sealed()
    {
        var entry = new AuditEntry
        {
            Id = "aud_01jd0000000000000000000000",
            OrganizationId = "org_01jd0000000000000000000000",
            ActorUserId = "usr_1",
            Action = "team.created",
            TargetType = "team",
            TargetId = "team_1",
            Ip = "203.0.113.9",
            UserAgent = "curl/8",
            At = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero),
            Data = "{\"name\":\"Support\"}",
        };
        AuditChain.Seal(entry, 7, "ab".PadRight(64, '0'), Key, DateTimeOffset.UnixEpoch);
        return entry;
    }

    [Fact]
    public void SealedEntry_ShouldVerify_AndFailWhenAnyCoveredFieldChanges()
    {
        Assert.Null(AuditChain.Problem(Sealed(), Key));
        var edits = new Action<AuditEntry>[]
        {
            e => e.Sequence = 8, e => e.PreviousHash = "cd".PadRight(64, '0'), e => e.DataDigest = Key.Digest("data", "{}"),
        };
        foreach (var edit in edits)
        {
            var entry = Sealed();
            edit(entry);
            Assert.NotNull(AuditChain.Problem(entry, Key));
        }
        Assert.NotNull(AuditChain.Problem(Sealed(), new AuditChainKey("another-audit-chain-key-of-enough-length")));
    }

    [Fact]
    public void Canonical_ShouldHoldOnlyDigestsOfPersonalData()
    {
        var canonical = AuditChain.Canonical(Sealed());
        Assert.DoesNotContain("203.0.113.9", canonical);
        Assert.DoesNotContain("curl/8", canonical);
        Assert.DoesNotContain("Support", canonical);
        Assert.Contains("team.created", canonical);
    }

    [Theory]
    [InlineData("2026-11-26", "2026-11-26T00:00:00Z")]
    [InlineData("2026-11-26T09:30:00Z", "2026-11-26T09:30:00Z")]
    [InlineData("2026-11-26T09:30:00+02:00", "2026-11-26T07:30:00Z")]
    [InlineData("2026-11-26T09:30:00.1234567Z", "2026-11-26T09:30:00.1234567Z")]
    [InlineData("2026-11-26T09:30:00", "2026-11-26T09:30:00Z")]
    public void Filter_ShouldReadIsoTimesAsUtc(string value, string expected)
    {
        var filter = AuditLogFilter.Parse(null, null, null, null, null, value, null);
        Assert.True(filter.IsSuccess, filter.Error?.ToString());
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), filter.Value!.From);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("26/11/2026")]
    [InlineData("2026-13-01")]
    [InlineData("2026-11-26 09:30")]
    public void Filter_ShouldRefuseTimesThatAreNotIso(string value) =>
        Assert.False(AuditLogFilter.Parse(null, null, null, null, null, null, value).IsSuccess);

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData(null, "")]
    public void CsvCell_ShouldQuoteAndDefuseFormulas(string? value, string expected) => Assert.Equal(expected, AuditExport.Cell(value));
}
