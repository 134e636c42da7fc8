namespace MailDns.Core.Transport;

/// <summary>The MX answer: hosts by preference, or why there are none.</summary>
public sealed record MxObservation(IReadOnlyList<string> Hosts, string? Error = null);

/// <summary>One MX host as DNS describes it: an address literal, an alias (CNAME), how many addresses, or a failed lookup.</summary>
public sealed record MxHostObservation(string Host, bool IsAddressLiteral, bool IsAlias, int Addresses, string? Error = null);

/// <summary>
/// The certificate an MX presented, as facts: its names, validity and whether its chain validates; and, for DANE, the
/// leaf certificate and its public key (DER) and the issuers' certificates the server sent.
/// </summary>
public sealed record CertificateFacts(IReadOnlyList<string> Names, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string? ChainError)
{
    public byte[] LeafDer { get; init; } = [];

    public byte[] LeafSpki { get; init; } = [];

    public IReadOnlyList<(byte[] Der, byte[] Spki)> Issuers { get; init; } = [];
}

/// <summary>One TLSA record (RFC 6698 §2.1): usage, selector, matching type, association data.</summary>
public sealed record TlsaObservation(int Usage, int Selector, int MatchingType, byte[] Data);

/// <summary>
/// What an SMTP session with one MX showed: whether it connected, offered STARTTLS after EHLO, completed TLS with which
/// protocol, and the certificate it presented.
/// </summary>
public sealed record SmtpObservation(
    string Host,
    int Port,
    string? ConnectError,
    bool OffersStartTls,
    string? TlsError,
    string? Protocol,
    CertificateFacts? Certificate
)
{
    /// <summary>The TLSA records at _25._tcp.HOST (DANE, RFC 7672 §3); empty when none are published.</summary>
    public IReadOnlyList<TlsaObservation> Tlsa { get; init; } = [];
}

/// <summary>
/// Everything the transport checks look at for one domain. <see cref="Smtp"/> is null when the SMTP probes were skipped
/// (--skip-tls); <see cref="ManagedPolicy"/> is whether the policy is one this operator derives the id of.
/// </summary>
public sealed record TransportObservation(
    string Domain,
    DateTimeOffset Now,
    MxObservation Mx,
    IReadOnlyList<MxHostObservation> MxHosts,
    IReadOnlyList<string> MtaStsRecords,
    string? PolicyText,
    string? PolicyError,
    bool TlsRptPublished,
    IReadOnlyList<SmtpObservation>? Smtp,
    bool ManagedPolicy = false
)
{
    /// <summary>The submission endpoints the SRV records name, as probed (empty: none published, or --skip-tls).</summary>
    public IReadOnlyList<SubmissionObservation> Submission { get; init; } = [];
}
