using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using MailDns.Core.Api;
using MailDns.Core.Health;
using MailDns.Core.Publishing;
using MailDns.Core.Records;
using MailDns.Core.Txt;
using MailDns.Operator.Dns;
using DnsQuestion = MailDns.Core.Health.DnsQuestion;

namespace MailDns.Operator.Publishing;

/// <summary>The TSIG key an RFC 2136 provider signs with; the secret lives only in memory, never in a message or log.</summary>
public sealed class TsigKey(string name, string algorithm, byte[] secret)
{
    public string Name { get; } = name;

    public TSigAlgorithm Algorithm { get; } =
        algorithm.ToLowerInvariant() switch
        {
            Defaults.TsigAlgorithm or "" => TSigAlgorithm.Sha256,
            "hmac-sha512" => TSigAlgorithm.Sha512,
            "hmac-sha384" => TSigAlgorithm.Sha384,
            _ => throw new ArgumentException(
                $"tsigAlgorithm '{algorithm}' is not supported: use hmac-sha256 or hmac-sha512",
                nameof(algorithm)
            ),
        };

    internal byte[] Secret { get; } = secret;

    public override string ToString() => $"TSIG key {Name} ({Algorithm})"; // never the secret
}

/// <summary>
/// A primary server taking TSIG-signed RFC 2136 updates (BIND, Knot, PowerDNS). A plan goes as one update message
/// that deletes and adds single records, TXT or SRV (never a whole RRset), so other values at the same name, such as
/// a site verification at the apex, are never touched; when the server refuses it, each change goes on its own, so a
/// failure is reported for that record alone with the server's answer. The current state is read by querying the primary directly.
/// </summary>
public sealed class Rfc2136Store(IPEndPoint primary, string zone, TsigKey key, IDnsQuery reader, TimeSpan? timeout = null) : IRecordStore
{
    private readonly int timeoutMs = (int)(timeout ?? TimeSpan.FromSeconds(5)).TotalMilliseconds;

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ReadAsync(
        IReadOnlyCollection<string> names,
        CancellationToken cancellationToken
    )
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var srv = RecordTypes.IsSrv(name);
            var answer = await reader
                .AskAsync(primary, new DnsQuestion(name, srv ? DnsType.Srv : DnsType.Txt), recursive: false, cancellationToken)
                .ConfigureAwait(false);
            if (answer.Target is { } target)
            {
                // RFC 1034 §3.6.2: nothing else may sit beside a CNAME; BIND would drop the update silently.
                throw new PublishException(
                    $"{name} is a CNAME to {target}: a {RecordTypes.At(name)} record cannot be published beside it (RFC 1034 §3.6.2); "
                        + "remove the CNAME or take the record out of the spec"
                );
            }

            if (answer.IsUnanswered)
            {
                // Planning on a guess could delete or duplicate records: refuse to plan instead.
                throw new PublishException($"reading {name} from {primary}: {answer.Error}");
            }

