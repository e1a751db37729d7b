using Intelagent.Server.Documents;

namespace Intelagent.Tests.Documents;

public sealed class TextOperationTests
{
    [Fact]
    public void Transform_OnRandomConcurrentEdits_ShouldConverge()
    {
        var random = new Random(20261126);
        for (var round = 0; round < 500; round++)
        {
            var text = new string('x', random.Next(0, 30));
            var a = OtClient.RandomEdit(text, random);
            var b = OtClient.RandomEdit(text, random);

            var (aPrime, bPrime) = TextOperation.Transform(a, b);

            Assert.Equal(bPrime.Apply(a.Apply(text)), aPrime.Apply(b.Apply(text)));
        }
    }

    [Fact]
    public void Compose_ShouldEqualApplyingBothInTurn()
    {
        var random = new Random(7);
        for (var round = 0; round < 500; round++)
        {
            var text = new string('y', random.Next(0, 30));
            var a = OtClient.RandomEdit(text, random);
            var b = OtClient.RandomEdit(a.Apply(text), random);

            Assert.Equal(b.Apply(a.Apply(text)), a.Compose(b).Apply(text));
        }
    }

    [Fact]
    public void FromJson_ShouldRoundTripTheWireForm()
    {
        var operation = new TextOperation().RetainChars(3).InsertText("hé").DeleteChars(2).RetainChars(1);

        var read = TextOperation.FromJson(operation.ToJson())!;

        Assert.Equal("[3,\"h\\u00E9\",-2,1]", operation.ToJson().GetRawText());
        Assert.Equal("abchéf", read.Apply("abcdef"));
    }

    [Fact]
    public void TransformPosition_ShouldFollowInsertsAndDeletesBeforeIt()
    {
        var operation = new TextOperation().InsertText("12").RetainChars(3).DeleteChars(2).RetainChars(3);

        Assert.Equal(2, operation.TransformPosition(0));
        Assert.Equal(5, operation.TransformPosition(3));
        Assert.Equal(5, operation.TransformPosition(4));
        Assert.Equal(7, operation.TransformPosition(7));
    }

    /// <summary>
    /// Eight editors making random edits while messages interleave at random: the server transforms as
    /// DocumentService does, the clients run the ot.js state machine; everyone ends with the same text.
    /// </summary>
    [Fact]
    public void EightEditors_WithRandomInterleaving_ShouldEndWithIdenticalText()
    {
        var random = new Random(42);
        var server = "shared start";
        var log = new List<(TextOperation Operation, int Client)>();
        var clients = Enumerable.Range(0, 8).Select(_ => new OtClient(server, 0)).ToArray();
        var toServer = clients.Select(_ => new Queue<(int Revision, TextOperation Operation)>()).ToArray();
        var delivered = new int[clients.Length]; // how much of the log each client has received

        for (var step = 0; step < 4000; step++)
        {
            var c = random.Next(clients.Length);
            switch (random.Next(3))
            {
                case 0:
                    if (clients[c].ApplyClient(OtClient.RandomEdit(clients[c].Text, random)) is { } send) toServer[c].Enqueue((clients[c].Revision, send));
                    break;
                case 1:
                    if (toServer[c].Count == 0) break;
                    var (revision, operation) = toServer[c].Dequeue();
                    foreach (var (concurrent, _) in log.Skip(revision)) operation = TextOperation.Transform(operation, concurrent).APrime;
                    server = operation.Apply(server);
                    log.Add((operation, c));
                    break;
                default:
                    Deliver(c, 1);
                    break;
            }
        }
        for (var round = 0; round < 100 && (toServer.Any(q => q.Count > 0) || delivered.Any(d => d < log.Count)); round++)
            for (var c = 0; c < clients.Length; c++)
            {
                while (toServer[c].Count > 0)
                {
                    var (revision, operation) = toServer[c].Dequeue();
                    foreach (var (concurrent, _) in log.Skip(revision)) operation = TextOperation.Transform(operation, concurrent).APrime;
                    server = operation.Apply(server);
                    log.Add((operation, c));
                }
                Deliver(c, int.MaxValue);
            }

        for (var c = 0; c < clients.Length; c++) Assert.True(server == clients[c].Text, $"client {c} (outstanding {clients[c].Outstanding is not null}, delivered {delivered[c]}/{log.Count}, revision {clients[c].Revision}): [{clients[c].Text.Length}] vs server [{server.Length}]");
        Assert.True(log.Count > 100, $"only {log.Count} operations reached the server");

        void Deliver(int c, int count)
        {
            for (var i = 0; i < count && delivered[c] < log.Count; i++)
            {
                var (operation, author) = log[delivered[c]++];
                if (author == c)
                {
                    if (clients[c].ServerAck() is { } next) toServer[c].Enqueue((clients[c].Revision, next));
                }
                else clients[c].ApplyServer(operation);
            }
        }
    }
}
