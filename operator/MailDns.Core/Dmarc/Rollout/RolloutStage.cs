namespace MailDns.Core.Dmarc.Rollout;

/// <summary>
/// One step of the road to enforcement: a policy and whether t=y (RFC 9989 testing mode, which replaced pct) is set.
/// The road: none, quarantine with t=y, quarantine, reject with t=y, reject.
/// </summary>
public sealed record RolloutStage(string Name, string Policy, bool Testing, int Rank)
{
    public static readonly RolloutStage None = new("none", "none", false, 0);
    public static readonly RolloutStage QuarantineTesting = new("quarantine-testing", "quarantine", true, 1);
    public static readonly RolloutStage Quarantine = new("quarantine", "quarantine", false, 2);
    public static readonly RolloutStage RejectTesting = new("reject-testing", "reject", true, 3);
    public static readonly RolloutStage Reject = new("reject", "reject", false, 4);

    public static IReadOnlyList<RolloutStage> Road { get; } = [None, QuarantineTesting, Quarantine, RejectTesting, Reject];

    /// <summary>The stage a policy is at without testing: where a rollout starts, and where a target ends.</summary>
    public static RolloutStage OfPolicy(string policy) =>
        policy switch
        {
            "reject" => Reject,
            "quarantine" => Quarantine,
            _ => None,
        };

    public static RolloutStage? Parse(string? name) => Road.FirstOrDefault(s => s.Name == name);

    public RolloutStage Next => Road[Math.Min(Rank + 1, Road.Count - 1)];

    public RolloutStage Previous => Road[Math.Max(Rank - 1, 0)];

    public override string ToString() => Testing ? $"p={Policy}; t=y" : $"p={Policy}";
}
