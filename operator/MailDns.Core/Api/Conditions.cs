using k8s.Models;

namespace MailDns.Core.Api;

/// <summary>
/// metav1.Condition bookkeeping shared by every writer of SendingDomain status: a condition's
/// lastTransitionTime moves only when its status does, and a list holds one condition per type, sorted by type.
/// </summary>
public static class Conditions
{
    public static V1Condition Make(
        string type,
        string status,
        string reason,
        string message,
        long generation,
        DateTimeOffset now,
        IEnumerable<V1Condition>? previous
    ) =>
        new()
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime =
                previous?.FirstOrDefault(c => c.Type == type) is { } was && was.Status == status && was.LastTransitionTime is { } at
                    ? at
                    : now.UtcDateTime,
        };

    /// <summary>
    /// Sets one condition of a status about to be written (a verdict handed to the reconcile: DmarcCompliant,
    /// Reputation); its transition time moves only when its status changes.
    /// </summary>
    public static void Set(
        SendingDomainStatus status,
        string type,
        string value,
        string reason,
        string message,
        long generation,
        DateTimeOffset now
    )
    {
        var conditions = status.Conditions?.ToList() ?? [];
        Upsert(conditions, [Make(type, value, reason, message, generation, now, conditions)]);
        status.Conditions = conditions;
    }

    /// <summary>Replaces (or adds) each update's type in the list, keeping the list sorted by type.</summary>
    public static void Upsert(List<V1Condition> conditions, IEnumerable<V1Condition> updates)
    {
        foreach (var update in updates)
        {
            conditions.RemoveAll(c => c.Type == update.Type);
            conditions.Add(update);
        }

        conditions.Sort((a, b) => string.CompareOrdinal(a.Type, b.Type));
    }
}
