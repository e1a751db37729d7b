using System.Security.Cryptography;
using System.Text;

namespace Intelagent.Server.Identity;

/// <summary>Random single-use tokens for links (invitations, resets). Only their SHA-256 is stored.</summary>
public static class SecretTokens
{
    public static string Create() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
