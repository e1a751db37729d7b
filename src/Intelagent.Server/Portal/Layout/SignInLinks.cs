using Microsoft.AspNetCore.Components;

namespace Intelagent.Server.Portal.Layout;

public static class SignInLinks
{
    /// <summary>The sign-in page, coming back to the current page afterwards.</summary>
    public static string For(NavigationManager navigation) =>
        "/sign-in?returnUrl=" + Uri.EscapeDataString("/" + navigation.ToBaseRelativePath(navigation.Uri));

    /// <summary>Only a path on this site is followed after signing in (no open redirect).</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            && !url.StartsWith("/sign-in", StringComparison.OrdinalIgnoreCase)
            ? url
            : "/";
}
