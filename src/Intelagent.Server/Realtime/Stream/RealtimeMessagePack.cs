using System.Text.Json;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Microsoft.AspNetCore.SignalR;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>
/// The hub's MessagePack protocol (<c>.withHubProtocol(new MessagePackHubProtocol())</c> in the
/// browser, <c>AddMessagePackProtocol</c> in .NET): a <see cref="RealtimeMessage"/> is a map with the
/// same camelCase keys as in JSON (<c>id, type, organizationId, time, payload</c>), <c>time</c> a
/// MessagePack timestamp, and the payload JSON written as native maps, arrays and values. SignalR
/// serialises a group send once per protocol, so this runs once per broadcast, not per connection.
/// </summary>
public static class RealtimeMessagePack
{
    /// <summary>The server's and the .NET client's options: ours first, then SignalR's defaults.</summary>
    public static void Configure(MessagePackHubProtocolOptions options) =>
        options.SerializerOptions = options.SerializerOptions.WithResolver(CompositeResolver.Create(
            [new MessageFormatter(), new JsonElementFormatter()], [options.SerializerOptions.Resolver]));

    private sealed class MessageFormatter : IMessagePackFormatter<RealtimeMessage?>
    {
        public void Serialize(ref MessagePackWriter writer, RealtimeMessage? value, MessagePackSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }
            writer.WriteMapHeader(5);
            writer.Write("id");
            writer.Write(value.Id);
            writer.Write("type");
            writer.Write(value.Type);
            writer.Write("organizationId");
            writer.Write(value.OrganizationId);
            writer.Write("time");
            writer.Write(value.Time.UtcDateTime);
            writer.Write("payload");
            JsonElementFormatter.Write(ref writer, value.Payload);
        }

        public RealtimeMessage? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil()) return null;
            string id = "", type = "", organizationId = "";
            DateTimeOffset time = default;
            JsonElement payload = default;
            for (var count = reader.ReadMapHeader(); count > 0; count--)
            {
                switch (reader.ReadString())
                {
                    case "id": id = reader.ReadString() ?? ""; break;
                    case "type": type = reader.ReadString() ?? ""; break;
                    case "organizationId": organizationId = reader.ReadString() ?? ""; break;
                    case "time": time = new DateTimeOffset(reader.ReadDateTime()); break;
                    case "payload": payload = JsonElementFormatter.Read(ref reader, options); break;
                    default: reader.Skip(); break;
                }
            }
            return new RealtimeMessage(id, type, organizationId, time, payload);
        }
    }

    private sealed class JsonElementFormatter : IMessagePackFormatter<JsonElement>
    {
        public void Serialize(ref MessagePackWriter writer, JsonElement value, MessagePackSerializerOptions options) => Write(ref writer, value);

        public JsonElement Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => Read(ref reader, options);

        public static void Write(ref MessagePackWriter writer, JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    var properties = 0;
                    foreach (var _ in value.EnumerateObject()) properties++;
                    writer.WriteMapHeader(properties);
                    foreach (var property in value.EnumerateObject())
                    {
                        writer.Write(property.Name);
                        Write(ref writer, property.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    writer.WriteArrayHeader(value.GetArrayLength());
                    foreach (var item in value.EnumerateArray()) Write(ref writer, item);
                    break;
                case JsonValueKind.String: writer.Write(value.GetString()); break;
                // Integers stay exact; other numbers are doubles (money travels as strings, see DECISIONS "Shapes").
                case JsonValueKind.Number when value.TryGetInt64(out var integer): writer.Write(integer); break;
                case JsonValueKind.Number: writer.Write(value.GetDouble()); break;
                case JsonValueKind.True: writer.Write(true); break;
                case JsonValueKind.False: writer.Write(false); break;
                default: writer.WriteNil(); break;
            }
        }

        public static JsonElement Read(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            using var json = new StringWriter();
            MessagePackSerializer.ConvertToJson(ref reader, json, options);
            using var document = JsonDocument.Parse(json.ToString());
            return document.RootElement.Clone();
        }
    }
}
