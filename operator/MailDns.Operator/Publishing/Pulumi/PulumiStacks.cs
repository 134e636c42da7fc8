using MailDns.Core.Names;
using MailDns.Core.Publishing;
using MailDns.Core.Publishing.Pulumi;
using MailDns.Core.Records;

namespace MailDns.Operator.Publishing.Pulumi;

/// <summary>One stack as a publish target: its program's package, zone and settings, and where and with which secrets it runs.</summary>
public sealed record PulumiStackTarget(
    string Name,
    string Package,
    string Zone,
    IReadOnlyDictionary<string, string> Config,
    PulumiWorkspace Workspace
);

/// <summary>
/// The Pulumi stacks the operator publishes to, each seen as a record store. A stack holds the records of every
/// SendingDomain on its provider, so one domain's change is a change to the whole program: the store keeps the
/// stack's records, applies a domain's changes to them and asks the <see cref="StackCoalescer"/> for a run, so a
/// thousand domains reconciled at once share a few <c>pulumi up</c> runs. The records start from what the
/// domains' statuses say they published (<c>seed</c>): a restarted operator never renders a program without the
/// other domains' records, which would delete them. A failed run puts the caller's changes back, so the store
/// never claims what the provider did not accept.
/// </summary>
public sealed class PulumiStacks
{
    private readonly PulumiPublisher publisher;
    private readonly Func<string, IReadOnlyList<DesiredRecord>> seed;
    private readonly StackCoalescer coalescer;
    private readonly Dictionary<string, StackRecords> stacks = new(StringComparer.Ordinal);

    public PulumiStacks(
        PulumiPublisher publisher,
        Func<string, IReadOnlyList<DesiredRecord>> seed,
        TimeSpan window,
        int maxParallel,
        TimeProvider time
    )
    {
        this.publisher = publisher;
        this.seed = seed;
        coalescer = new StackCoalescer(RunAsync, window, maxParallel, time);
    }

    /// <summary>How many <c>pulumi up</c> runs were started.</summary>
    public int Runs => coalescer.Runs;

    public IRecordStore For(PulumiStackTarget target)
    {
        lock (stacks)
        {
            if (!stacks.TryGetValue(target.Name, out var state))
            {
                stacks[target.Name] = state = new StackRecords(seed(target.Name));
            }

            state.Target = target; // the latest settings and credentials serve the next run
            return new Store(this, target.Name, state);
        }
    }

    private async Task RunAsync(string name, CancellationToken cancellationToken)
    {
        StackRecords state;
        lock (stacks)
        {
            state = stacks[name];
        }

        PulumiStack stack;
        PulumiWorkspace workspace;
        lock (state)
        {
            var target = state.Target!;
            workspace = target.Workspace;
            stack = new PulumiStack(
                target.Name,
                target.Package,
                target.Zone,
                target.Config,
                [.. state.Records.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Value, StringComparer.Ordinal)]
            );
        }

        var result = await publisher.ApplyAsync(stack, workspace, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new PublishException($"pulumi up of stack {name} failed (exit {result.ExitCode}): {result.Reason}");
        }
    }

    /// <summary>The records a stack should hold, by name and value, whoever owns them.</summary>
    private sealed class StackRecords(IReadOnlyList<DesiredRecord> seeded)
    {
        public Dictionary<(string Name, string Value), DesiredRecord> Records { get; } =
            seeded.GroupBy(r => (DomainName.Normalize(r.Name), r.Value)).ToDictionary(g => g.Key, g => g.First());

        public PulumiStackTarget? Target { get; set; }
    }

    private sealed class Store(PulumiStacks owner, string name, StackRecords state) : IRecordStore
    {
        public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ReadAsync(
            IReadOnlyCollection<string> names,
            CancellationToken cancellationToken
        )
        {
            var wanted = names.Select(DomainName.Normalize).ToHashSet(StringComparer.Ordinal);
            lock (state)
            {
                IReadOnlyDictionary<string, IReadOnlyList<string>> served = state
                    .Records.Keys.Where(k => wanted.Contains(k.Name))
                    .GroupBy(k => k.Name, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(k => k.Value).ToList(), StringComparer.Ordinal);
                return Task.FromResult(served);
            }
        }

        public async Task<IReadOnlyList<(RecordChange Change, string Error)>> ApplyAsync(
            IReadOnlyList<RecordChange> changes,
            CancellationToken cancellationToken
        )
        {
            var undo = new List<(string Name, string Value, DesiredRecord? Before)>();
            lock (state)
            {
                foreach (var change in changes)
                {
                    var recordName = DomainName.Normalize(change.Name);
                    if (change.OldValue is { } old && state.Records.Remove((recordName, old), out var removed))
                    {
                        undo.Add((recordName, old, removed));
                    }

                    if (change.NewValue is { } value && change.Purpose is { } purpose)
                    {
                        undo.Add((recordName, value, state.Records.GetValueOrDefault((recordName, value))));
                        state.Records[(recordName, value)] = new DesiredRecord(recordName, change.Ttl, value, purpose, change.Owner);
                    }
                }
            }

            try
            {
                await owner.coalescer.RequestAsync(name, cancellationToken).ConfigureAwait(false);
                return [];
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                lock (state)
                {
                    foreach (var (recordName, value, before) in Enumerable.Reverse(undo))
                    {
                        if (before is null)
                        {
                            state.Records.Remove((recordName, value));
                        }
                        else
                        {
                            state.Records[(recordName, value)] = before;
                        }
                    }
                }

                return changes.Select(c => (c, e.Message)).ToList();
            }
        }
    }
}
