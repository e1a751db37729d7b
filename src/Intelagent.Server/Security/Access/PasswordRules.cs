using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Access;

/// <summary>
/// The password policies of every organization a user belongs to; a new password must satisfy the
/// strictest of each rule (a member of two organizations meets both).
/// </summary>
public sealed class PasswordRules(AppDb db) : IPasswordRules
{
    public async Task<IReadOnlyList<string>> ProblemsAsync(string userId, string password, CancellationToken cancellationToken) =>
        Check(await SettingsOfUserAcrossTenantsAsync(userId, cancellationToken), password);

    public async Task<IReadOnlyList<string>> ProblemsForOrganizationAsync(string organizationId, string password, CancellationToken cancellationToken) =>
        Check(await db.Set<SecuritySettings>().IgnoreQueryFilters().AsNoTracking().Where(s => s.OrganizationId == organizationId).ToListAsync(cancellationToken), password);

    private static List<string> Check(List<SecuritySettings> policies, string password)
    {
        var problems = new List<string>();
        var minLength = policies.Select(p => p.PasswordMinLength).DefaultIfEmpty(SecurityPolicy.PlatformMinimumPasswordLength).Max();
        if (password.Length < minLength) problems.Add($"must be at least {minLength} characters.");
        if (policies.Any(p => p.PasswordRequireUppercase) && !password.Any(char.IsUpper)) problems.Add("must contain an uppercase letter.");
        if (policies.Any(p => p.PasswordRequireNumbers) && !password.Any(char.IsDigit)) problems.Add("must contain a number.");
        if (policies.Any(p => p.PasswordRequireSpecialChars) && password.All(char.IsLetterOrDigit)) problems.Add("must contain a special character.");
        return problems;
    }

    private Task<List<SecuritySettings>> SettingsOfUserAcrossTenantsAsync(string userId, CancellationToken cancellationToken) =>
        db.Set<SecuritySettings>().IgnoreQueryFilters().AsNoTracking()
            .Where(s => db.Memberships.IgnoreQueryFilters().Any(m => m.UserId == userId && m.OrganizationId == s.OrganizationId))
            .ToListAsync(cancellationToken);
}
