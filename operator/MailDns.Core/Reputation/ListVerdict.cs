using System.Net;

namespace MailDns.Core.Reputation;

/// <summary>
/// Reads one list's answer about one target, as a receiving MTA's DNSBL lookup does (RFC 5782 §2.1): NXDOMAIN is "not
/// listed", A records are read through the list's codes, and a resolver that refused or never answered leaves the
/// question open (refused, unknown), never a listing.
/// </summary>
public static class ListVerdict
{
    public static ListResult Of(Blocklist list, LookupAnswer answer)
    {
        switch (answer.Outcome)
        {
            case LookupOutcome.NxDomain:
            case LookupOutcome.NoData:
                return new ListResult(list, ListStatus.Clean, [], list.Allowlist ? "not allowlisted" : "not listed");
            case LookupOutcome.Refused:
                return new ListResult(list, ListStatus.Refused, [], $"the resolver refused the query: {answer.Error}");
            case LookupOutcome.Failed:
                return new ListResult(list, ListStatus.Unknown, [], $"no answer: {answer.Error}");
        }

        var codes = answer.Values.Order(StringComparer.Ordinal).ToList();
        var meanings = codes
            .Select(c => IPAddress.TryParse(c, out var ip) ? list.Codes.Decode(ip) : new CodeMeaning(ListStatus.Unknown, $"{c}?"))
            .ToList();

        // One error code among the answers means the list did not really answer (Spamhaus answers only the error).
        var status =
            meanings.Any(m => m.Status == ListStatus.Refused) ? ListStatus.Refused
            : meanings.Any(m => m.Status == ListStatus.Listed) ? ListStatus.Listed
            : ListStatus.Unknown;
        var said = meanings.Where(m => m.Status == status).Select(m => m.Meaning).Distinct();
        var meaning = string.Join("; ", said);
        return new ListResult(list, status, codes, list.Allowlist && status == ListStatus.Listed ? "allowlisted: " + meaning : meaning);
    }
}
