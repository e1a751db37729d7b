using Microsoft.AspNetCore.Components;

namespace Intelagent.Server.Portal.Account;

public static class AccountLinks
{
    public const string Security = "/account/security";

    /// <summary>The account page asking for what a policy requires, coming back to the current page afterwards.</summary>
    public static string Required(string code, NavigationManager navigation) =>
        Required(code, "/" + navigation.ToBaseRelativePath(navigation.Uri));

    public static string Required(string code, string returnUrl) =>
        $"{Security}?required={Uri.EscapeDataString(code)}&returnUrl={Uri.EscapeDataString(Layout.SignInLinks.SafeReturnUrl(returnUrl))}";

    /// <summary>Where sign-in continues: the obligations first, then the page asked for.</summary>
    public static string Continue(string? returnUrl) =>
        "/account/continue?returnUrl=" + Uri.EscapeDataString(Layout.SignInLinks.SafeReturnUrl(returnUrl));
}
