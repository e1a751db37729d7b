using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Identity.TwoFactor;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

public sealed class TwoFactorTestsOnSqlite(SqliteApp app) : TwoFactorTests<SqliteApp>(app);
public sealed class TwoFactorTestsOnPostgres(PostgresApp app) : TwoFactorTests<PostgresApp>(app);

public abstract class TwoFactorTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    /// <summary>Enrols, swaps the random seed for the RFC 6238 test secret, and confirms with a code the test computes itself.</summary>
    private async Task<(Account Account, string[] RecoveryCodes, long Step)> EnrolWithRfcSecretAsync()
    {
        var account = await app.RegisterAsync();
        var client = app.WithToken(account.Token);
        var enroll = await client.PostAsync("/api/auth/2fa/totp/enroll", null);
        await Api.ExpectAsync(enroll, HttpStatusCode.OK);
        var body = await enroll.JsonAsync();
        Assert.StartsWith("otpauth://totp/Intelagent:", body.GetProperty("otpauthUri").GetString());
        Assert.StartsWith("data:image/png;base64,", body.GetProperty("qrCode").GetString());
        var stored = await app.WithDbAsync(db => db.Set<TwoFactorCredential>().SingleAsync(c => c.UserId == account.UserId));
        Assert.DoesNotContain(body.GetProperty("secret").GetString()!, stored.ProtectedSecret);

        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(TwoFactorService.SeedPurpose);
        await app.WithDbAsync(db => db.Set<TwoFactorCredential>().Where(c => c.UserId == account.UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ProtectedSecret, protector.Protect(Rfc6238.TestSecretBase32))));
        var step = Rfc6238.Step(app.Clock.GetUtcNow());
        var confirm = await client.PostAsJsonAsync("/api/auth/2fa/totp/confirm", new { code = Rfc6238.Code(Rfc6238.TestSecret, step) });
        await Api.ExpectAsync(confirm, HttpStatusCode.OK);
        var codes = (await confirm.JsonAsync()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        return (account, codes, step);
    }

    private async Task<string> ChallengeAsync(Account account)
    {
        var login = await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = account.Email, password = account.Password });
        await Api.ExpectAsync(login, HttpStatusCode.OK);
        var body = await login.JsonAsync();
        Assert.True(body.GetProperty("twoFactorRequired").GetBoolean());
        Assert.False(body.TryGetProperty("token", out _));
        return body.GetProperty("challengeToken").GetString()!;
    }

    private Task<HttpResponseMessage> VerifyAsync(string challenge, string? code = null, string? recoveryCode = null) =>
        app.Anonymous().PostAsJsonAsync("/api/auth/2fa/verify", new { challengeToken = challenge, code, recoveryCode });

    [Fact]
    public async Task Code_FromTheRfcTestSecret_ShouldBeAcceptedOnceAndRefusedTheSecondTime()
    {
        var (account, codes, confirmedStep) = await EnrolWithRfcSecretAsync();
        Assert.Equal(10, codes.Distinct().Count());

        // The code that confirmed enrolment cannot sign in again: its time step is used.
        await Api.ExpectProblemAsync(await VerifyAsync(await ChallengeAsync(account), Rfc6238.Code(Rfc6238.TestSecret, confirmedStep)), HttpStatusCode.BadRequest);

        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var code = Rfc6238.Code(Rfc6238.TestSecret, Rfc6238.Step(app.Clock.GetUtcNow()));
        var first = await VerifyAsync(await ChallengeAsync(account), code);
        await Api.ExpectAsync(first, HttpStatusCode.OK);
        var token = (await first.JsonAsync()).GetProperty("token").GetString()!;
        await Api.ExpectAsync(await app.WithToken(token).GetAsync("/api/auth/me"), HttpStatusCode.OK);

        var replay = await VerifyAsync(await ChallengeAsync(account), code);
        await Api.ExpectProblemAsync(replay, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().AnyAsync(e => e.TargetId == account.UserId && e.Action == "user.two_factor_enabled")));
    }

    [Fact]
    public async Task RecoveryCode_ShouldWorkOnce()
    {
        var (account, codes, _) = await EnrolWithRfcSecretAsync();

        await Api.ExpectAsync(await VerifyAsync(await ChallengeAsync(account), recoveryCode: codes[3].ToUpperInvariant()), HttpStatusCode.OK);

        await Api.ExpectProblemAsync(await VerifyAsync(await ChallengeAsync(account), recoveryCode: codes[3]), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectAsync(await VerifyAsync(await ChallengeAsync(account), recoveryCode: codes[4]), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Verify_WithAForgedChallenge_ShouldBe401()
    {
        var response = await VerifyAsync("forged-challenge", "123456");

        await Api.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_challenge");
    }

    [Fact]
    public async Task Organization_RequiringTwoFactor_ShouldStopMembersWithoutItUntilTheyEnrol()
    {
        var (owner, _, _) = await EnrolWithRfcSecretAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var ownerToken = await SignInAsync(owner);
        var member = await app.AddMemberAsync(owner with { Token = ownerToken }, "member");
        await Api.ExpectAsync(await app.WithToken(ownerToken).PutAsJsonAsync("/api/security/settings", new { requireTwoFactor = true }), HttpStatusCode.OK);
        var teams = $"/api/organizations/{owner.OrganizationId}/teams";

        await Api.ExpectProblemAsync(await app.WithToken(member.Token).GetAsync(teams), HttpStatusCode.Forbidden, "two_factor_required");
        await Api.ExpectAsync(await app.WithToken(ownerToken).GetAsync(teams), HttpStatusCode.OK);

        var enroll = await (await app.WithToken(member.Token).PostAsync("/api/auth/2fa/totp/enroll", null)).JsonAsync();
        var secret = Base32(enroll.GetProperty("secret").GetString()!);
        var confirm = await app.WithToken(member.Token).PostAsJsonAsync("/api/auth/2fa/totp/confirm", new { code = Rfc6238.Code(secret, Rfc6238.Step(app.Clock.GetUtcNow())) });
        await Api.ExpectAsync(confirm, HttpStatusCode.OK);

        await Api.ExpectAsync(await app.WithToken(member.Token).GetAsync(teams), HttpStatusCode.OK);
    }

    private async Task<string> SignInAsync(Account account)
    {
        var response = await VerifyAsync(await ChallengeAsync(account), Rfc6238.Code(Rfc6238.TestSecret, Rfc6238.Step(app.Clock.GetUtcNow())));
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return (await response.JsonAsync()).GetProperty("token").GetString()!;
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('='))
        {
            buffer = (buffer << 5) | alphabet.IndexOf(char.ToUpperInvariant(c));
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }

    [Fact]
    public async Task Disable_WithACurrentCode_ShouldTurnItOff()
    {
        var (account, _, _) = await EnrolWithRfcSecretAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var token = await SignInAsync(account);
        app.Clock.Advance(TimeSpan.FromSeconds(30));

        await Api.ExpectProblemAsync(await app.WithToken(token).PostAsJsonAsync("/api/auth/2fa/disable", new { code = "000000" }), HttpStatusCode.BadRequest);
        await Api.ExpectAsync(await app.WithToken(token).PostAsJsonAsync("/api/auth/2fa/disable", new { code = Rfc6238.Code(Rfc6238.TestSecret, Rfc6238.Step(app.Clock.GetUtcNow())) }), HttpStatusCode.NoContent);

        var login = await (await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = account.Email, password = account.Password })).JsonAsync();
        Assert.Equal(JsonValueKind.String, login.GetProperty("token").ValueKind);
    }
}
