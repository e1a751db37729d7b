using System.Security.Cryptography;
using System.Text;

namespace Intelagent.Server.Security.Audit;

/// <summary>
/// The secret behind the audit chain (decision 004). Two sub-keys are derived from it with HKDF, one
/// for the chain's HMACs and one for the digests of personal data, so neither can stand in for the
/// other. Whoever can edit the database but does not hold this key cannot forge a link.
/// </summary>
public sealed class AuditChainKey
{
    public const string Setting = "AUDIT_CHAIN_KEY";
    public const string FileName = "audit-chain-key";

    private readonly byte[] _chainKey;
    private readonly byte[] _digestKey;

    public AuditChainKey(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < 32) throw new InvalidOperationException($"{Setting} must be at least 32 bytes long.");
        _chainKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, bytes, 32, info: "intelagent audit chain v1"u8.ToArray());
        _digestKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, bytes, 32, info: "intelagent audit digest v1"u8.ToArray());
        KeyId = Convert.ToHexStringLower(SHA256.HashData(_chainKey))[..16];
    }

    /// <summary>True when the key came from <c>AUDIT_CHAIN_KEY</c> rather than the data folder.</summary>
    public bool Configured { get; init; }

    /// <summary>Names the key in each sealed entry, so a node sealing with another key is told apart from tampering.</summary>
    public string KeyId { get; }

    public string Sign(string canonical) => Convert.ToHexStringLower(HMACSHA256.HashData(_chainKey, Encoding.UTF8.GetBytes(canonical)));

    /// <summary>A keyed digest of one personal field; the field name keeps equal values of different fields apart.</summary>
    public string? Digest(string field, string? value) => value is null ? null
        : Convert.ToHexStringLower(HMACSHA256.HashData(_digestKey, Encoding.UTF8.GetBytes(field + "\n" + value)));

    /// <summary>
    /// <c>AUDIT_CHAIN_KEY</c>, else a key generated once and kept in the data folder (mode 600). Not
    /// derived from <c>JWT_SECRET</c>: rotating sign-in keys must not make the history unverifiable.
    /// </summary>
    public static string ResolveSecret(IConfiguration configuration, string dataDirectory)
    {
        var configured = configuration[Setting];
        if (!string.IsNullOrEmpty(configured)) return configured;
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        Directory.CreateDirectory(dataDirectory);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }
}
