using System.Text;
using Intelagent.Server.Platform.Http;

namespace Intelagent.Tests.Unit;

public sealed class TextWithoutNulTests
{
    [Theory]
    [InlineData("""{"name":"a\u0000b"}""", true)]
    [InlineData("""{"name":"\\\u0000"}""", true)] // an escaped backslash, then the NUL escape
    [InlineData("""{"name":"\\u0000"}""", false)] // the text \u0000 (its backslash is escaped)
    [InlineData("""{"name":"\u00001"}""", true)]
    [InlineData("""{"name":"\u0001 \u00e9 \u0100"}""", false)]
    [InlineData("""{"u0000":"\u000"}""", false)]
    public async Task HasEscapedNul_ShouldFindOnlyTheNulEscape(string json, bool expected)
    {
        Assert.Equal(expected, await TextWithoutNul.HasEscapedNulAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), CancellationToken.None));
    }

    [Fact]
    public async Task HasEscapedNul_ShouldFindAnEscapeSplitAcrossReads()
    {
        var json = "{\"a\":\"" + new string('x', 16 * 1024 - 9) + "\\u0000\"}";
        Assert.True(await TextWithoutNul.HasEscapedNulAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), CancellationToken.None));
    }
}
