using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Realtime;

namespace Intelagent.Server.Security.Incidents;

/// <summary>Tells the organization's admins and owners about a new incident as soon as it is committed.</summary>
internal sealed class IncidentNotifications(Notifier notifier) : IDomainEventHandler<IncidentReported>
{
    public async Task HandleAsync(IncidentReported e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var severity = e.Severity.ToString().ToLowerInvariant();
        await notifier.NotifyRolesAsync(e.OrganizationId, Role.Admin, "incident.reported", $"Security incident ({severity}): {e.Title}",
            "A security incident was reported. Review it in the security center.", exceptUserId: null, cancellationToken);
        await notifier.SaveAsync(cancellationToken);
    }
}
