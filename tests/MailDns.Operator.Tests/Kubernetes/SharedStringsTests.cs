using CsCheck;
using MailDns.Operator.Kubernetes;

namespace MailDns.Operator.Tests.Kubernetes;

public class SharedStringsTests
{
    [Fact]
    public void Equal_values_come_back_as_the_first_instance_seen()
    {
        var strings = new SharedStrings();
        var first = new string("ProviderNotFound".AsSpan());

        Assert.Same(first, strings.Share(first));
        Assert.Same(first, strings.Share(new string("ProviderNotFound".AsSpan())));
        Assert.Equal(1, strings.Count);
    }

    [Fact]
    public void A_value_longer_than_the_limit_is_returned_as_it_is_and_not_held()
    {
        var strings = new SharedStrings();
        var longer = new string('x', SharedStrings.MaxLength + 1);

        Assert.Same(longer, strings.Share(longer));
        Assert.NotSame(longer, strings.Share(new string('x', SharedStrings.MaxLength + 1)));
        Assert.Equal(0, strings.Count);
    }

    [Fact]
    public void The_pool_never_holds_more_than_its_capacity_and_always_returns_an_equal_value()
    {
        Gen.String[Gen.Char.AlphaNumeric, 0, 8]
            .Array[1, 3 * SharedStrings.Capacity]
            .Sample(
                values =>
                {
                    var strings = new SharedStrings();
                    return values.All(v => strings.Share(v) == v && strings.Count <= SharedStrings.Capacity);
                },
                iter: 50
            );
    }

    [Fact]
    public void After_the_pool_starts_again_a_value_met_again_is_shared_again()
    {
        var strings = new SharedStrings();
        var kept = strings.Share(new string("mail".AsSpan()));
        for (var i = 0; i < SharedStrings.Capacity; i++)
        {
            strings.Share($"rv-{i}");
        }

        var again = strings.Share(new string("mail".AsSpan()));

        Assert.NotSame(kept, again);
        Assert.Same(again, strings.Share(new string("mail".AsSpan())));
    }
}
