using System.Net;
using System.Security.Cryptography.X509Certificates;
using DnsClient;
using MailDns.Core.Names;
using MailDns.Core.Transport;
using MailDns.Operator.MtaSts;

namespace MailDns.Operator.Transport;

/// <summary>What the transport checks are told to do: the SMTP port, whether to probe at all, which roots to trust.</summary>
public sealed record TransportSettings(
    int SmtpPort,
    bool SkipTls,
    X509Certificate2Collection? ExtraRoots,
    string PolicyUrl,
    TimeSpan Timeout
)
{
    public static TransportSettings Default { get; } = new(25, false, null, HttpPolicyFetcher.DefaultUrl, TimeSpan.FromSeconds(10));
}

/// <summary>
/// Gathers a <see cref="TransportObservation"/> for one domain through recursive resolvers (MX and their addresses,
/// _mta-sts and _smtp._tls), the policy URL (as a sender fetches it) and an SMTP session with each MX host; the verdicts
/// are <see cref="TransportChecks"/>'s.
/// </summary>
public sealed class TransportGatherer(IReadOnlyList<IPEndPoint> resolvers, TransportSettings settings)
{
    private readonly LookupClient dns = Dns.RecursiveResolvers.Client(resolvers);

    // One of each for all the domains a run checks: one HTTP connection pool, not one per domain.
    private readonly HttpPolicyFetcher policies = new(settings.PolicyUrl, settings.Timeout, settings.ExtraRoots);
    private readonly SmtpProbe probe = new(settings.ExtraRoots, settings.Timeout);

    /// <summary>Whether the domain publishes an MTA-STS record or submission SRV records: the transport checks run for
    /// such domains unasked.</summary>
    public async Task<bool> PublishesTransportAsync(string domain, CancellationToken cancellationToken) =>
        (await MtaStsRecordsAsync(domain, cancellationToken)).Count > 0
        || (await SrvAsync($"_submission._tcp.{domain}", false, cancellationToken)).Count > 0
        || (await SrvAsync($"_submissions._tcp.{domain}", true, cancellationToken)).Count > 0;

    private async Task<IReadOnlyList<string>> MtaStsRecordsAsync(string domain, CancellationToken cancellationToken) =>
        await TxtAsync($"_mta-sts.{domain}", "v=STSv1", cancellationToken);

    public async Task<TransportObservation> GatherAsync(string domain, bool managedPolicy, CancellationToken cancellationToken)
    {
        var mx = await MxAsync(domain, cancellationToken);
        var hosts = await Task.WhenAll(mx.Hosts.Select(h => HostAsync(h, cancellationToken)));
        var mtaSts = await MtaStsRecordsAsync(domain, cancellationToken);
        var tlsRpt = await TxtAsync($"_smtp._tls.{domain}", "v=TLSRPTv1", cancellationToken);
        string? policy = null,
            policyError = null;
        if (mtaSts.Count > 0)
        {
            var fetched = await policies.FetchAsync(domain, cancellationToken);
            (policy, policyError) = (fetched.Text, fetched.Error);
        }

        IReadOnlyList<SmtpObservation>? smtp = null;
        if (!settings.SkipTls)
        {
            smtp = await Task.WhenAll(
                hosts
                    .Where(h => h.Address is not null)
                    .Select(async h =>
                        await probe.ProbeAsync(h.Observation.Host, settings.SmtpPort, h.Address!, cancellationToken) with
                        {
                            Tlsa = await TlsaAsync(h.Observation.Host, cancellationToken),
                        }
                    )
            );
        }

        IReadOnlyList<SubmissionObservation> submission = [];
        if (!settings.SkipTls)
        {
            var endpoints = (await SrvAsync($"_submission._tcp.{domain}", false, cancellationToken))
                .Concat(await SrvAsync($"_submissions._tcp.{domain}", true, cancellationToken))
                .ToList();
            submission = await Task.WhenAll(
                endpoints.Select(async e =>
                    (await HostAsync(e.Target, cancellationToken)).Address is { } address
                        ? await probe.ProbeSubmissionAsync(e.Target, e.Port, address, e.Implicit, cancellationToken)
                        : new SubmissionObservation(
                            e.Target,
                            e.Port,
                            e.Implicit,
                            $"{e.Target} has no address",
                            false,
                            null,
                            null,
                            null,
                            false,
                            false
                        )
                )
            );
        }

        return new TransportObservation(
            domain,
            DateTimeOffset.UtcNow,
            mx,
            hosts.Select(h => h.Observation).ToList(),
            mtaSts,
            policy,
            policyError,
            tlsRpt.Count > 0,
            smtp,
            managedPolicy
        )
        {
            Submission = submission,
        };
    }

