using Intelagent.Server.Realtime.SocketIo;
using Intelagent.Server.Realtime.Stream;

namespace Intelagent.Server.Platform.Telemetry;

/// <summary>
/// Puts this host's real-time connection registries behind the platform's connected-clients gauge
/// for as long as its meter provider lives (an OpenTelemetry instrumentation object, disposed with it).
/// </summary>
public sealed class ConnectedClientsGauge(RealtimeConnections hub, SocketIoConnections socketIo) : IDisposable
{
    private readonly IDisposable _registration = PlatformMetrics.ObserveConnections(() => hub.Count, () => socketIo.ConnectedCount);

    public void Dispose() => _registration.Dispose();
}
