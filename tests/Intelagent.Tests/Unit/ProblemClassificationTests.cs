using System.Net.Sockets;
using Intelagent.Server.Platform.Problems;
using Npgsql;
using StackExchange.Redis;

namespace Intelagent.Tests.Unit;

/// <summary>What the last-resort exception handler answers: an unreachable dependency is a 503 to retry, not a 500.</summary>
public sealed class ProblemClassificationTests
{
    [Fact]
    public void RedisOutOfReach_ShouldBe503()
    {
        Assert.Equal((503, "redis_unavailable"), Short(new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "down", null, CommandStatus.WaitingToBeSent)));
        Assert.Equal((503, "redis_unavailable"), Short(new RedisTimeoutException(CommandFlags.None, "timed out", CommandStatus.WaitingToBeSent)));
    }

    [Fact]
    public void DatabaseOutOfReach_ShouldBe503_AndAnAnsweringDatabaseShouldNot()
    {
        Assert.Equal((503, "database_unavailable"), Short(new InvalidOperationException("wrapped", new NpgsqlException("broken", new SocketException()))));
        Assert.Equal((500, "internal_error"), Short(new InvalidOperationException("a bug")));
        // A Redis command the server refused (a script error) is a bug, not an outage.
        Assert.Equal((500, "internal_error"), Short(new RedisServerException(RedisErrorKind.UnknownError, CommandFlags.None, "ERR bad script")));
    }

    private static (int, string) Short(Exception exception)
    {
        var (status, code, _) = ProblemExceptionHandler.Classify(exception);
        return (status, code);
    }
}
