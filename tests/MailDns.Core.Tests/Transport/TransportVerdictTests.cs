using MailDns.Core.Api;
using MailDns.Core.Health;
using MailDns.Core.Transport;

namespace MailDns.Core.Tests.Transport;

public class TransportVerdictTests
{
    public static TheoryData<string, CheckResult[], string, string> Rules =>
        new()
        {
            {
                "every check passing or warning is True",
                [CheckResult.Pass("smtp.starttls", "TLS 1.3"), CheckResult.Warn("smtp.certificate", "expires in 10 days")],
                ConditionStatus.True,
                ConditionReasons.TransportChecksPassed
            },
            {
                "a failure wins over an unanswered check",
                [CheckResult.Unknown("smtp.starttls", "connection refused"), CheckResult.Fail("mta-sts.mx-coverage", "mx2 not covered")],
                ConditionStatus.False,
                ConditionReasons.TransportChecksFailed
            },
            {
                // A port 25 that does not answer (egress blocked) is unknown, never a failure (RFC 8461 §5: no verdict without a session).
                "an unanswered port 25 is Unknown, not False",
                [CheckResult.Pass("mx.exists", "1 MX host"), CheckResult.Unknown("smtp.starttls", "connection timed out")],
                ConditionStatus.Unknown,
                ConditionReasons.TransportUnanswered
            },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_condition_follows_the_worst_settled_check(string because, CheckResult[] checks, string status, string reason)
    {
        var (value, why, message) = TransportVerdict.Of(checks);

        Assert.True((value, why) == (status, reason), $"{because}: got {value}/{why}: {message}");
    }
}
