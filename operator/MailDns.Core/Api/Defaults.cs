namespace MailDns.Core.Api;

/// <summary>
/// Defaults that apply when a field is omitted. The CRD declares the same values as schema defaults (the API
/// server fills them in); manifests read from disk are not defaulted by anyone, so the core applies these.
/// The values follow M3AAWG practice for DKIM and a conservative SPF/DMARC stance.
/// </summary>
public static class Defaults
{
    public const int Ttl = 3600;
    public const string SpfAll = "softfail";
    public const string DkimAlgorithm = "rsa-sha256";
    public const int RsaSize = 2048;
    public const string RotationInterval = "90d";
    public const string PropagationDelay = "1d";
    public const string RetireAfter = "7d";
    public const string RevokeFor = "7d";
    public const string PublishMode = "apply";
    public const string HealthSchedule = "0 0/15 * * * ?";
    public const string DeletionPolicy = "Retain";
    public const string ProviderKind = "DnsProvider";
    public const string BimiSelector = "default";
    public const string TsigAlgorithm = "hmac-sha256";
    public const double RolloutMinPassRate = 0.98;
    public const long RolloutMinMessages = 1000;
    public const string RolloutWindow = "14d";
    public const string RolloutStepAfter = "7d";
    public const bool RolloutRollback = false;
    public const bool ReputationEnabled = true;
    public const string ReputationSchedule = "0 0 * * * ?";
    public const string MtaStsMaxAge = "7d";
    public const bool TransportCheckEnabled = false;
    public const string TransportCheckSchedule = "0 30 * * * ?";
    public const int SubmissionStartTlsPort = 587;
    public const int SubmissionImplicitTlsPort = 465;
    public const int SrvPriority = 0;
    public const int SrvWeight = 1;

    public static string SelectorPrefixFor(string algorithm) => algorithm == "ed25519-sha256" ? "ed" : "rsa";
}
