namespace Intelagent.Tests.Security;

/// <summary>The test's own RFC 6238 implementation against the RFC's SHA-1 vectors (appendix B).</summary>
public sealed class Rfc6238Tests
{
    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Code_ForTheRfcVectors_ShouldMatchAppendixB(long unixSeconds, string expected) =>
        Assert.Equal(expected, Rfc6238.Code(Rfc6238.TestSecret, Rfc6238.Step(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)), digits: 8));
}
