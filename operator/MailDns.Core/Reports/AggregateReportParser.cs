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
    public static ReportSummary Parse(Stream xml, ReportLimits? limits = null, Action<AggregateRow>? onRow = null)
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
        var state = new State(limits, onRow);
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        state.Open(reader.LocalName, reader.IsEmptyElement);
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA:
                        state.Text(reader.Value.Trim());
                        break;
                    case XmlNodeType.EndElement:
                        state.Close();
                        break;
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

        return state.Summary();
    }

    /// <summary>
    /// The reader's position as the element names open at each depth (compared by value; XmlReader atomizes them, so
    /// the comparisons are mostly reference checks), and what has been read of the report and the current row.
    /// </summary>
    private sealed class State(ReportLimits limits, Action<AggregateRow>? onRow)
    {
        private readonly string[] names = new string[64];
        private int depth;
        private string? org,
            id,
            domain;
        private DateTimeOffset? begin,
            end;
        private long rows,
            messages,
            pass;
        private bool sawFeedback;

        // The row being read.
        private long count;
        private string? sourceIp,
            disposition,
            dkim,
            spf,
            headerFrom,
            spfDomain,
            spfResult;
        private List<DkimSignatureResult> signatures = [];
        private string? sigDomain,
            sigSelector,
            sigResult,
            authSpfDomain,
            authSpfResult;

        public void Open(string name, bool empty)
        {
            if (depth == 0)
            {
                if (name != "feedback")
                {
                    throw new ReportFormatException($"the root element is <{name}>, not <feedback>: not a DMARC aggregate report");
                }

                sawFeedback = true;
            }

            if (depth == 1 && name == "record")
            {
                if (++rows > limits.MaxRows)
                {
                    throw new ReportFormatException($"more than {limits.MaxRows:N0} rows: over the row limit");
                }

                (count, sourceIp, disposition, dkim, spf, headerFrom, spfDomain, spfResult) = (0, null, null, null, null, null, null, null);
                signatures = [];
            }

            if (depth == 3 && names[1] == "record" && names[2] == "auth_results")
            {
                (sigDomain, sigSelector, sigResult, authSpfDomain, authSpfResult) = (null, null, null, null, null);
            }

            if (empty)
            {
                Close(name);
                return;
            }

            if (depth == names.Length)
            {
                throw new ReportFormatException($"elements nested deeper than {names.Length}: not a DMARC aggregate report");
            }

            names[depth++] = name;
        }

        public void Text(string text)
        {
            if (depth < 3)
            {
                return;
            }

            var (a, b, c) = (names[1], names[2], depth > 3 ? names[3] : null);
            switch (depth)
            {
                case 3 when a == "report_metadata" && b == "org_name":
                    org = text;
                    break;
                case 3 when a == "report_metadata" && b == "report_id":
                    id = text;
                    break;
                case 4 when a == "report_metadata" && b == "date_range" && c == "begin":
                    begin = Epoch(text, "date_range/begin");
                    break;
                case 4 when a == "report_metadata" && b == "date_range" && c == "end":
                    end = Epoch(text, "date_range/end");
                    break;
                case 3 when a == "policy_published" && b == "domain":
                    domain = text.TrimEnd('.').ToLowerInvariant();
                    break;
                case 4 when a == "record" && b == "row" && c == "source_ip":
                    sourceIp = text;
                    break;
                case 4 when a == "record" && b == "row" && c == "count":
                    count =
                        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 0
                            ? n
                            : throw new ReportFormatException($"row {rows}: count '{Clip(text)}' is not a whole number");
                    break;
                case 5 when a == "record" && b == "row" && c == "policy_evaluated":
                    switch (names[4])
                    {
                        case "disposition":
                            disposition = text.ToLowerInvariant();
                            break;
                        case "dkim":
                            dkim = text;
                            break;
                        case "spf":
                            spf = text;
                            break;
                    }

                    break;
                // RFC 7489 names it identifiers; the draft format some reporters still send, identities.
                case 4 when a == "record" && b is "identifiers" or "identities" && c == "header_from":
                    headerFrom = text.TrimEnd('.').ToLowerInvariant();
                    break;
                case 5 when a == "record" && b == "auth_results" && c == "dkim":
                    switch (names[4])
                    {
                        case "domain":
                            sigDomain = text.TrimEnd('.').ToLowerInvariant();
                            break;
                        case "selector":
                            sigSelector = text.ToLowerInvariant();
                            break;
                        case "result":
                            sigResult = text.ToLowerInvariant();
                            break;
                    }

                    break;
                case 5 when a == "record" && b == "auth_results" && c == "spf":
                    switch (names[4])
                    {
                        case "domain":
                            authSpfDomain = text.TrimEnd('.').ToLowerInvariant();
                            break;
                        case "result":
                            authSpfResult = text.ToLowerInvariant();
                            break;
                    }

                    break;
            }
        }

        public void Close() => Close(depth > 0 ? names[--depth] : "");

        private void Close(string name)
        {
            // `depth` is the depth of the closed element's parent here.
            if (depth == 3 && names[1] == "record" && names[2] == "auth_results")
            {
                if (name == "dkim" && sigDomain is not null)
                {
                    signatures.Add(new DkimSignatureResult(sigDomain, sigSelector, sigResult ?? "none"));
                }
                else if (name == "spf" && spfDomain is null && authSpfDomain is not null)
                {
                    (spfDomain, spfResult) = (authSpfDomain, authSpfResult ?? "none");
                }
            }

            if (depth == 1 && name == "record")
            {
                var row = new AggregateRow(
                    sourceIp ?? "",
                    count,
                    disposition ?? "none",
                    string.Equals(dkim, "pass", StringComparison.OrdinalIgnoreCase),
                    string.Equals(spf, "pass", StringComparison.OrdinalIgnoreCase),
                    headerFrom,
                    signatures,
                    spfDomain,
                    spfResult
                );
                messages += count;
                pass += row.DmarcPass ? count : 0;
                onRow?.Invoke(row);
            }
        }

        public ReportSummary Summary()
        {
            if (!sawFeedback)
            {
                return ReportSummary.Rejected(ReportKind.Aggregate, "empty document: no <feedback> element");
            }

            var missing = new[]
            {
                ("report_metadata/org_name", org),
                ("report_metadata/report_id", id),
                ("policy_published/domain", domain),
            }
                .Where(p => string.IsNullOrEmpty(p.Item2))
                .Select(p => p.Item1)
                .ToList();
            return missing.Count > 0
                ? ReportSummary.Rejected(ReportKind.Aggregate, $"required element(s) missing or empty: {string.Join(", ", missing)}")
                : new ReportSummary(ReportKind.Aggregate, org, id, domain, begin, end, rows, messages, pass);
        }
    }

    private static DateTimeOffset Epoch(string text, string field) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new ReportFormatException($"{field} '{Clip(text)}' is not seconds since the epoch");

    private static string Clip(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
