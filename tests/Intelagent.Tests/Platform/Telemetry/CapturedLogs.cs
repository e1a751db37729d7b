using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Intelagent.Tests.Platform.Telemetry;

/// <summary>One log line as a provider saw it: the formatted message, the exception and every scope value in force.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, string? Exception, IReadOnlyList<KeyValuePair<string, string?>> Scope)
{
    public string? ScopeValue(string key) => Scope.LastOrDefault(p => p.Key == key).Value;

    /// <summary>Everything a sink could write for this line.</summary>
    public string AllText => $"{Category} {Message} {Exception} {string.Join(" ", Scope.Select(p => $"{p.Key}={p.Value}"))}";
}

/// <summary>A logger provider that keeps every line with its scopes (as the JSON console formatter would write them).</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLog> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new List<KeyValuePair<string, string?>>();
            owner._scopes.ForEachScope((value, list) =>
            {
                if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                    foreach (var pair in pairs) list.Add(new(pair.Key, pair.Value?.ToString()));
                else list.Add(new("Scope", value?.ToString()));
            }, scope);
            // The structured state too: a sink writing properties would write these.
            if (state is IEnumerable<KeyValuePair<string, object?>> properties)
                foreach (var property in properties) scope.Add(new("State." + property.Key, property.Value?.ToString()));
            owner._lines.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), exception?.ToString(), scope));
        }
    }
}
