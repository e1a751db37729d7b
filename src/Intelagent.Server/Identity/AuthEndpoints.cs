using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Identity;

/// <summary>Sign-up, sign-in, tokens, and the caller's own account.</summary>
public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Authentication");
        group.MapPost("/register", RegisterAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignUp).WithName("Register")
            .WithSummary("Create a user and their organization (free tier); answers like login").Produces<AuthResponse>(201).WithProblems(400, 409, 429);
        group.MapPost("/login", LoginAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn).WithName("Login")
            .WithSummary("A token, or {twoFactorRequired, challengeToken} for a user with 2FA").Produces<AuthResponse>().Produces<TwoFactor.TwoFactorChallengeResponse>().WithProblems(400, 401, 403, 429);
        group.MapPost("/logout", LogoutAsync).RequireSignedIn().WithName("Logout").Produces(204);
        group.MapPost("/refresh", RefreshAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn).WithName("RefreshToken")
            .WithSummary("Renew a token (even an expired one) while its session lives").Produces<AuthResponse>().WithProblems(429);
        group.MapGet("/me", MeAsync).RequireSignedIn().WithName("Me").Produces<UserResponse>();
        group.MapPost("/verify-email", VerifyEmailAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn).WithName("VerifyEmail").Produces(204).WithProblems(400);
        group.MapPost("/verify-email/resend", ResendAsync).RequireSignedIn().RequireRateLimiting(RateLimits.SignUp).WithName("ResendVerification").Produces(202);
        group.MapPost("/forgot-password", ForgotAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignUp).WithName("ForgotPassword")
            .WithSummary("Email a reset link; always 202 so it reveals nothing").Produces(202).WithProblems(400, 429);
        group.MapPost("/reset-password", ResetAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn).WithName("ResetPassword").Produces(204).WithProblems(400);
        group.MapPost("/change-password", ChangePasswordAsync).RequireSignedIn().WithName("ChangePassword").Produces(204).WithProblems(400);
        group.MapGet("/sessions", SessionsAsync).RequireSignedIn().WithName("ListSessions").Produces<IReadOnlyList<SessionResponse>>();
        group.MapDelete("/sessions/{sessionId}", RevokeSessionAsync).RequireSignedIn().WithName("RevokeSession").Produces(204).WithProblems(404);
        return app;
    }

    private static async Task<IResult> RegisterAsync(RegisterRequest request, AuthService auth, AuthCookie cookie, AppDb db, HttpContext context, CancellationToken cancellationToken)
    {
        var result = await auth.RegisterAsync(request, cancellationToken);
        if (!result.IsSuccess) return result.Error!.ToResult();
        var (token, userId) = result.Value;
        cookie.Set(context.Response, token);
        var user = await UserDirectory.DescribeAsync(db, userId, null, cancellationToken);
        return TypedResults.Created("/api/auth/me", new AuthResponse(token.Token, token.ExpiresAt, user!));
    }

    private static async Task<IResult> LoginAsync(LoginRequest request, AuthService auth, AuthCookie cookie, AppDb db, IPasswordSignInGate gate, HttpContext context, CancellationToken cancellationToken)
    {
        if (request.Email is { Length: > 0 and <= 254 } email && await gate.RefuseAsync(email, cancellationToken) is { } refused) return refused.ToResult();
        var result = await auth.LoginAsync(request, cancellationToken);
        if (!result.IsSuccess) return result.Error!.ToResult();
        if (result.Value!.Challenge is { } challenge) return TypedResults.Ok(challenge);
        var (token, userId) = (result.Value.Token!, result.Value.UserId);
        cookie.Set(context.Response, token);
        var user = await UserDirectory.DescribeAsync(db, userId, OrganizationHeader(context), cancellationToken);
        return TypedResults.Ok(new AuthResponse(token.Token, token.ExpiresAt, user!));
    }

    private static async Task<IResult> LogoutAsync(RequestContext caller, AuthService auth, AuthCookie cookie, HttpContext context, CancellationToken cancellationToken)
    {
        await auth.LogoutAsync(caller.SessionId!, cancellationToken);
        cookie.Clear(context.Response);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RefreshAsync(HttpContext context, AuthService auth, AuthCookie cookie, AppDb db, CancellationToken cancellationToken)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim()
            : context.Request.Cookies[AuthSettings.CookieName];
        var result = await auth.RefreshAsync(presented, cancellationToken);
        if (!result.IsSuccess) return result.Error!.ToResult();
        cookie.Set(context.Response, result.Value!);
        var claims = await context.RequestServices.GetRequiredService<TokenService>().ReadIgnoringLifetimeAsync(result.Value!.Token);
        var user = await UserDirectory.DescribeAsync(db, claims!.Value.UserId, OrganizationHeader(context), cancellationToken);
        return TypedResults.Ok(new AuthResponse(result.Value.Token, result.Value.ExpiresAt, user!));
    }

    private static async Task<IResult> MeAsync(RequestContext caller, AppDb db, HttpContext context, CancellationToken cancellationToken)
    {
        var user = await UserDirectory.DescribeAsync(db, caller.UserId!, OrganizationHeader(context), cancellationToken);
        return user is null ? Error.NotFound("user").ToResult() : TypedResults.Ok(user);
    }

    private static async Task<IResult> VerifyEmailAsync(TokenRequest request, AccountService accounts, CancellationToken cancellationToken) =>
        (await accounts.VerifyEmailAsync(request.Token, cancellationToken)).NoContentOr();

    private static async Task<IResult> ResendAsync(RequestContext caller, AccountService accounts, CancellationToken cancellationToken)
    {
        await accounts.ResendVerificationAsync(caller.UserId!, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<IResult> ForgotAsync(EmailRequest request, AccountService accounts, CancellationToken cancellationToken) =>
        (await accounts.ForgotPasswordAsync(request.Email, cancellationToken)).ToHttp(_ => TypedResults.Accepted((string?)null));

    private static async Task<IResult> ResetAsync(ResetPasswordRequest request, AccountService accounts, CancellationToken cancellationToken) =>
        (await accounts.ResetPasswordAsync(request, cancellationToken)).NoContentOr();

    private static async Task<IResult> ChangePasswordAsync(ChangePasswordRequest request, RequestContext caller, AccountService accounts, CancellationToken cancellationToken) =>
        (await accounts.ChangePasswordAsync(caller.UserId!, caller.SessionId!, request, cancellationToken)).NoContentOr();

    private static async Task<IResult> SessionsAsync(RequestContext caller, AccountService accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await accounts.ListSessionsAsync(caller.UserId!, caller.SessionId!, cancellationToken));

    private static async Task<IResult> RevokeSessionAsync(string sessionId, RequestContext caller, AccountService accounts, CancellationToken cancellationToken) =>
        (await accounts.RevokeSessionAsync(caller.UserId!, sessionId, cancellationToken)).NoContentOr();

    private static string? OrganizationHeader(HttpContext context) =>
        context.Request.Headers.TryGetValue(TenantResolutionMiddleware.Header, out var value) ? value.ToString() : null;
}
