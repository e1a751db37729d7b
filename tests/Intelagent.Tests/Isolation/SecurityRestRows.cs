using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>SMS codes as a second factor, the two-factor status, and the operators' SMS outbox.</summary>
public static class SecurityRestRows
{
    public static readonly Row[] All =
    [
        R(Get, "/api/auth/2fa", Row.SignedIn, _ => "/api/auth/2fa"),
        R(Post, "/api/auth/2fa/sms/enroll", Row.SignedIn, _ => "/api/auth/2fa/sms/enroll", _ => new { phoneNumber = "+1415" + Random.Shared.Next(1_000_000, 9_999_999) }),
        R(Post, "/api/auth/2fa/sms/confirm", Row.SignedIn, _ => "/api/auth/2fa/sms/confirm", _ => new { code = "000000" }),
        R(Post, "/api/auth/2fa/sms/removal-code", Row.SignedIn, _ => "/api/auth/2fa/sms/removal-code"),
        R(Post, "/api/auth/2fa/sms/remove", Row.SignedIn, _ => "/api/auth/2fa/sms/remove", _ => new { code = "000000" }),
        R(Post, "/api/auth/2fa/sms/send", Row.Anonymous, _ => "/api/auth/2fa/sms/send", _ => new { challengeToken = "forged" })
            with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 401 } },
        R(Get, "/api/admin/sms-outbox", PlatformOutboxRead, _ => "/api/admin/sms-outbox"),
    ];
}
