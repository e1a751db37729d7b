using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Identity.TwoFactor;

/// <summary>TOTP two-factor authentication for the caller's own account, and the second step of sign-in.</summary>
public static class TwoFactorEndpoints
{
    public static IEndpointRouteBuilder MapTwoFactorEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth/2fa").WithTags("Authentication");
        group.MapPost("/totp/enroll", EnrollAsync).RequireSignedIn().WithName("EnrollTotp")
            .WithSummary("A new TOTP secret, its otpauth URI and a QR code (PNG data URI); off until confirmed").Produces<TotpEnrollmentResponse>().WithProblems(409);
        group.MapPost("/totp/confirm", ConfirmAsync).RequireSignedIn().WithName("ConfirmTotp")
            .WithSummary("Turn 2FA on with a first code; returns ten single-use recovery codes, shown once").Produces<RecoveryCodesResponse>().WithProblems(400, 409);
        group.MapPost("/disable", DisableAsync).RequireSignedIn().WithName("DisableTwoFactor").Produces(204).WithProblems(400, 409);
        group.MapPost("/verify", VerifyAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn).WithName("VerifyTwoFactor")
            .WithSummary("Complete a sign-in that answered twoFactorRequired, with a code or a recovery code").Produces<AuthResponse>().WithProblems(400, 401, 429);
        return app;
    }

    private static async Task<IResult> EnrollAsync(RequestContext caller, TwoFactorService twoFactor, CancellationToken cancellationToken) =>
        (await twoFactor.EnrollAsync(caller.UserId!, cancellationToken)).ToHttp(r => TypedResults.Ok(r));

    private static async Task<IResult> ConfirmAsync(CodeRequest request, RequestContext caller, TwoFactorService twoFactor, CancellationToken cancellationToken) =>
        (await twoFactor.ConfirmAsync(caller.UserId!, caller.SessionId!, request.Code, cancellationToken)).ToHttp(r => TypedResults.Ok(r));

    private static async Task<IResult> DisableAsync(CodeRequest request, RequestContext caller, TwoFactorService twoFactor, CancellationToken cancellationToken) =>
        (await twoFactor.DisableAsync(caller.UserId!, caller.SessionId!, request.Code, cancellationToken)).NoContentOr();

    private static async Task<IResult> VerifyAsync(VerifyTwoFactorRequest request, TwoFactorService twoFactor, AuthCookie cookie, AppDb db,
        HttpContext context, CancellationToken cancellationToken)
    {
        var result = await twoFactor.VerifyAsync(request, cancellationToken);
        if (!result.IsSuccess) return result.Error!.ToResult();
        var (token, userId) = result.Value;
        cookie.Set(context.Response, token);
        var user = await UserDirectory.DescribeAsync(db, userId, null, cancellationToken);
        return TypedResults.Ok(new AuthResponse(token.Token, token.ExpiresAt, user!));
    }
}
