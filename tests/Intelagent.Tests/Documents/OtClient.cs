using Intelagent.Server.Documents;

namespace Intelagent.Tests.Documents;

/// <summary>
/// The ot.js client state machine (synchronized, awaiting confirmation, awaiting with a buffer), written
/// out in the tests so the server is checked against the client algorithm it is meant for.
/// </summary>
public sealed class OtClient(string text, int revision)
{
    public string Text { get; private set; } = text;
    public int Revision { get; private set; } = revision;
    public TextOperation? Outstanding { get; private set; }
    public TextOperation? Buffer { get; private set; }

    /// <summary>A local edit; returns the operation to send now, if the client is not waiting for an acknowledgement.</summary>
    public TextOperation? ApplyClient(TextOperation operation)
    {
        Text = operation.Apply(Text);
        if (Outstanding is null)
        {
            Outstanding = operation;
            return operation;
        }
        Buffer = Buffer is null ? operation : Buffer.Compose(operation);
        return null;
    }

    /// <summary>Another client's operation, in server order.</summary>
    public void ApplyServer(TextOperation operation)
    {
        Revision++;
        if (Outstanding is null)
        {
            Text = operation.Apply(Text);
            return;
        }
        var (outstanding, operation1) = TextOperation.Transform(Outstanding, operation);
        Outstanding = outstanding;
        if (Buffer is null)
        {
            Text = operation1.Apply(Text);
            return;
        }
        var (buffer, operation2) = TextOperation.Transform(Buffer, operation1);
        Buffer = buffer;
        Text = operation2.Apply(Text);
    }

    /// <summary>The server applied our outstanding operation; returns the buffer to send next, if any.</summary>
    public TextOperation? ServerAck()
    {
        Revision++;
        Outstanding = Buffer;
        Buffer = null;
        return Outstanding;
    }

    public static TextOperation RandomEdit(string text, Random random)
    {
        var operation = new TextOperation();
        var position = 0;
        while (position < text.Length)
        {
            var step = random.Next(1, Math.Max(2, text.Length - position + 1));
            switch (random.Next(4))
            {
                case 0: operation.InsertText(RandomText(random)); break;
                case 1: operation.DeleteChars(Math.Min(step, text.Length - position)); position += Math.Min(step, text.Length - position); break;
                default: operation.RetainChars(Math.Min(step, text.Length - position)); position += Math.Min(step, text.Length - position); break;
            }
        }
        if (random.Next(2) == 0 || operation.IsNoop) operation.InsertText(RandomText(random));
        return operation;
    }

    private static string RandomText(Random random) =>
        new(Enumerable.Range(0, random.Next(1, 5)).Select(_ => "abcxyzé€ \n"[random.Next(10)]).ToArray());
}
