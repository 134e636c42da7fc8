namespace MailDns.TestApiServer;

/// <summary>
/// Fault injection for reliability tests; every property can change while the server runs. Error rates apply to
/// resource requests (never to discovery); a conflict is injected only on writes.
/// </summary>
public sealed class Faults
{
    private readonly Lock gate = new();
    private readonly Random random;

    public Faults(int seed = 12345) => random = new Random(seed);

    /// <summary>When set, only this user's requests get faults (see the request log's User), so a test's own reads stay clean.</summary>
    public string? User { get; set; }

    public double ConflictRate { get; set; }

    public double TooManyRequestsRate { get; set; }

    public double ServerErrorRate { get; set; }

    public TimeSpan Latency { get; set; }

    /// <summary>Watch streams are closed by the server after this long (a dropped connection).</summary>
    public TimeSpan? DropWatchesAfter { get; set; }

    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal int? Roll(bool write)
    {
        lock (gate)
        {
            var r = random.NextDouble();
            if (write && r < ConflictRate)
            {
                return 409;
            }

            r -= write ? ConflictRate : 0;
            if (r < TooManyRequestsRate)
            {
                return 429;
            }

            r -= TooManyRequestsRate;
            return r < ServerErrorRate ? 500 : null;
        }
    }
}

/// <summary>One API request as RBAC sees it (verb, API group, resource, subresource, namespace, who asked), with its status and the object
/// named, if any.</summary>
public sealed record RequestRecord(
    string Verb,
    string Group,
    string Resource,
    string? Subresource,
    string? Namespace,
    int Status,
    string User = "system:anonymous",
    string? Name = null
);
