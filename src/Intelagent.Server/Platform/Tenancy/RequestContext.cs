using Intelagent.Server.Platform.Authorization;

namespace Intelagent.Server.Platform.Tenancy;

/// <summary>
/// Who is asking and for which organization, for the lifetime of one request (or one job).
/// Filled by authentication and <see cref="TenantResolutionMiddleware"/>; read by the database
/// context (query filters, audit actor) and by the permission handler.
/// </summary>
public sealed class RequestContext
{
    public string? UserId { get; set; }
    public string? SessionId { get; set; }
    public bool IsOperator { get; set; }
    public string? Ip { get; set; }
    public string? UserAgent { get; set; }

    /// <summary>Set when an API key authenticated the request; <see cref="UserId"/> is then the key's creator.</summary>
    public string? ApiKeyId { get; set; }

    /// <summary>The organization an API key belongs to: the only one it may act for.</summary>
    public string? ApiKeyOrganizationId { get; set; }

    /// <summary>What an API key may do: the permission handler grants no more (and never more than the creator's role).</summary>
    public IReadOnlySet<string>? ApiKeyPermissions { get; set; }

    /// <summary>The organization the request is for, once resolved.</summary>
    public string? OrganizationId { get; private set; }

    /// <summary>The caller's role there, or null when the caller is not a member (an operator, say).</summary>
    public Role? Role { get; private set; }

    /// <summary>Why no organization could be resolved, when one was needed.</summary>
    public TenantResolutionFailure? Failure { get; set; }

    public void SetTenant(string organizationId, Role? role)
    {
        OrganizationId = organizationId;
        Role = role;
    }

    /// <summary>Used by jobs and start-up code that act for one organization outside a request.</summary>
    public static RequestContext ForSystem(string? organizationId = null)
    {
        var context = new RequestContext();
        if (organizationId is not null) context.SetTenant(organizationId, null);
        return context;
    }
}

public enum TenantResolutionFailure
{
    /// <summary>The caller belongs to several organizations and did not say which (X-Organization-Id).</summary>
    Ambiguous,
    /// <summary>The organization or resource named does not exist, or the caller may not know it exists.</summary>
    NotFound,
    /// <summary>The caller belongs to no organization.</summary>
    NoMembership,
}