    /// <summary>A query whose failure (a timeout, an unreachable resolver) is null, never an exception.</summary>
    private async Task<IDnsQueryResponse?> AskAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        try
        {
            return await dns.QueryAsync(name, type, QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseException)
        {
            return null;
        }
    }

    private async Task<MxObservation> MxAsync(string domain, CancellationToken cancellationToken)
    {
        if (await AskAsync(domain, QueryType.MX, cancellationToken) is not { } response)
        {
            return new MxObservation([], $"MX lookup of {domain}: no answer from the resolvers");
        }

        if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            return new MxObservation([], $"MX lookup of {domain} failed: {response.ErrorMessage}");
        }

        return new MxObservation(
            response
                .Answers.MxRecords()
                .OrderBy(r => r.Preference)
                .Select(r => DomainName.Normalize(r.Exchange.Value))
                .Where(h => h.Length > 0)
                .ToList()
        );
    }

    private async Task<(MxHostObservation Observation, string? Address)> HostAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out _))
        {
            return (new MxHostObservation(host, true, false, 0), null);
        }

        var a = await AskAsync(host, QueryType.A, cancellationToken);
        var aaaa = await AskAsync(host, QueryType.AAAA, cancellationToken);
        if (a is null || aaaa is null)
        {
            return (new MxHostObservation(host, false, false, 0, "address lookup: no answer from the resolvers"), null);
        }

        if (a.HasError && a.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            return (new MxHostObservation(host, false, false, 0, $"address lookup failed: {a.ErrorMessage}"), null);
        }

        var alias = a.Answers.CnameRecords().Any(c => DomainName.Normalize(c.DomainName.Value) == host);
        var addresses = a
            .Answers.ARecords()
            .Select(r => r.Address.ToString())
            .Concat(aaaa.Answers.AaaaRecords().Select(r => r.Address.ToString()))
            .ToList();
        return (new MxHostObservation(host, false, alias, addresses.Count), addresses.FirstOrDefault());
    }

    /// <summary>The SRV targets of a submission service (RFC 6186 §3.4: a target of "." says the service is not offered).</summary>
    private async Task<IReadOnlyList<(string Target, int Port, bool Implicit)>> SrvAsync(
        string name,
        bool implicitTls,
        CancellationToken cancellationToken
    ) =>
        (await AskAsync(name, QueryType.SRV, cancellationToken))
            ?.Answers.SrvRecords()
            .OrderBy(r => r.Priority)
            .Select(r => (DomainName.Normalize(r.Target.Value), (int)r.Port, implicitTls))
            .Where(e => e.Item1.Length > 0)
            .ToList()
        ?? [];

    /// <summary>The TLSA records of an MX (RFC 7672 §3: at _25._tcp.HOST, whatever port the probe used).</summary>
    private async Task<IReadOnlyList<TlsaObservation>> TlsaAsync(string host, CancellationToken cancellationToken) =>
        (await AskAsync($"_25._tcp.{host}", QueryType.TLSA, cancellationToken))
            ?.Answers.OfType<DnsClient.Protocol.TlsaRecord>()
            .Select(t => new TlsaObservation(
                (int)t.CertificateUsage,
                (int)t.Selector,
                (int)t.MatchingType,
                t.CertificateAssociationData.ToArray()
            ))
            .ToList()
        ?? [];

    private async Task<IReadOnlyList<string>> TxtAsync(string name, string version, CancellationToken cancellationToken)
    {
        var response = await AskAsync(name, QueryType.TXT, cancellationToken);
        return (response?.Answers ?? [])
            .TxtRecords()
            .Select(r => string.Concat(r.Text))
            .Where(t => t.StartsWith(version, StringComparison.OrdinalIgnoreCase))
            .ToList();
    }
}
