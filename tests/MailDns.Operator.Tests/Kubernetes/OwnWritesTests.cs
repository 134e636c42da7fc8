using k8s.Models;
using MailDns.Core.Api;
using MailDns.Operator.Kubernetes;

namespace MailDns.Operator.Tests.Kubernetes;

public class OwnWritesTests
{
    private static SendingDomain At(string resourceVersion) =>
        new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = "d",
                NamespaceProperty = "ns",
                ResourceVersion = resourceVersion,
            },
        };

    [Fact]
    public void A_cache_still_holding_a_version_this_controller_replaced_yields_the_controllers_own_write()
    {
        var writes = new OwnWrites<SendingDomain>();
        var created = At("1");
        var finalized = At("2");
        var withStatus = At("3");
        writes.Wrote("ns/d", created, finalized, cached: () => created);
        writes.Wrote("ns/d", finalized, withStatus, cached: () => finalized);

        Assert.Same(withStatus, writes.Freshest("ns/d", created));
        Assert.Same(withStatus, writes.Freshest("ns/d", finalized));
        Assert.Equal(1, writes.Pending);
    }

    [Theory]
    [InlineData("3", "the watch brought the write")]
    [InlineData("4", "someone else wrote after it")]
    public void Once_the_cache_moves_past_every_replaced_version_the_cache_is_used_and_the_write_forgotten(string cachedVersion, string why)
    {
        var writes = new OwnWrites<SendingDomain>();
        writes.Wrote("ns/d", At("2"), At("3"), cached: () => At("2"));
        var cached = At(cachedVersion);

        writes.Observed("ns/d", cached);

        Assert.True(writes.Pending == 0, why);
        Assert.Same(cached, writes.Freshest("ns/d", cached));
    }

    [Fact]
    public void A_write_the_cache_already_holds_or_an_object_already_gone_is_not_kept()
    {
        var writes = new OwnWrites<SendingDomain>();
        writes.Wrote("ns/d", At("2"), At("3"), cached: () => At("3"));
        writes.Wrote("ns/e", At("2"), At("3"), cached: () => null);

        Assert.Equal(0, writes.Pending);
    }

    [Fact]
    public void A_deleted_object_forgets_its_write()
    {
        var writes = new OwnWrites<SendingDomain>();
        writes.Wrote("ns/d", At("2"), At("3"), cached: () => At("2"));

        writes.Observed("ns/d", null);

        Assert.Equal(0, writes.Pending);
    }
}
