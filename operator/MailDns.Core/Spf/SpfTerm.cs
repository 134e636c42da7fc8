namespace MailDns.Core.Spf;

public enum SpfQualifier
{
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

public abstract record SpfTerm(string Text);

/// <summary>A mechanism (all, include, a, mx, ptr, ip4, ip6, exists) with its parsed arguments.</summary>
public sealed record SpfMechanism(
    string Text,
    SpfQualifier Qualifier,
    string Name,
    string? DomainSpec,
    string? Network,
    int? Ip4Cidr,
    int? Ip6Cidr
) : SpfTerm(Text)
{
    /// <summary>RFC 7208 §4.6.4: these terms cause DNS queries and count toward the limit of 10.</summary>
    public bool QueriesDns => Name is "include" or "a" or "mx" or "ptr" or "exists";
}

public sealed record SpfModifier(string Text, string Name, string Value) : SpfTerm(Text);

public sealed record SpfRecord(IReadOnlyList<SpfTerm> Terms)
{
    public IEnumerable<SpfMechanism> Mechanisms => Terms.OfType<SpfMechanism>();

    public IEnumerable<SpfModifier> Modifiers => Terms.OfType<SpfModifier>();

    // All and Redirect are indexed loops over the terms (no enumerator to allocate): the SPF walk and linter read them
    // on every evaluation round.
    public SpfMechanism? All
    {
        get
        {
            for (var i = 0; i < Terms.Count; i++)
            {
                if (Terms[i] is SpfMechanism { Name: "all" } all)
                {
                    return all;
                }
            }

            return null;
        }
    }

    public string? Redirect
    {
        get
        {
            for (var i = 0; i < Terms.Count; i++)
            {
                if (Terms[i] is SpfModifier { Name: "redirect" } redirect)
                {
                    return redirect.Value;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// DNS-querying terms of this record alone (not followed): include, a, mx, ptr, exists, and redirect when it
    /// is not ignored because of an all mechanism.
    /// </summary>
    public int Lookups => Mechanisms.Count(m => m.QueriesDns) + (Redirect is not null && All is null ? 1 : 0);

    /// <summary>The include targets and the redirect target, for callers that follow them recursively.</summary>
    public IEnumerable<string> ReferencedDomains =>
        Mechanisms
            .Where(m => m.Name == "include" && m.DomainSpec is not null)
            .Select(m => m.DomainSpec!)
            .Concat(Redirect is not null && All is null ? [Redirect] : []);
}
