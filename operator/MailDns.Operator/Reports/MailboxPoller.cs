using MailDns.Core.Reports;

namespace MailDns.Operator.Reports;

/// <summary>What one pass over a mailbox did: counts, and the reason for each message sent to the invalid folder.</summary>
public sealed record PollResult(int Messages, int Stored, int Duplicate, int Invalid, IReadOnlyList<string> InvalidReasons)
{
    public static PollResult Empty { get; } = new(0, 0, 0, 0, []);
}

/// <summary>
/// Reads every message waiting in a mailbox into the store and then moves it: archive once committed, invalid folder
/// when it holds no valid report (<see cref="MessageRouting"/>). One message's failure to parse never blocks the others;
/// a store failure stops the pass with the message left where it was, to be read again.
/// </summary>
public sealed class MailboxPoller(
    ReportStore store,
    TimeProvider time,
    ReportLimits? limits = null,
    Action<ReportImport.Committed>? onStored = null
)
{
    public async Task<PollResult> PollAsync(IMailbox mailbox, MailboxSettings settings, CancellationToken cancellationToken)
    {
        var (messages, stored, duplicate, invalid) = (0, 0, 0, 0);
        var reasons = new List<string>();
        foreach (var uid in await mailbox.WaitingAsync(cancellationToken))
        {
            IReadOnlyList<FoundReport> found;
            await using (var content = await mailbox.FetchAsync(uid, cancellationToken))
            {
                using var sink = store.BeginImport(time.GetUtcNow());
                sink.Stored += c => onStored?.Invoke(c);
                // The store's own failures (a DbException) escape: the message stays in the folder for the next pass.
                found = ReportReader.Read($"{settings.Folder} uid {uid}", content, limits, sink);
            }

            messages++;
            stored += found.Count(f => f.Outcome == ReportOutcome.Stored);
            duplicate += found.Count(f => f.Outcome == ReportOutcome.Duplicate);
            var (destination, reason) = MessageRouting.Route(found.Select(f => (f.Outcome, f.Summary.Error)).ToList());
            if (destination == MessageDestination.Invalid)
            {
                invalid++;
                reasons.Add($"uid {uid}: {reason}");
                await mailbox.MoveAsync(uid, settings.InvalidFolder, cancellationToken);
            }
            else
            {
                await mailbox.MoveAsync(uid, settings.ArchiveFolder, cancellationToken);
            }
        }

        return new PollResult(messages, stored, duplicate, invalid, reasons);
    }
}
