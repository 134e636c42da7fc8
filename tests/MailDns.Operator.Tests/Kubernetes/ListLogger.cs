using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>Keeps every log line (message and exception text) the controller writes, for scans of what it says.</summary>
public sealed class ListLogger : ILogger, ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        Lines.Enqueue($"scope: {state}");
        return null;
    }

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(
        LogLevel logLevel,
        EventId eventId,
        TState state,
        Exception? exception,
        Func<TState, Exception?, string> formatter
    ) => Lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");

    public ILogger CreateLogger(string categoryName) => this;

    public void Dispose() { }
}
