using System.Net;
using MailDns.Core.Reputation;

namespace MailDns.Core.Tests.Reputation;

/// <summary>Forward-confirmed reverse DNS as RFC 8601 §2.7.3 (iprev) defines it: a lookup failure is never a fail.</summary>
public class FcrdnsTests
{
    private static readonly IPAddress Address = IPAddress.Parse("192.0.2.1");
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    public static TheoryData<string, LookupAnswer, Dictionary<string, LookupAnswer>, FcrdnsStatus> Cases =>
        new()
        {
            {
                "the PTR name resolves back",
                LookupAnswer.Of(["mail.example"], Ttl),
                new() { ["mail.example"] = LookupAnswer.Of(["192.0.2.1"], Ttl) },
                FcrdnsStatus.Pass
            },
            {
                "one of two PTR names resolves back",
                LookupAnswer.Of(["a.example", "b.example"], Ttl),
                new() { ["a.example"] = LookupAnswer.NxDomain(Ttl), ["b.example"] = LookupAnswer.Of(["192.0.2.9", "192.0.2.1"], Ttl) },
                FcrdnsStatus.Pass
            },
            { "no PTR record", LookupAnswer.NxDomain(Ttl), new(), FcrdnsStatus.Fail },
            {
                "the PTR name has other addresses",
                LookupAnswer.Of(["mail.example"], Ttl),
                new() { ["mail.example"] = LookupAnswer.Of(["192.0.2.9"], Ttl) },
                FcrdnsStatus.Fail
            },
            {
                "the PTR name does not exist",
                LookupAnswer.Of(["mail.example"], Ttl),
                new() { ["mail.example"] = LookupAnswer.NxDomain(Ttl) },
                FcrdnsStatus.Fail
            },
            { "the PTR lookup timed out", LookupAnswer.Failed("timed out"), new(), FcrdnsStatus.Unknown },
            { "the PTR lookup was refused", LookupAnswer.Refused("REFUSED"), new(), FcrdnsStatus.Unknown },
            {
                "the forward lookup timed out",
                LookupAnswer.Of(["mail.example"], Ttl),
                new() { ["mail.example"] = LookupAnswer.Failed("timed out") },
                FcrdnsStatus.Unknown
            },
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reverse_dns_is_confirmed_only_by_a_name_that_resolves_back(
        string because,
        LookupAnswer ptr,
        Dictionary<string, LookupAnswer> forward,
        FcrdnsStatus expected
    )
    {
        Assert.True(expected == Fcrdns.Judge(Address, ptr, forward).Status, because);
    }
}
