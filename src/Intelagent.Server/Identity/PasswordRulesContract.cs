namespace Intelagent.Server.Identity;

/// <summary>
/// Organization password policies, checked at password change and reset. Implemented by the
/// security module, which owns the settings; Identity only asks.
/// </summary>
public interface IPasswordRules
{
    /// <summary>What the password lacks under the policies of the user's organizations (empty when it is fine).</summary>
    Task<IReadOnlyList<string>> ProblemsAsync(string userId, string password, CancellationToken cancellationToken);

    /// <summary>What the password lacks under one organization's policy (for someone about to join it).</summary>
    Task<IReadOnlyList<string>> ProblemsForOrganizationAsync(string organizationId, string password, CancellationToken cancellationToken);
}
