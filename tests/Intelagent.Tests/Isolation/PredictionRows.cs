using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Predictions: an organization's part for its members, the platform's for operators.</summary>
public static class PredictionRows
{
    public static readonly Row[] All =
    [
        R(Get, "/api/ai/predictions", InsightsRead, _ => "/api/ai/predictions", header: true),
        R(Get, "/api/admin/ai/predictions", PlatformFinanceRead, _ => "/api/admin/ai/predictions"),
    ];
}
