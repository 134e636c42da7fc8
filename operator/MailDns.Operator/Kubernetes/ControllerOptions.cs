using System.Net;

namespace MailDns.Operator.Kubernetes;

/// <summary>Where the controller runs and what it may use.</summary>
public sealed record ControllerOptions(string? Namespace, string DataDirectory, IReadOnlyList<IPEndPoint> Nameservers, int Workers = 4)
{
    public TimeSpan Resync { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Where a zone's authoritative servers are looked up when no nameserver is configured; null: the system's
    /// resolvers.</summary>
    public IReadOnlyList<IPEndPoint>? Resolvers { get; init; }

    /// <summary>
    /// How a zone's authoritative servers are found for key verification when no nameserver is configured; null: through
    /// <see cref="Resolvers"/>.
    /// </summary>
    public Dns.IZoneServerFinder? ZoneServers { get; init; }

    public Dns.IZoneServerFinder ZoneServerFinder =>
        ZoneServers ?? new Dns.ResolverZoneServerFinder(Resolvers ?? Health.HealthTargetsResolver.SystemResolvers());

    /// <summary>How a failed reconcile is retried: exponential with jitter, capped.</summary>
    public Core.Operations.Backoff Backoff { get; init; } = Core.Operations.Backoff.Default;

    /// <summary>The pulumi CLI that publishes Pulumi providers' stacks.</summary>
    public string PulumiExecutable { get; init; } = "pulumi";

    /// <summary>How long requests for one stack gather before they share a run.</summary>
    public TimeSpan PulumiWindow { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Stacks updated at once.</summary>
    public int PulumiParallel { get; init; } = 2;

    /// <summary>Where reports are stored: a SQLite path or a PostgreSQL connection string; null: DataDirectory/reports.db.</summary>
    public string? ReportDatabase { get; init; }

    /// <summary>The report window each SendingDomain's status.reports and DmarcCompliant describe.</summary>
    public TimeSpan ReportWindow { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How often each SendingDomain's report view is recomputed.</summary>
    public TimeSpan ReportRefresh { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The DMARC pass rate at or above which a domain is DmarcCompliant.</summary>
    public double DmarcPassThreshold { get; init; } = Core.Reports.ComplianceSettings.Default.Threshold;

    /// <summary>The messages a window needs before DmarcCompliant is judged at all (Unknown below).</summary>
    public long DmarcMinMessages { get; init; } = Core.Reports.ComplianceSettings.Default.MinMessages;

    /// <summary>How long reports are kept.</summary>
    public TimeSpan ReportRetention { get; init; } = TimeSpan.FromDays(180);

    /// <summary>The blocklists every SendingDomain is checked against (a Spamhaus DQS key already in place); empty: no
    /// reputation checks. `maildns operator` sets the built-in set unless told otherwise.</summary>
    public IReadOnlyList<Core.Reputation.Blocklist> Blocklists { get; init; } = [];

    /// <summary>How many queries each list may get, per day and per second, across every domain.</summary>
    public Core.Reputation.BudgetLimits BlocklistBudget { get; init; } = Core.Reputation.BudgetLimits.Default;

    /// <summary>How often managed MTA-STS policies are rendered and their served copies fetched.</summary>
    public TimeSpan MtaStsRefresh { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How the served policy is read before its id is published; default:
    /// https://mta-sts.DOMAIN/.well-known/mta-sts.txt.</summary>
    public MtaSts.IPolicyFetcher MtaStsFetcher { get; init; } = new MtaSts.HttpPolicyFetcher(MtaSts.HttpPolicyFetcher.DefaultUrl);

    /// <summary>How long reconciles under way may take to finish once the operator is told to stop.</summary>
    /// <summary>How the scheduled transport checks connect: the SMTP port (25), extra trusted roots, the policy URL.</summary>
    public Transport.TransportSettings Transport { get; init; } = MailDns.Operator.Transport.TransportSettings.Default;

    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);
}
