using MailDns.Core.Txt;

namespace MailDns.Core.Records;

public enum RecordPurpose
{
    Spf,
    Dkim,
    Dmarc,
    MtaSts,
    TlsRpt,
    Bimi,
    Submission,
}

/// <summary>
/// A record the product wants published: TXT, or SRV at the submission names (<see cref="RecordTypes.At"/>).
/// <see cref="Name"/> is lower case without the trailing dot; <see cref="Value"/> is a TXT's joined value (<see cref="Strings"/>
/// its split into 255-octet character-strings) or an SRV's presentation form (<see cref="SrvValue"/>).
/// <see cref="Owner"/> is the SendingDomain ("namespace/name") the record belongs to.
/// </summary>
public sealed record DesiredRecord(string Name, int Ttl, string Value, RecordPurpose Purpose, string Owner, string? Selector = null)
{
    public string Type => RecordTypes.At(Name);

    public IReadOnlyList<string> Strings => TxtStrings.Split(Value);

    public static string PurposeText(RecordPurpose purpose) =>
        purpose switch
        {
            RecordPurpose.Spf => "spf",
            RecordPurpose.Dkim => "dkim",
            RecordPurpose.Dmarc => "dmarc",
            RecordPurpose.MtaSts => "mta-sts",
            RecordPurpose.TlsRpt => "tls-rpt",
            RecordPurpose.Submission => "submission",
            _ => "bimi",
        };

    /// <summary>The inverse of <see cref="PurposeText"/>, for records read back from status.</summary>
    public static RecordPurpose PurposeFromText(string? text) =>
        text switch
        {
            "dkim" => RecordPurpose.Dkim,
            "dmarc" => RecordPurpose.Dmarc,
            "mta-sts" => RecordPurpose.MtaSts,
            "tls-rpt" => RecordPurpose.TlsRpt,
            "bimi" => RecordPurpose.Bimi,
            "submission" => RecordPurpose.Submission,
            _ => RecordPurpose.Spf,
        };
}
