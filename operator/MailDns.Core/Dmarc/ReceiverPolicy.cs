using MailDns.Core.TagLists;

namespace MailDns.Core.Dmarc;

/// <summary>
/// The policy a receiver applies from a DMARC record it found: p at the domain's own record; for a subdomain sp, or np
/// when the name does not exist, each falling back to p (RFC 9989 §5.3). A p, sp or np whose value is not a policy makes
/// the receiver act as if the record said p=none when its rua holds a valid URI, and ignore the record otherwise
/// (RFC 7489 §6.6.3, step 6): either way nothing is enforced, so the policy is none and <see cref="Reason"/> says why.
/// A record without p applies none, without a reason: DMARCbis makes p optional.
/// </summary>
/// <param name="Policy">none, quarantine or reject.</param>
/// <param name="Reason">Why a receiver applies none to a record that asks for something else; null when it does not.</param>
public sealed record ReceiverPolicy(string Policy, string? Reason)
{
    private static readonly string[] Policies = ["none", "quarantine", "reject"];

    public static ReceiverPolicy Of(DmarcLintResult lint, bool inherited, bool exists)
    {
        var p = lint.Policy;
        var sp = lint.Value("sp");
        var np = lint.Value("np");
        var broken = new[] { (Tag: "p", Value: p), (Tag: "sp", Value: sp), (Tag: "np", Value: np) }.FirstOrDefault(t =>
            t.Value is not null && !Policies.Contains(t.Value)
        );
        if (broken.Value is { } value)
        {
            var invalid = $"{broken.Tag}={value} is not none, quarantine or reject";
            var reported = lint
                .ReportUris("rua")
                .Any(u => ReportUri.Parse(u, allowSizeLimit: true) is not null || ReportUri.IsPlainHttp(u));
            return new(
                "none",
                reported
                    ? $"{invalid}: receivers act as if the record said p=none, and still send aggregate reports (RFC 7489 §6.6.3)"
                    : $"{invalid} and rua names no valid destination: receivers ignore the record (RFC 7489 §6.6.3)"
            );
        }

        var applied = !inherited ? p : !exists && np is not null ? np : sp ?? p;
        return new(applied ?? "none", null);
    }
}
