using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Intelagent.Server.Portal;

/// <summary>
/// A portal page: loads its data through <see cref="PortalSession"/>, keeps a loading and an error
/// state, and loads again when the organization in context changes.
/// </summary>
public abstract class PortalPage : ComponentBase, IDisposable
{
    [Inject] protected PortalSession Portal { get; set; } = default!;
    [Inject] protected ISnackbar Snackbar { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;
    [Inject] private ILogger<PortalPage> Logger { get; set; } = default!;

    protected bool Loading { get; private set; } = true;
    protected Error? LoadError { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        Portal.OrganizationChanged += OnOrganizationChangedAsync;
        await ReloadAsync();
    }

    /// <summary>Loads the page's data; returns the problem to show, or null.</summary>
    protected abstract Task<Error?> LoadAsync();

    protected async Task ReloadAsync()
    {
        Loading = true;
        LoadError = null;
        try
        {
            LoadError = await LoadAsync();
        }
        catch (Exception exception)
        {
            // A bug must not end the circuit: the page shows it and can try again.
            Logger.LogError(exception, "Portal page {Page} failed to load", GetType().Name);
            LoadError = new Error(500, "internal_error", "Something went wrong while loading this page. Try again.");
        }
        finally
        {
            Loading = false;
        }
        SignInAgainIfSessionEnded(LoadError);
    }

    /// <summary>Reports an action's outcome: a success message, or the problem's own words.</summary>
    protected bool Report<T>(Result<T> result, string success)
    {
        SignInAgainIfSessionEnded(result.Error);
        if (result.IsSuccess) Snackbar.Add(success, Severity.Success);
        else Snackbar.Add(Describe(result.Error!), Severity.Error);
        return result.IsSuccess;
    }

    /// <summary>A circuit outlives its session (signed out elsewhere, expired): then the page goes to sign-in.</summary>
    private void SignInAgainIfSessionEnded(Error? error)
    {
        if (error?.Status == 401) Navigation.NavigateTo(Layout.SignInLinks.For(Navigation), forceLoad: true);
        // An organization's policy wants a password change or 2FA first: the account page does both.
        else if (error?.Code is PortalSession.PasswordExpiredCode or PortalSession.TwoFactorRequiredCode)
            Navigation.NavigateTo(Account.AccountLinks.Required(error.Code, Navigation));
    }

    protected static string Describe(Error error) =>
        error.Errors is { Count: > 0 } fields
            ? error.Detail + " " + string.Join(" ", fields.Select(f => $"{f.Key} {string.Join(" ", f.Value)}"))
            : error.Detail;

    private Task OnOrganizationChangedAsync() => InvokeAsync(async () =>
    {
        await ReloadAsync();
        StateHasChanged();
    });

    public void Dispose()
    {
        Portal.OrganizationChanged -= OnOrganizationChangedAsync;
        GC.SuppressFinalize(this);
    }
}
