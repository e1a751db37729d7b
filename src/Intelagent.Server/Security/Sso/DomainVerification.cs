using System.Net;
using DnsClient;

namespace Intelagent.Server.Security.Sso;

/// <summary>Looks up a domain's TXT records. The real adapter asks DNS; tests give their own answers.</summary>
public interface IDnsTxtLookup
{
    Task<IReadOnlyList<string>> TxtRecordsAsync(string name, CancellationToken cancellationToken);
}

/// <summary>
/// Asks the system's resolvers, or the name servers of <c>Sso:DnsServers</c> when set (a resolver of the
/// company's own, or a test's responder on loopback: a verification is only as good as the resolver asked).
/// </summary>
public sealed class DnsTxtLookup(IReadOnlyList<IPEndPoint> nameServers, ILogger<DnsTxtLookup> logger) : IDnsTxtLookup
{
    public const string NameServersSetting = "Sso:DnsServers";
    private readonly LookupClient _client = new(Options(nameServers));

    private static LookupClientOptions Options(IReadOnlyList<IPEndPoint> nameServers)
    {
        var options = nameServers.Count == 0 ? new LookupClientOptions() : new LookupClientOptions([.. nameServers]);
        options.Timeout = TimeSpan.FromSeconds(3);
        options.Retries = 1;
        options.UseCache = false;
        return options;
    }

    /// <summary>
    /// Comma-separated <c>address</c> or <c>address:port</c> (<c>[v6]:port</c>), port 53 when left out; empty
    /// for the system's resolvers. Names are refused: resolving the resolver would need a resolver.
    /// </summary>
    public static IReadOnlyList<IPEndPoint> NameServers(string? setting)
    {
        var servers = new List<IPEndPoint>();
        foreach (var entry in (setting ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPEndPoint.TryParse(entry, out var endpoint))
                throw new InvalidOperationException($"{NameServersSetting} must list IP addresses, each with an optional :port; '{entry}' is not one.");
            servers.Add(endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, NameServer.DefaultPort) : endpoint);
        }
        return servers;
    }

    public async Task<IReadOnlyList<string>> TxtRecordsAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await _client.QueryAsync(name, QueryType.TXT, QueryClass.IN, cancellationToken);
            return answer.Answers.TxtRecords().SelectMany(r => r.Text).ToList();
        }
        catch (DnsResponseException exception)
        {
            logger.LogInformation(exception, "TXT lookup of {Name} failed", name);
            return [];
        }
    }
}

/// <summary>Where the proof of a domain lives: a TXT record at <c>_intelagent-verification.{domain}</c>.</summary>
public static class DomainProof
{
    public static string RecordName(string domain) => "_intelagent-verification." + domain;

    public static string RecordValue(string token) => "intelagent-verification=" + token;

    /// <summary>A lower-case host name of at least two labels, letters, digits and hyphens.</summary>
    public static string? Normalize(string? domain)
    {
        if (string.IsNullOrWhiteSpace(domain)) return null;
        var value = domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (value.Length > 253 || Uri.CheckHostName(value) != UriHostNameType.Dns || !value.Contains('.', StringComparison.Ordinal)) return null;
        return value.Split('.').All(label => label.Length is > 0 and <= 63 && !label.StartsWith('-') && !label.EndsWith('-')) ? value : null;
    }

    public static string? DomainOf(string email)
    {
        var at = email.LastIndexOf('@');
        return at < 0 ? null : Normalize(email[(at + 1)..]);
    }
}
