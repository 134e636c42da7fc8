using MailDns.Operator.Kubernetes;

namespace MailDns.Operator.Tests.Kubernetes;

public class InformerIndexTests
{
    private sealed record Item(string Domain);

    [Fact]
    public void An_index_follows_adds_changes_and_deletes_and_keeps_every_key_that_shares_a_value()
    {
        var index = new InformerIndex<Item>(i => i.Domain);
        index.Set("mail/a", null, new Item("example.com"));
        index.Set("mail/b", null, new Item("example.com"));
        index.Set("mail/c", null, new Item("example.org"));
        Assert.Equal(["mail/a", "mail/b"], index.KeysOf("example.com"));

        index.Set("mail/a", new Item("example.com"), new Item("example.net")); // a changed its domain
        Assert.Equal(["mail/b"], index.KeysOf("example.com"));
        Assert.Equal(["mail/a"], index.KeysOf("example.net"));

        index.Set("mail/b", new Item("example.com"), null); // b was deleted
        Assert.Empty(index.KeysOf("example.com"));
        index.Set("mail/b", null, null); // a second delete changes nothing
        Assert.Equal(["mail/c"], index.KeysOf("example.org"));
    }

    [Fact]
    public void A_changed_object_with_the_same_value_leaves_the_replaced_objects_copy_of_it_free_to_collect()
    {
        var index = new InformerIndex<Item>(i => i.Domain);

        var replaced = Replace(index);
        GC.Collect();

        Assert.False(replaced.IsAlive);
        Assert.Equal(["mail/a"], index.KeysOf("example.com"));
    }

    /// <summary>Indexes an item, then a new version of it with an equal value in its own string; a handle on the first one's.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference Replace(InformerIndex<Item> index)
    {
        var first = new Item(new string("example.com".AsSpan()));
        index.Set("mail/a", null, first);
        index.Set("mail/a", first, new Item(new string("example.com".AsSpan())));
        return new WeakReference(first.Domain);
    }
}
