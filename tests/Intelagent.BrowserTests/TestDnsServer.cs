using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Intelagent.BrowserTests;

/// <summary>
/// A tiny DNS responder on 127.0.0.1 (UDP, a free port) for the server process's domain verification
/// (<c>Sso__DnsServers</c>): TXT queries for the names a test published are answered with that value;
/// other types of a published name get an empty answer, and every other name NXDOMAIN (RFC 1035).
/// </summary>
public sealed class TestDnsServer : IAsyncDisposable
{
    private const int TxtType = 16, InternetClass = 1;
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly ConcurrentDictionary<string, string> _txt = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public TestDnsServer() => _serving = Task.Run(ServeAsync);

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    /// <summary>Answers TXT queries for <paramref name="name"/> with <paramref name="value"/> from now on.</summary>
    public void Publish(string name, string value)
    {
        // One character-string of at most 255 bytes: verification values are far shorter.
        if (Encoding.ASCII.GetByteCount(value) > 255) throw new ArgumentException("A TXT value of at most 255 characters.", nameof(value));
        _txt[name.TrimEnd('.')] = value;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var received = await _udp.ReceiveAsync(_stop.Token);
                if (Answer(received.Buffer) is { } reply) await _udp.SendAsync(reply, received.RemoteEndPoint, _stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { /* a client gone before its answer: serve the next query */ }
        }
    }

    /// <summary>The reply to one query, or null for anything that is not a single well-formed question.</summary>
    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 17 || (query[2] & 0x80) != 0 || query[4] != 0 || query[5] != 1) return null;
        var labels = new List<string>();
        var at = 12;
        for (var length = query[at]; length != 0; length = query[at])
        {
            if (length > 63 || at + 1 + length >= query.Length) return null; // also refuses compression pointers, which a question never needs
            labels.Add(Encoding.ASCII.GetString(query, at + 1, length));
            at += 1 + length;
        }
        at++; // the root label
        if (at + 4 > query.Length) return null;
        var type = query[at] << 8 | query[at + 1];
        at += 4;
        var known = _txt.TryGetValue(string.Join('.', labels), out var value);
        var answers = known && type == TxtType ? 1 : 0;

        using var reply = new MemoryStream();
        reply.Write(query, 0, 2); // the id
        reply.WriteByte((byte)(0x80 | (query[2] & 0x78) | 0x04 | (query[2] & 0x01))); // a response, same opcode, authoritative, RD copied
        reply.WriteByte((byte)(0x80 | (known ? 0 : 3))); // recursion available; NOERROR or NXDOMAIN
        reply.Write([0, 1, 0, (byte)answers, 0, 0, 0, 0]);
        reply.Write(query, 12, at - 12); // the question as asked
        if (answers == 1)
        {
            var text = Encoding.ASCII.GetBytes(value!);
            // The owner name as a pointer to the question's (offset 12), TXT, IN, a TTL of 60 s, one character-string.
            reply.Write([0xC0, 0x0C, 0, TxtType, 0, InternetClass, 0, 0, 0, 60, 0, (byte)(text.Length + 1), (byte)text.Length]);
            reply.Write(text);
        }
        return reply.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        await _serving;
        _stop.Dispose();
    }
}
