using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Identity.TwoFactor;

/// <summary>SMS codes as a second factor of the caller's own account, and the sign-in code of a challenge.</summary>
public static class SmsTwoFactorEndpoints
{
    public static IEndpointRouteBuilder MapSmsTwoFactorEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth/2fa").WithTags("Authentication");
        group.MapGet("/", StatusAsync).RequireSignedIn().WithName("TwoFactorStatus")
            .WithSummary("Which second factors the caller has on (the phone masked) and how many recovery codes are left").Produces<TwoFactorStatusResponse>();
        group.MapPost("/sms/enroll", EnrollAsync).RequireSignedIn().RequireRateLimiting(RateLimits.SignIn).WithName("EnrollSms")
            .WithSummary("Send a code to a phone number (E.164); SMS codes are off until /sms/confirm").Produces<SmsCodeSent>(202).WithProblems(400, 409, 429, 503);
        group.MapPost("/sms/confirm", ConfirmAsync).RequireSignedIn().WithName("ConfirmSms")
            .WithSummary("Turn SMS codes on with the code sent to the phone").Produces<SmsTwoFactorStatus>().WithProblems(400, 409);
        group.MapPost("/sms/removal-code", RemovalCodeAsync).RequireSignedIn().RequireRateLimiting(RateLimits.SignIn).WithName("SendSmsRemovalCode")
            .WithSummary("Send a code to the enrolled phone, to prove it before removing it").Produces<SmsCodeSent>(202).WithProblems(409, 429, 503);
        group.MapPost("/sms/remove", RemoveAsync).RequireSignedIn().WithName("RemoveSms")
            .WithSummary("Turn SMS codes off with a code from /sms/removal-code").Produces(204).WithProblems(400, 409);
        group.MapPost("/sms/send", SendAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn).WithName("SendSmsSignInCode")
            .WithSummary("Send the sign-in code of a challenge (twoFactorRequired with method sms) to the enrolled phone").Produces<SmsCodeSent>(202).WithProblems(400, 401, 409, 429, 503);
        return app;
    }

    private static async Task<IResult> StatusAsync(RequestContext caller, SmsTwoFactorService sms, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sms.StatusAsync(caller.UserId!, cancellationToken));

    private static async Task<IResult> EnrollAsync(EnrollSmsRequest request, RequestContext caller, SmsTwoFactorService sms, CancellationToken cancellationToken) =>
        (await sms.EnrollAsync(caller.UserId!, request, cancellationToken)).ToHttp(r => TypedResults.Accepted((string?)null, r));

    private static async Task<IResult> ConfirmAsync(CodeRequest request, RequestContext caller, SmsTwoFactorService sms, CancellationToken cancellationToken) =>
        (await sms.ConfirmAsync(caller.UserId!, caller.SessionId!, request.Code, cancellationToken)).ToHttp(r => TypedResults.Ok(r));

    private static async Task<IResult> RemovalCodeAsync(RequestContext caller, SmsTwoFactorService sms, CancellationToken cancellationToken) =>
        (await sms.SendRemovalCodeAsync(caller.UserId!, cancellationToken)).ToHttp(r => TypedResults.Accepted((string?)null, r));

    private static async Task<IResult> RemoveAsync(CodeRequest request, RequestContext caller, SmsTwoFactorService sms, CancellationToken cancellationToken) =>
        (await sms.RemoveAsync(caller.UserId!, caller.SessionId!, request.Code, cancellationToken)).NoContentOr();

    private static async Task<IResult> SendAsync(SendSmsCodeRequest request, SmsTwoFactorService sms, CancellationToken cancellationToken) =>
        (await sms.SendSignInCodeAsync(request, cancellationToken)).ToHttp(r => TypedResults.Accepted((string?)null, r));
}
