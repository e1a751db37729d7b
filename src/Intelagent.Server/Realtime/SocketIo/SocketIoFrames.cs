using System.Buffers;
using System.Text;
using System.Text.Json;
using Intelagent.Server.Realtime.Stream;

namespace Intelagent.Server.Realtime.SocketIo;

/// <summary>
/// Encoded Engine.IO/Socket.IO packets. An event is encoded once, straight from the stored row (its
/// payload JSON is copied, not parsed), into <c>42["type",{id,type,organizationId,time,payload}]</c>:
/// the same bytes are a WebSocket text frame and a long-polling packet, for every recipient.
/// </summary>
public static class SocketIoFrames
{
    public static readonly byte[] Noop = "6"u8.ToArray();
    public static readonly byte[] Close = "1"u8.ToArray();
    public static readonly byte[] ProbeAnswer = "3probe"u8.ToArray();
    public static readonly byte[] Disconnect = "41"u8.ToArray();

    public static byte[] Open(string sid, bool canUpgrade, EngineIoSettings settings) => Encoding.UTF8.GetBytes("0" + JsonSerializer.Serialize(new
    {
        sid,
        upgrades = canUpgrade ? new[] { "websocket" } : [],
        pingInterval = (int)settings.PingInterval.TotalMilliseconds,
        pingTimeout = (int)settings.PingTimeout.TotalMilliseconds,
        maxPayload = settings.MaxPayload,
    }));

    public static byte[] Connected(string sid) => Encoding.UTF8.GetBytes("40" + JsonSerializer.Serialize(new { sid }));

    /// <summary>CONNECT_ERROR for a namespace ("" is the default one).</summary>
    public static byte[] ConnectError(string ns, string message) =>
        Encoding.UTF8.GetBytes("44" + (ns.Length == 0 ? "" : ns + ",") + JsonSerializer.Serialize(new { message }));

    /// <summary>The ACK of a client event that asked for one: <c>43{id}[answer]</c>.</summary>
    public static byte[] Ack(string ackId, object answer) =>
        Encoding.UTF8.GetBytes("43" + ackId + JsonSerializer.Serialize(new[] { answer }, JsonSerializerOptions.Web));

    public static byte[] Event(RealtimeEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(192 + e.Payload.Length);
        buffer.Write("42"u8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue(e.Type);
            json.WriteStartObject();
            json.WriteString("id", e.Id);
            json.WriteString("type", e.Type);
            json.WriteString("organizationId", e.OrganizationId);
            json.WriteString("time", e.CreatedAt);
            json.WritePropertyName("payload");
            json.WriteRawValue(e.Payload, skipInputValidation: true);
            json.WriteEndObject();
            json.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An Engine.IO error answer (<c>{"code":1,"message":"Session ID unknown"}</c>, ...).</summary>
    public static Task WriteErrorAsync(HttpResponse response, int code, string message)
    {
        response.StatusCode = StatusCodes.Status400BadRequest;
        return response.WriteAsJsonAsync(new { code, message });
    }
}
