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
/// A primary server taking TSIG-signed RFC 2136 updates (BIND, Knot, PowerDNS). Each change is its own update
/// message that deletes and adds single records, TXT or SRV (never a whole RRset), so other values at the same name,
/// such as a site verification at the apex, are never touched, and a failure is reported for that record alone
/// with the server's answer. The current state is read by querying the primary directly.
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
        var failures = new List<(RecordChange, string)>();
        var attempted = 0;
        foreach (var change in changes)
        {
            attempted++;
            var message = new DnsUpdateMessage { ZoneName = DomainName.Parse(zone) };
            var name = DomainName.Parse(change.Name);
            if (change.OldValue is { } old)
            {
                message.Updates.Add(new DeleteRecordUpdate(Record(name, 0, old)));
            }

            if (change.NewValue is { } value)
            {
                message.Updates.Add(new AddRecordUpdate(Record(name, change.Ttl, value)));
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
            DnsUpdateMessage? response;
            try
            {
                response = await client.SendUpdateAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                failures.Add((change, $"{primary}: {e.Message}"));
                continue;
            }

            if (response is null)
            {
                failures.Add((change, $"{primary}: no answer within {timeoutMs} ms"));
            }
            else if (response.ReturnCode == ReturnCode.NotAuthoritive && failures.Count == attempted - 1)
            {
                // Nothing went through yet and the key is refused: every other change would be refused too, and
                // a retry with the same key cannot help. Only a changed Secret or provider can.
                throw new PublishException(
                    $"{primary} answered {Describe(response.ReturnCode)} to the update of {change.Name}; fix the TSIG key in the "
                        + $"provider or its Secret",
                    ConditionReasons.CredentialsRejected
                );
            }
            else if (response.ReturnCode != ReturnCode.NoError)
            {
                failures.Add((change, $"{primary} answered {Describe(response.ReturnCode)} to the update of {change.Name}"));
            }
        }

        return failures;
    }

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
