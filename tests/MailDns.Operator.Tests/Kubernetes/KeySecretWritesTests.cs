using MailDns.Operator.Kubernetes;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>Which key Secret versions the operator counts as its own writes, so they requeue nothing.</summary>
public class KeySecretWritesTests
{
    [Fact]
    public void A_watch_event_that_arrives_before_the_writes_answer_counts_as_the_operators_own()
    {
        var writes = new KeySecretWrites();

        using (writes.Writing("mail/news-dkim"))
        {
            Assert.True(writes.IsOwnWrite("mail/news-dkim", "17")); // the event of the write under way
            Assert.False(writes.IsOwnWrite("mail/other-dkim", "17"));
            writes.Wrote("mail/news-dkim", "17");
        }

        Assert.True(writes.IsOwnWrite("mail/news-dkim", "17"));
        Assert.False(writes.IsOwnWrite("mail/news-dkim", "18")); // someone else's change after ours
        Assert.True(writes.HasWritten("mail/news-dkim"));
        Assert.False(writes.HasWritten("mail/other-dkim"));
    }

    [Fact]
    public void A_failed_write_leaves_nothing_counted_as_the_operators_own()
    {
        var writes = new KeySecretWrites();

        using (writes.Writing("mail/news-dkim")) { } // the request failed: no Wrote

        Assert.False(writes.IsOwnWrite("mail/news-dkim", "17"));
        Assert.False(writes.HasWritten("mail/news-dkim"));
    }
}
