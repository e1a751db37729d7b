using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Identity;

/// <summary>
/// Lets another module refuse password sign-in for an email before the password is checked (an
/// organization that made SSO the only way in). The default refuses nothing.
/// </summary>
public interface IPasswordSignInGate
{
    Task<Error?> RefuseAsync(string email, CancellationToken cancellationToken);
}

internal sealed class OpenPasswordSignInGate : IPasswordSignInGate
{
    public Task<Error?> RefuseAsync(string email, CancellationToken cancellationToken) => Task.FromResult<Error?>(null);
}
