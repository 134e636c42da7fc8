using System.Globalization;

namespace MailDns.Operator.Observability;

/// <summary>The pieces of the Prometheus text format (0.0.4) the scraped families write.</summary>
public static class PrometheusText
{
    public static void Header(TextWriter writer, string name, string help, string type)
    {
        writer.Write("# HELP ");
        writer.Write(name);
        writer.Write(' ');
        // In HELP only the backslash and the line feed are escaped.
        writer.WriteLine(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));
        writer.Write("# TYPE ");
        writer.Write(name);
        writer.Write(' ');
        writer.WriteLine(type);
    }

    /// <summary>`name{label="value",...} value`, label values escaped (backslash, double quote, line feed).</summary>
    public static void Sample(TextWriter writer, string name, ReadOnlySpan<(string Name, string Value)> labels, double value)
    {
        writer.Write(name);
        if (labels.Length > 0)
        {
            writer.Write('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    writer.Write(',');
                }

                writer.Write(labels[i].Name);
                writer.Write("=\"");
                WriteEscaped(writer, labels[i].Value);
                writer.Write('"');
            }

            writer.Write('}');
        }

        writer.Write(' ');
        writer.WriteLine(Number(value));
    }

    /// <summary>A sample value as Prometheus parses it: shortest round-trip form, NaN, +Inf and -Inf.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteEscaped(TextWriter writer, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    writer.Write("\\\\");
                    break;
                case '"':
                    writer.Write("\\\"");
                    break;
                case '\n':
                    writer.Write("\\n");
                    break;
                default:
                    writer.Write(c);
                    break;
            }
        }
    }
}
