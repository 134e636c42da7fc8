namespace MailDns.Core.Readiness;

/// <summary>A reason a domain cannot be reconciled, for the Ready condition.</summary>
public sealed class ReconcileException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
