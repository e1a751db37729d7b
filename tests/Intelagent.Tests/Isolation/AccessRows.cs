using System.Net.Http.Json;
using Intelagent.Tests.Infrastructure;
using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Access control: API keys, security settings, two-factor authentication.</summary>
public static class AccessRows
{
    private static async Task<string> OwnersKeyAsync(World w)
    {
        var response = await w.App.WithToken(w.Owner.Token).PostAsJsonAsync("/api/security/api-keys", new { name = Unique("Key"), permissions = new[] { "teams.read" } });
        await Api.ExpectAsync(response, System.Net.HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    public static readonly Row[] All =
    [
        R(Get, "/api/security/api-keys", ApiKeysRead, _ => "/api/security/api-keys", header: true),
        R(Post, "/api/security/api-keys", ApiKeysManage, _ => "/api/security/api-keys", _ => new { name = Unique("Key"), permissions = new[] { "teams.read" } }, header: true),
        R(Delete, "/api/security/api-keys/{id}", ApiKeysManage, async (w, c) => w.Request(c, Delete, $"/api/security/api-keys/{await OwnersKeyAsync(w)}")),
        R(Post, "/api/security/api-keys/{id}/rotate", ApiKeysManage, async (w, c) => w.Request(c, Post, $"/api/security/api-keys/{await OwnersKeyAsync(w)}/rotate", new { gracePeriodHours = 1 })),

        R(Get, "/api/security/settings", SecuritySettingsRead, _ => "/api/security/settings", header: true),
        R(Put, "/api/security/settings", SecuritySettingsManage, _ => "/api/security/settings", _ => new { sessionTimeout = 120 }, header: true),

        R(Post, "/api/auth/2fa/totp/enroll", Row.SignedIn, _ => "/api/auth/2fa/totp/enroll"),
        R(Post, "/api/auth/2fa/totp/confirm", Row.SignedIn, _ => "/api/auth/2fa/totp/confirm", _ => new { code = "000000" }),
        R(Post, "/api/auth/2fa/disable", Row.SignedIn, _ => "/api/auth/2fa/disable", _ => new { code = "000000" }),
        R(Post, "/api/auth/2fa/verify", Row.Anonymous, _ => "/api/auth/2fa/verify", _ => new { challengeToken = "forged", code = "000000" })
            with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 401 } },
    ];
}
