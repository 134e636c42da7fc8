using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailDns.Core.Findings;

namespace MailDns.Operator.Cli;

/// <summary>Where a command writes, so tests can run commands in-process and read what they print.</summary>
/// <summary>The command's streams; In is null where nothing can be asked (a test, a pipeline without stdin).</summary>
public sealed record Console2(TextWriter Out, TextWriter Error, TextReader? In = null);

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Invalid = 1;
    public const int Usage = 2;

    /// <summary>Nothing found wrong, but not every question was answered (`reputation`: refused or unknown answers).</summary>
    public const int Incomplete = 3;

    /// <summary>A bug (EX_SOFTWARE): said in one line, never a stack trace.</summary>
    public const int Internal = 70;
}

public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public sealed record FindingJson(string? Path, string Code, string Severity, string Message);

    public static FindingJson ToJson(Finding f) => new(f.Path, f.Code, f.Severity.ToText(), f.Message);
}

public static class HumanOutput
{
    public static string Line(Finding f) => $"  {f.Severity.ToText(),-7} {f.Code}{(f.Path is null ? "" : $" ({f.Path})")}: {f.Message}";
}
