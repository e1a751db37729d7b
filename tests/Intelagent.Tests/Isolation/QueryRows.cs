using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Questions in plain English: a member asks about their organization, the operator about the platform.</summary>
public static class QueryRows
{
    public static readonly Row[] All =
    [
        R(Post, "/api/ai/query", InsightsQuery, _ => "/api/ai/query", _ => new { question = "How many members do we have?" }, header: true),
        R(Post, "/api/admin/ai/query", PlatformOrganizationsRead, _ => "/api/admin/ai/query", _ => new { question = "How many members are there?" }),
    ];
}
