using CsCheck;
using MailDns.Core.Health;

namespace MailDns.Core.Tests.Health;

public class MergeTests
{
    private static readonly Gen<CheckResult> Result = Gen.Select(
        Gen.OneOf("spf.exists", "dkim.key", "dmarc.policy", "records.expected"),
        Gen.Enum<CheckStatus>(),
        Gen.OneOf("served", "not served", "stale"),
        Gen.OneOf<string?>(null, "s1", "s2"),
        (id, status, message, selector) => new CheckResult(id, status, message, selector)
    );

    [Fact]
    public void One_server_gives_what_two_servers_serving_the_same_give()
    {
        Result.List[0, 12].Sample(results =>
        {
            var merged = HealthEvaluator.Merge([("ns1", results)]);
            var alone = merged.ToList();
            var twins = HealthEvaluator.Merge([("ns1", results), ("ns2", results.ToList())]).ToList();
            return alone.SequenceEqual(twins) && merged.SequenceEqual(alone); // and the same when enumerated again
        });
    }

    [Fact]
    public void Servers_that_disagree_are_each_named()
    {
        var served = new CheckResult("spf.exists", CheckStatus.Pass, "served");
        var missing = served with { Status = CheckStatus.Fail, Message = "not served" };

        var merged = HealthEvaluator.Merge([("ns1", [served]), ("ns2", [missing])]).ToList();

        Assert.Equal(["ns1", "ns2"], merged.Select(r => r.Server));
    }
}
