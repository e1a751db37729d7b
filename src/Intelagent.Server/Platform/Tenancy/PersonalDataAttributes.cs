namespace Intelagent.Server.Platform.Tenancy;

/// <summary>
/// Marks a property that holds personal data (names, emails, addresses, free text about a person).
/// The personal-data architecture test requires the entity to be covered by a registered
/// personal-data handler (Security/DataRequests). Properties whose names look personal (Email, Name, Ip, ...)
/// count without the attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PersonalDataAttribute : Attribute;

/// <summary>
/// Says that an entity (or one property) holds no personal data although a name suggests it (an
/// organization's or a project's name), so the architecture test does not ask for a handler. The
/// reason is required: it is what a reviewer reads.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property)]
public sealed class NoPersonalDataAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}
