namespace MailDns.Core.Transport;

/// <summary>The MX answer: hosts by preference, or why there are none.</summary>
public sealed record MxObservation(IReadOnlyList<string> Hosts, string? Error = null);

/// <summary>One MX host as DNS describes it: an address literal, an alias (CNAME), how many addresses, or a failed lookup.</summary>
public sealed record MxHostObservation(string Host, bool IsAddressLiteral, bool IsAlias, int Addresses, string? Error = null);

/// <summary>The certificate an MX presented, as facts: its names, validity and whether its chain validates.</summary>
public sealed record CertificateFacts(IReadOnlyList<string> Names, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string? ChainError);

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
);

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
);
