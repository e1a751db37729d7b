using System.Diagnostics.Metrics;
using Intelagent.Server.Realtime.SocketIo;
using Intelagent.Server.Realtime.Stream;

namespace Intelagent.Server.Platform.Telemetry;

/// <summary>
/// This node's live real-time clients, read from the connection registries when a reader collects
/// (a scrape), so connect and disconnect pay nothing and the figure cannot drift. Its meter belongs to
/// the host's meter provider and goes with it: a second host in the process (tests) observes its own.
/// </summary>
public sealed class ConnectedClientsGauge : IDisposable
{
    private readonly Meter _meter = new(PlatformMetrics.MeterName);

    public ConnectedClientsGauge(RealtimeConnections hub, SocketIoConnections socketIo) =>
        _meter.CreateObservableGauge("intelagent.realtime.connections", () => new[]
        {
            new Measurement<int>(hub.Count, new KeyValuePair<string, object?>("transport", "signalr")),
            new Measurement<int>(socketIo.ConnectedCount, new KeyValuePair<string, object?>("transport", "socketio")),
        }, "{connection}", "Real-time clients connected to this node, by transport.");

    public void Dispose() => _meter.Dispose();
}
