namespace Intelagent.Server.Security.DataRequests;

/// <summary>
/// The person a data request is about, as one organization sees them. <see cref="EraseAccount"/>
/// is true when the account itself may go: the person is a member here and of no other
/// organization (another organization's data is that organization's to answer for).
/// </summary>
public sealed record PersonalDataSubject(
    string OrganizationId, string Email, string? UserId, string? Name, bool IsMember, bool EraseAccount, string Pseudonym)
{
    /// <summary>
    /// The spellings of the email that may be stored (as typed, normalized upper case, lower case)
    /// and the name when it is long enough to be the person's rather than a common word.
    /// </summary>
    public IReadOnlyList<string> Traces { get; init; } = [];

    public IReadOnlyList<string> EmailTraces => Traces.Where(t => t.Contains('@')).ToList();
}

/// <summary>
/// What one module holds about a person, exported and erased. Each module registers one for its
/// entities (<c>services.AddScoped&lt;IPersonalDataHandler, X&gt;()</c>) and lists them in
/// <see cref="Covers"/>; the personal-data architecture test fails when an entity with personal
/// data is covered by no handler and not marked <see cref="NoPersonalDataAttribute"/>.
/// </summary>
public interface IPersonalDataHandler
{
    /// <summary>The section of the export bundle (e.g. "identity").</summary>
    string Section { get; }

    /// <summary>Erasure runs in ascending order: memberships go before the account, free-text scrubbing last.</summary>
    int Order { get; }

    IReadOnlyList<Type> Covers { get; }

    Task<object?> ExportAsync(PersonalDataSubject subject, CancellationToken cancellationToken);

    /// <summary>
    /// Erases or anonymises, returning the rows touched. Bulk updates on purpose: the audit hook
    /// would otherwise record each erased value as the "before" of its change.
    /// </summary>
    Task<int> EraseAsync(PersonalDataSubject subject, CancellationToken cancellationToken);
}
