using System.Net;
using Intelagent.Server.Security.Sso;

namespace Intelagent.Tests.Security.Sso;

/// <summary>Sso:DnsServers, the name servers domain verification asks instead of the system's.</summary>
public sealed class DnsNameServersTests
{
    [Fact]
    public void NameServers_WhenUnset_ShouldBeEmptySoTheSystemResolversAreAsked()
    {
        Assert.Empty(DnsTxtLookup.NameServers(null));
        Assert.Empty(DnsTxtLookup.NameServers(" , "));
    }

    [Fact]
    public void NameServers_ShouldReadAddressesWithAndWithoutPorts()
    {
        var servers = DnsTxtLookup.NameServers("127.0.0.1:5353, 10.0.0.2 ,[::1]:1053,::1");

        Assert.Equal(
            [new IPEndPoint(IPAddress.Loopback, 5353), new IPEndPoint(IPAddress.Parse("10.0.0.2"), 53), new IPEndPoint(IPAddress.IPv6Loopback, 1053), new IPEndPoint(IPAddress.IPv6Loopback, 53)],
            servers);
    }

    [Theory]
    [InlineData("dns.example.com")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("127.0.0.1:53,not an address")]
    public void NameServers_WithSomethingElse_ShouldRefuseToStart(string setting)
    {
        var error = Assert.Throws<InvalidOperationException>(() => DnsTxtLookup.NameServers(setting));

        Assert.Contains("Sso:DnsServers", error.Message);
    }
}
