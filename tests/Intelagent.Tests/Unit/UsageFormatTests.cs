using Intelagent.Server.Portal.Customer;

namespace Intelagent.Tests.Unit;

/// <summary>Byte sizes in decimal units, as the limits are set (DECISIONS: 1 GB = 10^9 bytes).</summary>
public sealed class UsageFormatTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(999, "999 B")]
    [InlineData(1_000, "1 KB")]
    [InlineData(1_500, "1.5 KB")]
    [InlineData(1_024, "1 KB")]
    [InlineData(5_000_000, "5 MB")]
    [InlineData(1_000_000_000, "1 GB")]
    [InlineData(1_073_741_824, "1.1 GB")]
    [InlineData(2_500_000_000_000, "2.5 TB")]
    public void Bytes_ShouldUseDecimalMultiples(long bytes, string expected) => Assert.Equal(expected, UsageFormat.Bytes(bytes));

    [Fact]
    public void Amount_OfOtherUnits_ShouldBeACountWithSeparators() => Assert.Equal("12,345", UsageFormat.Amount(12_345, "calls"));
}
