using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Intelagent.Server.Identity.TwoFactor;
using Intelagent.Server.Security.Sms;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Security;

public sealed class SmsTwoFactorTestsOnSqlite(SqliteApp app) : SmsTwoFactorTests<SqliteApp>(app);
public sealed class SmsTwoFactorTestsOnPostgres(PostgresApp app) : SmsTwoFactorTests<PostgresApp>(app);

public abstract partial class SmsTwoFactorTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static string NewNumber() => "+1415" + Random.Shared.Next(1_000_000, 9_999_999);

    /// <summary>The code of the newest message to <paramref name="number"/>, read as an operator reads the outbox.</summary>
    private async Task<string> LatestCodeAsync(string number)
    {
        var operatorToken = await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password);
        var page = await (await app.WithToken(operatorToken).GetAsync($"/api/admin/sms-outbox?to={Uri.EscapeDataString(number)}")).JsonAsync();
        var body = page.GetProperty("items")[0].GetProperty("body").GetString()!;
        return SixDigits().Match(body).Value;
    }

    private async Task<(Account Account, string Number)> EnrolAsync(Account? existing = null)
    {
        var account = existing ?? await app.RegisterAsync();
        var number = NewNumber();
        var enroll = await app.WithToken(account.Token).PostAsJsonAsync("/api/auth/2fa/sms/enroll", new { phoneNumber = number });
        await Api.ExpectAsync(enroll, HttpStatusCode.Accepted);
        Assert.EndsWith(number[^2..], (await enroll.JsonAsync()).GetProperty("sentTo").GetString());
        var confirm = await app.WithToken(account.Token).PostAsJsonAsync("/api/auth/2fa/sms/confirm", new { code = await LatestCodeAsync(number) });
        await Api.ExpectAsync(confirm, HttpStatusCode.OK);
        Assert.True((await confirm.JsonAsync()).GetProperty("verified").GetBoolean());
        return (account, number);
    }

    private async Task<string> ChallengeAsync(Account account)
    {
        var login = await (await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = account.Email, password = account.Password })).JsonAsync();
        Assert.True(login.GetProperty("twoFactorRequired").GetBoolean());
        Assert.Contains("sms", login.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        return login.GetProperty("challengeToken").GetString()!;
    }

    private Task<HttpResponseMessage> SendSignInCodeAsync(string challenge) =>
        app.Anonymous().PostAsJsonAsync("/api/auth/2fa/sms/send", new { challengeToken = challenge });

    private Task<HttpResponseMessage> VerifyAsync(string challenge, string code) =>
        app.Anonymous().PostAsJsonAsync("/api/auth/2fa/verify", new { challengeToken = challenge, code, method = "sms" });

    [Fact]
    public async Task SignIn_WithTheSmsCode_ShouldSucceedOnceAndRefuseTheReplay()
    {
        var (account, number) = await EnrolAsync();
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters()
            .AnyAsync(e => e.TargetId == account.UserId && e.Action == "user.two_factor_enabled" && e.Data!.Contains("sms"))));

        var challenge = await ChallengeAsync(account);
        await Api.ExpectAsync(await SendSignInCodeAsync(challenge), HttpStatusCode.Accepted);
        var code = await LatestCodeAsync(number);
        // Only a keyed hash of the code is stored.
        var stored = await app.WithDbAsync(db => db.Set<SmsCode>().Where(c => c.UserId == account.UserId && c.Purpose == SmsCodePurposes.SignIn).SingleAsync());
        Assert.DoesNotContain(code, stored.CodeHash);
        Assert.Equal(64, stored.CodeHash.Length);

        var signedIn = await VerifyAsync(challenge, code);
        await Api.ExpectAsync(signedIn, HttpStatusCode.OK);
        await Api.ExpectAsync(await app.WithToken((await signedIn.JsonAsync()).GetProperty("token").GetString()!).GetAsync("/api/auth/me"), HttpStatusCode.OK);

        await Api.ExpectProblemAsync(await VerifyAsync(await ChallengeAsync(account), code), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters()
            .AnyAsync(e => e.TargetId == account.UserId && e.Action == "user.signed_in" && e.Data!.Contains("\"sms\""))));
    }

    [Fact]
    public async Task SmsCode_AfterItsLifetime_ShouldBeRefused()
    {
        var (account, number) = await EnrolAsync();
        var challenge = await ChallengeAsync(account);
        await Api.ExpectAsync(await SendSignInCodeAsync(challenge), HttpStatusCode.Accepted);
        var code = await LatestCodeAsync(number);

        app.Clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(50));
        var late = await ChallengeAsync(account);
        app.Clock.Advance(TimeSpan.FromSeconds(15));

        await Api.ExpectProblemAsync(await VerifyAsync(late, code), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task SmsCode_AfterFiveWrongGuesses_ShouldBeDeadEvenWhenRight()
    {
        var (account, number) = await EnrolAsync();
        var challenge = await ChallengeAsync(account);
        await Api.ExpectAsync(await SendSignInCodeAsync(challenge), HttpStatusCode.Accepted);
        var code = await LatestCodeAsync(number);
        var wrong = code == "000000" ? "000001" : "000000";

        // Five wrong guesses spend the code's attempts (the failure count is reset once so the account lockout does not answer first).
        for (var i = 0; i < 4; i++) await Api.ExpectProblemAsync(await VerifyAsync(challenge, wrong), HttpStatusCode.BadRequest);
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == account.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedSignInCount, 0)));
        await Api.ExpectProblemAsync(await VerifyAsync(challenge, wrong), HttpStatusCode.BadRequest);

        await Api.ExpectProblemAsync(await VerifyAsync(challenge, code), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(5, await app.WithDbAsync(db => db.Set<SmsCode>().Where(c => c.UserId == account.UserId && c.Purpose == SmsCodePurposes.SignIn).Select(c => c.Attempts).SingleAsync()));
    }

    [Fact]
    public async Task Resend_WithinTheInterval_ShouldBe429_AndANewCodeVoidsTheOld()
    {
        var (account, number) = await EnrolAsync();
        var challenge = await ChallengeAsync(account);
        await Api.ExpectAsync(await SendSignInCodeAsync(challenge), HttpStatusCode.Accepted);
        var first = await LatestCodeAsync(number);

        await Api.ExpectProblemAsync(await SendSignInCodeAsync(challenge), HttpStatusCode.TooManyRequests, "sms_throttled");

        app.Clock.Advance(TimeSpan.FromSeconds(31));
        await Api.ExpectAsync(await SendSignInCodeAsync(challenge), HttpStatusCode.Accepted);
        var second = await LatestCodeAsync(number);
        if (first != second) await Api.ExpectProblemAsync(await VerifyAsync(challenge, first), HttpStatusCode.BadRequest);
        await Api.ExpectAsync(await VerifyAsync(challenge, second), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Organization_RequiringTwoFactor_ShouldAcceptSmsAsTheSecondFactor()
    {
        var (owner, _) = await EnrolAsync();
        var member = await app.AddMemberAsync(owner, "member");
        await Api.ExpectAsync(await app.WithToken(owner.Token).PutAsJsonAsync("/api/security/settings", new { requireTwoFactor = true }), HttpStatusCode.OK);
        var teams = $"/api/organizations/{owner.OrganizationId}/teams";
        await Api.ExpectProblemAsync(await app.WithToken(member.Token).GetAsync(teams), HttpStatusCode.Forbidden, "two_factor_required");

        await EnrolAsync(member);

        await Api.ExpectAsync(await app.WithToken(member.Token).GetAsync(teams), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Remove_WithACodeSentToThePhone_ShouldTurnSmsOff()
    {
        var (account, number) = await EnrolAsync();
        var client = app.WithToken(account.Token);
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/auth/2fa/sms/remove", new { code = "123456" }), HttpStatusCode.BadRequest);

        await Api.ExpectAsync(await client.PostAsync("/api/auth/2fa/sms/removal-code", null), HttpStatusCode.Accepted);
        await Api.ExpectAsync(await client.PostAsJsonAsync("/api/auth/2fa/sms/remove", new { code = await LatestCodeAsync(number) }), HttpStatusCode.NoContent);

        Assert.False(await app.WithDbAsync(db => db.Set<SmsPhone>().AnyAsync(p => p.UserId == account.UserId)));
        var status = await (await client.GetAsync("/api/auth/2fa")).JsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, status.GetProperty("sms").ValueKind);
        var login = await (await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = account.Email, password = account.Password })).JsonAsync();
        Assert.True(login.TryGetProperty("token", out _));
    }

    [Fact]
    public async Task Enrol_WithANumberNotInE164_ShouldBe400()
    {
        var account = await app.RegisterAsync();

        var response = await app.WithToken(account.Token).PostAsJsonAsync("/api/auth/2fa/sms/enroll", new { phoneNumber = "0415 555 0123" });

        var problem = await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("phoneNumber", out _));
    }

    [Fact]
    public async Task DeleteRequest_ShouldEraseThePhoneAndTheMessagesSentToIt()
    {
        var owner = await app.RegisterAsync();
        var (member, number) = await EnrolAsync(await app.AddMemberAsync(owner, "member"));

        var response = await app.WithToken(owner.Token).PostAsJsonAsync("/api/security/data-requests", new { type = "delete", subjectEmail = member.Email });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        Assert.False(await app.WithDbAsync(db => db.Set<SmsPhone>().AnyAsync(p => p.UserId == member.UserId)));
        Assert.False(await app.WithDbAsync(db => db.Set<SmsMessage>().AnyAsync(m => m.To == number)));
    }

    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex SixDigits();
}
