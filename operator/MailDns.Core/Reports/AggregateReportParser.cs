using System.Globalization;
using System.Xml;

namespace MailDns.Core.Reports;

/// <summary>
/// DMARC aggregate reports (RFC 7489 Appendix C, RFC 9990, and the older draft format some reporters still send),
/// read streaming with <see cref="XmlReader"/>: a million-row report is never held in memory. Element names are
/// matched by local name, so the RFC 9990 namespace and none at all read the same; result values are
/// case-insensitive (reporters send PASS), and empty elements are absent values.
/// </summary>
public static class AggregateReportParser
{
    public static ReportSummary Parse(Stream xml, ReportLimits? limits = null)
    {
        limits ??= ReportLimits.Default;
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit, // no entity expansion: the billion-laughs bomb is refused outright
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            CheckCharacters = false, // reporters send control characters in free text; they are not ours to judge
        };
        string? org = null,
            id = null,
            domain = null;
        DateTimeOffset? begin = null,
            end = null;
        long rows = 0,
            messages = 0,
            pass = 0;
        var sawFeedback = false;
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            var path = new List<string>();
            long count = 0;
            string? dkim = null,
                spf = null;
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    var name = reader.LocalName;
                    var empty = reader.IsEmptyElement;
                    if (path.Count == 0)
                    {
                        if (name != "feedback")
                        {
                            throw new ReportFormatException($"the root element is <{name}>, not <feedback>: not a DMARC aggregate report");
                        }

                        sawFeedback = true;
                    }

                    if (name == "record" && path.Count == 1)
                    {
                        if (++rows > limits.MaxRows)
                        {
                            throw new ReportFormatException($"more than {limits.MaxRows:N0} rows: over the row limit");
                        }

                        (count, dkim, spf) = (0, null, null);
                    }

                    if (empty)
                    {
                        continue;
                    }

                    path.Add(name);
                    continue;
                }

                if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA)
                {
                    var text = reader.Value.Trim();
                    switch (string.Join('/', path))
                    {
                        case "feedback/report_metadata/org_name":
                            org = text;
                            break;
                        case "feedback/report_metadata/report_id":
                            id = text;
                            break;
                        case "feedback/report_metadata/date_range/begin":
                            begin = Epoch(text, "date_range/begin");
                            break;
                        case "feedback/report_metadata/date_range/end":
                            end = Epoch(text, "date_range/end");
                            break;
                        case "feedback/policy_published/domain":
                            domain = text.TrimEnd('.').ToLowerInvariant();
                            break;
                        case "feedback/record/row/count":
                            count =
                                long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c >= 0
                                    ? c
                                    : throw new ReportFormatException($"row {rows}: count '{Clip(text)}' is not a whole number");
                            break;
                        case "feedback/record/row/policy_evaluated/dkim":
                            dkim = text;
                            break;
                        case "feedback/record/row/policy_evaluated/spf":
                            spf = text;
                            break;
                    }

                    continue;
                }

                if (reader.NodeType == XmlNodeType.EndElement && path.Count > 0)
                {
                    if (reader.LocalName == "record" && path.Count == 2)
                    {
                        messages += count;
                        // RFC 7489 §6.6.2: DMARC passes when either aligned result passes.
                        if (
                            string.Equals(dkim, "pass", StringComparison.OrdinalIgnoreCase)
                            || string.Equals(spf, "pass", StringComparison.OrdinalIgnoreCase)
                        )
                        {
                            pass += count;
                        }
                    }

                    path.RemoveAt(path.Count - 1);
                }
            }
        }
        catch (XmlException e)
        {
            return ReportSummary.Rejected(
                ReportKind.Aggregate,
                $"not well-formed XML at line {e.LineNumber}, position {e.LinePosition}: {e.Message}"
            );
        }
        catch (ReportFormatException e)
        {
            return ReportSummary.Rejected(ReportKind.Aggregate, e.Message);
        }

        if (!sawFeedback)
        {
            return ReportSummary.Rejected(ReportKind.Aggregate, "empty document: no <feedback> element");
        }

        var missing = new[] { ("report_metadata/org_name", org), ("report_metadata/report_id", id), ("policy_published/domain", domain) }
            .Where(p => string.IsNullOrEmpty(p.Item2))
            .Select(p => p.Item1)
            .ToList();
        return missing.Count > 0
            ? ReportSummary.Rejected(ReportKind.Aggregate, $"required element(s) missing or empty: {string.Join(", ", missing)}")
            : new ReportSummary(ReportKind.Aggregate, org, id, domain, begin, end, rows, messages, pass);
    }

    private static DateTimeOffset Epoch(string text, string field) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new ReportFormatException($"{field} '{Clip(text)}' is not seconds since the epoch");

    private static string Clip(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
