using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Security;

public sealed record CreatedKey(string Id, string Secret);

public static class AccessHelpers
{
    public static async Task<CreatedKey> CreateKeyAsync(this TestApp app, Account creator, string[] permissions, DateTimeOffset? expiresAt = null)
    {
        var response = await app.WithToken(creator.Token, creator.OrganizationId).PostAsJsonAsync("/api/security/api-keys", new { name = "CI key", permissions, expiresAt });
        await Api.ExpectAsync(response, HttpStatusCode.Created);
        var body = await response.JsonAsync();
        return new CreatedKey(body.GetProperty("id").GetString()!, body.GetProperty("secret").GetString()!);
    }

    public static HttpClient WithKey(this TestApp app, string secret, bool asHeader = false)
    {
        var client = app.Anonymous();
        if (asHeader) client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        else client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }
}

/// <summary>
/// RFC 6238 written out here with HMAC-SHA1 (RFC 4226 dynamic truncation), independent of the
/// server's Otp.NET, so the tests check the server against the standard rather than against itself.
/// </summary>
public static class Rfc6238
{
    /// <summary>The RFC's SHA-1 test secret, "12345678901234567890" in ASCII.</summary>
    public static readonly byte[] TestSecret = "12345678901234567890"u8.ToArray();
    public const string TestSecretBase32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    public static long Step(DateTimeOffset at) => at.ToUnixTimeSeconds() / 30;

    public static string Code(byte[] secret, long step, int digits = 6)
    {
        var counter = new byte[8];
        for (var i = 7; i >= 0; i--, step >>= 8) counter[i] = (byte)(step & 0xff);
        var hash = HMACSHA1.HashData(secret, counter);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        var modulo = (int)Math.Pow(10, digits);
        return (binary % modulo).ToString().PadLeft(digits, '0');
    }
}
