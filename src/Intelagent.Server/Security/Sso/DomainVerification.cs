using DnsClient;

namespace Intelagent.Server.Security.Sso;

/// <summary>Looks up a domain's TXT records. The real adapter asks DNS; tests give their own answers.</summary>
public interface IDnsTxtLookup
{
    Task<IReadOnlyList<string>> TxtRecordsAsync(string name, CancellationToken cancellationToken);
}

public sealed class DnsTxtLookup(ILogger<DnsTxtLookup> logger) : IDnsTxtLookup
{
    private readonly LookupClient _client = new(new LookupClientOptions { Timeout = TimeSpan.FromSeconds(3), Retries = 1, UseCache = false });

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