            result[name] = srv ? answer.Hosts : answer.Joined;
        }

        return result;
    }

    public async Task<IReadOnlyList<(RecordChange Change, string Error)>> ApplyAsync(
        IReadOnlyList<RecordChange> changes,
        CancellationToken cancellationToken
    )
    {
        var client = new ARSoft.Tools.Net.Dns.DnsClient(
            [primary.Address],
            [new UdpClientTransport(primary.Port), new TcpClientTransport(primary.Port)],
            false,
            timeoutMs
        );
        if (changes.Count > 1)
        {
            // One message for the whole plan: an UPDATE is applied whole or not at all (RFC 2136 §3.7), so this is one
            // zone change and one serial instead of one per record. Anything but NOERROR is retried record by record
            // below, so a failure is still reported for the record that caused it and the others still go through.
            var (response, error) = await SendAsync(client, changes, cancellationToken).ConfigureAwait(false);
            if (error is null && response!.ReturnCode == ReturnCode.NoError)
            {
                return [];
            }

            if (response?.ReturnCode == ReturnCode.NotAuthoritive)
            {
                throw Refused(response.ReturnCode, string.Join(", ", changes.Select(c => c.Name).Distinct(StringComparer.Ordinal)));
            }
        }

        var failures = new List<(RecordChange, string)>();
        var attempted = 0;
        foreach (var change in changes)
        {
            attempted++;
            var (response, error) = await SendAsync(client, [change], cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                failures.Add((change, error));
            }
            else if (response!.ReturnCode == ReturnCode.NotAuthoritive && failures.Count == attempted - 1)
            {
                // Nothing went through yet and the key is refused: every other change would be refused too, and
                // a retry with the same key cannot help. Only a changed Secret or provider can.
                throw Refused(response.ReturnCode, change.Name);
            }
            else if (response.ReturnCode != ReturnCode.NoError)
            {
                failures.Add((change, $"{primary} answered {Describe(response.ReturnCode)} to the update of {change.Name}"));
            }
        }

        return failures;
    }

    /// <summary>One TSIG-signed UPDATE deleting and adding single records; a transport failure is the error, never a throw.</summary>
    private async Task<(DnsUpdateMessage? Response, string? Error)> SendAsync(
        ARSoft.Tools.Net.Dns.DnsClient client,
        IReadOnlyList<RecordChange> changes,
        CancellationToken cancellationToken
    )
    {
        var message = new DnsUpdateMessage { ZoneName = DomainName.Parse(zone) };
        foreach (var change in changes)
        {
            var name = DomainName.Parse(change.Name);
            if (change.OldValue is { } old)
            {
                message.Updates.Add(new DeleteRecordUpdate(Record(name, 0, old)));
            }

            if (change.NewValue is { } value)
            {
                message.Updates.Add(new AddRecordUpdate(Record(name, change.Ttl, value)));
            }
        }

        message.TSigOptions = new TSigRecord(
            DomainName.Parse(key.Name),
            key.Algorithm,
            DateTime.UtcNow,
            TimeSpan.FromMinutes(5),
            message.TransactionID,
            ReturnCode.NoError,
            null,
            key.Secret
        );
        try
        {
            var response = await client.SendUpdateAsync(message, cancellationToken).ConfigureAwait(false);
            return response is null ? (null, $"{primary}: no answer within {timeoutMs} ms") : (response, null);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return (null, $"{primary}: {e.Message}");
        }
    }

    private PublishException Refused(ReturnCode code, string what) =>
        new(
            $"{primary} answered {Describe(code)} to the update of {what}; fix the TSIG key in the provider or its Secret",
            ConditionReasons.CredentialsRejected
        );

    /// <summary>
    /// The record a value stands for at its name: an SRV at the submission names, else a TXT whose value longer than 255
    /// octets goes as several character-strings (ARSoft's one-string constructor truncates).
    /// </summary>
    private static DnsRecordBase Record(DomainName name, int ttl, string value) =>
        RecordTypes.IsSrv(name.ToString()) && SrvValue.Parse(value) is { } srv
            ? new SrvRecord(
                name,
                ttl,
                (ushort)srv.Priority,
                (ushort)srv.Weight,
                (ushort)srv.Port,
                srv.Target.Length == 0 ? DomainName.Root : DomainName.Parse(srv.Target)
            )
            : new TxtRecord(name, ttl, TxtStrings.Split(value));

    private static string Describe(ReturnCode code) =>
        code switch
        {
            ReturnCode.NotAuthoritive => "NOTAUTH (the TSIG key is not accepted for this zone, or the server is not its primary)",
            ReturnCode.Refused => "REFUSED (the server's policy does not allow this update)",
            ReturnCode.NotZone => "NOTZONE (the name is not in the zone)",
            ReturnCode.ServerFailure => "SERVFAIL",
            _ => code.ToString().ToUpperInvariant(),
        };
}

/// <summary>
/// A publish that could not be planned or made; the message names the server and never a secret. The reason is
/// the Ready condition's: CredentialsRejected when retrying cannot help until the provider or its Secret changes.
/// </summary>
public sealed class PublishException(string message, string reason = ConditionReasons.PublishFailed) : Exception(message)
{
    public string Reason { get; } = reason;
}
