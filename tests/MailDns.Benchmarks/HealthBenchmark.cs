using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using DnsClient;
using MailDns.Core.Health;
using MailDns.Core.Records;
using MailDns.Operator.Dns;
using MailDns.Operator.Health;
using MailDns.Testing;
using DnsQuestion = MailDns.Core.Health.DnsQuestion;
using IDnsQuery = MailDns.Operator.Dns.IDnsQuery;

namespace MailDns.Benchmarks;

/// <summary>
/// Health checks of a fleet against a real BIND on loopback: the product's gatherer and evaluator, then a raw
/// DnsClient loop sending exactly the questions the checks sent (recorded), in the same pattern (a domain's
/// authoritative questions at once, its resolver questions one after another) with the same number of domains
/// in flight, three runs of each alternated; the ratio of the medians is what the product's own work costs on top of the
/// queries.
/// </summary>
public static class HealthBenchmark
{
    private sealed class RecordingQuery(IDnsQuery inner) : IDnsQuery
    {
        public ConcurrentDictionary<string, ConcurrentQueue<(DnsQuestion Question, bool Recursive)>> Asked { get; } =
            new(StringComparer.Ordinal);

        /// <summary>The domain whose check is asking (flows with the check's async calls).</summary>
        public AsyncLocal<string?> Domain { get; } = new();

        public Task<DnsAnswer> AskAsync(IPEndPoint server, DnsQuestion question, bool recursive, CancellationToken cancellationToken)
        {
            Asked.GetOrAdd(Domain.Value ?? "", _ => new()).Enqueue((question, recursive));
            return inner.AskAsync(server, question, recursive, cancellationToken);
        }
    }

    /// <summary>Answers each question from BIND once, then from memory: the checks' own work without the network.</summary>
    private sealed class ReplayQuery(IDnsQuery inner) : IDnsQuery
    {
        private readonly ConcurrentDictionary<(IPEndPoint, DnsQuestion, bool), DnsAnswer> answers = new();

        public async Task<DnsAnswer> AskAsync(IPEndPoint server, DnsQuestion question, bool recursive, CancellationToken cancellationToken)
        {
            if (!answers.TryGetValue((server, question, recursive), out var answer))
            {
                answer = await inner.AskAsync(server, question, recursive, cancellationToken);
                answers[(server, question, recursive)] = answer;
            }

            return answer;
        }
    }

    public static Dictionary<string, double> Run(int domains, int concurrency, int runs = 3)
    {
        var fleet = Enumerable.Range(0, domains).Select(i => Fleet.Domain(i)).ToList();
        var keys = Fleet.Keys;
        var desired = fleet.Select((sd, i) => RecordSynthesis.Synthesize(sd, [keys[i % keys.Count]])).ToList();
        var zone =
            string.Join('\n', desired.SelectMany(d => d).Select(ZoneFragment.AbsoluteLine))
            + $"\n_spf.{Fleet.Zone}. 300 IN TXT \"v=spf1 ip4:203.0.113.0/24 -all\"\n";
        using var bind = new BindServer([(Fleet.Zone, zone)]);
        var targets = new HealthTargets([bind.Endpoint], [bind.Endpoint]);
        var recording = new RecordingQuery(new DnsClientQuery());
        var gatherer = new HealthGatherer(recording);

        async Task<int> CheckAll(HealthGatherer g, RecordingQuery? recorder)
        {
            var failing = 0;
            await Parallel.ForEachAsync(
                Enumerable.Range(0, domains),
                new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                async (i, token) =>
                {
                    if (recorder is not null)
                    {
                        recorder.Domain.Value = fleet[i].Metadata.Name;
                    }

                    var report = await g.CheckAsync(
                        fleet[i].Spec.Domain,
                        [keys[i % keys.Count].Selector],
                        new HealthExpectation(desired[i], "reject"),
                        targets,
                        token
                    );
                    if (
                        report.Checks.Where(c => c.Status != CheckStatus.Pass && c.Status != CheckStatus.Warn).ToList() is
                        { Count: > 0 } bad
                    )
                    {
                        if (Interlocked.Increment(ref failing) == 1)
                        {
                            Console.Error.WriteLine(
                                $"first check not passing, {fleet[i].Spec.Domain}: "
                                    + string.Join("; ", bad.Select(c => $"{c.Id} {c.Status}: {c.Message}"))
                            );
                        }
                    }
                }
            );
            return failing;
        }

        CheckAll(new HealthGatherer(new DnsClientQuery()), null).GetAwaiter().GetResult(); // warm-up: JIT, BIND's caches
        var notPassing = CheckAll(gatherer, recording).GetAwaiter().GetResult(); // records the questions the checks ask
        // The client process's CPU per pass: on two cores shared with BIND, every CPU second the checks add shows, and BIND's
        // beside it. What a pass allocates and how long the collector paused it say where the client's CPU goes (DnsClient's
        // share is the floor's).
        var productCost = new PassCosts();
        var rawCost = new PassCosts();
        double Timed(PassCosts cost, Action pass)
        {
            var timer = Stopwatch.StartNew();
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var gen0 = GC.CollectionCount(0);
            var paused = GC.GetTotalPauseDuration();
            var server = bind.ProcessorTime;
            pass();
            cost.ServerCpu.Add((bind.ProcessorTime - server).TotalSeconds);
            cost.Cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
            cost.AllocatedBytes.Add(GC.GetTotalAllocatedBytes(precise: true) - allocated);
            cost.Gen0.Add(GC.CollectionCount(0) - gen0);
            cost.GcPauseMs.Add((GC.GetTotalPauseDuration() - paused).TotalMilliseconds);
            return timer.Elapsed.TotalSeconds;
        }

        double Product() =>
            Timed(productCost, () => notPassing = CheckAll(new HealthGatherer(new DnsClientQuery()), null).GetAwaiter().GetResult());

        // The same checks with every answer replayed from memory: what evaluating costs, without the network.
        var replay = new HealthGatherer(new ReplayQuery(new DnsClientQuery()));
        CheckAll(replay, null).GetAwaiter().GetResult(); // asks BIND once, so the timed passes replay every answer
        var replayCost = new PassCosts();
        var work = Samples.Of(runs, () => Timed(replayCost, () => CheckAll(replay, null).GetAwaiter().GetResult()));

        // The same questions through DnsClient directly.
        var raw = new LookupClient(
            new LookupClientOptions(bind.Endpoint)
            {
                UseCache = false,
                Recursion = false,
                Timeout = TimeSpan.FromSeconds(2),
                Retries = 1,
                UseTcpFallback = true,
                ThrowDnsErrors = false,
            }
        );
        var rawRecursive = new LookupClient(
            new LookupClientOptions(bind.Endpoint)
            {
                UseCache = false,
                Recursion = true,
                Timeout = TimeSpan.FromSeconds(2),
                Retries = 1,
                UseTcpFallback = true,
                ThrowDnsErrors = false,
            }
        );
        var asked = fleet.Select(sd => recording.Asked.GetValueOrDefault(sd.Metadata.Name)?.ToList() ?? []).ToList();
        static QueryType TypeOf(DnsType t) =>
            t switch
            {
                DnsType.A => QueryType.A,
                DnsType.Aaaa => QueryType.AAAA,
                DnsType.Mx => QueryType.MX,
                _ => QueryType.TXT,
            };
        // The recorded questions in the checks' pattern: a domain's authoritative questions at once, its resolver
        // questions one after another.
        double Replayed(PassCosts cost, Func<DnsQuestion, bool, CancellationToken, Task> ask) =>
            Timed(
                cost,
                () =>
                    Parallel
                        .ForEachAsync(
                            Enumerable.Range(0, domains),
                            new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                            async (i, token) =>
                            {
                                await Task.WhenAll(asked[i].Where(q => !q.Recursive).Select(q => ask(q.Question, false, token)));
                                foreach (var (question, _) in asked[i].Where(q => q.Recursive))
                                {
                                    await ask(question, true, token);
                                }
                            }
                        )
                        .GetAwaiter()
                        .GetResult()
            );

        // The floor's slowest question over all its passes: near the 2-second timeout, a datagram was lost and that pass
        // measured the wait (BIND's receive buffer overflowed before the test servers raised it).
        long slowestTicks = 0;
        async Task RawAsk(DnsQuestion q, bool recursive, CancellationToken token)
        {
            var started = Stopwatch.GetTimestamp();
            await (recursive ? rawRecursive : raw).QueryAsync(q.Name, TypeOf(q.Type), QueryClass.IN, token);
            var took = Stopwatch.GetTimestamp() - started;
            for (var seen = Interlocked.Read(ref slowestTicks); took > seen; seen = Interlocked.Read(ref slowestTicks))
            {
                Interlocked.CompareExchange(ref slowestTicks, took, seen);
            }
        }

        double Raw() => Replayed(rawCost, RawAsk);

        // Three of each, alternated, so neither side always meets a warmer or colder server (single runs varied 0.52-0.88).
        var (rawSeconds, product) = Samples.Paired(runs, Raw, Product);

        // The recorded questions through the product's query layer in the raw loop's pattern, without the gatherer:
        // splits what the product adds into answer handling (this minus raw) and checking (product minus this).
        var layerCost = new PassCosts();
        var layerQuery = new DnsClientQuery();
        var layer = Samples.Of(
            runs,
            () => Replayed(layerCost, (q, recursive, token) => layerQuery.AskAsync(bind.Endpoint, q, recursive, token))
        );
        var questions = asked.Sum(a => a.Count);
        var figures = new Dictionary<string, double>
        {
            ["health_domains"] = domains,
            ["health_concurrency"] = concurrency,
            ["health_runs"] = runs,
            ["health_questions_per_domain"] = Math.Round((double)questions / domains, 2),
            ["health_domains_not_passing"] = notPassing,
            ["health_domains_per_second"] = Math.Round(domains / product.Median),
            ["health_raw_dnsclient_domains_per_second"] = Math.Round(domains / rawSeconds.Median),
            ["health_ratio_to_raw"] = Math.Round(rawSeconds.Median / product.Median, 3),
        };
        product.AddTo(figures, "health_seconds", 2);
        rawSeconds.AddTo(figures, "health_raw_dnsclient_seconds", 2);
        work.AddTo(figures, "health_replayed_answers_seconds", 2);
        figures["health_raw_dnsclient_slowest_question_seconds"] = Math.Round(Stopwatch.GetElapsedTime(0, slowestTicks).TotalSeconds, 3);
        figures["health_replayed_allocated_kb_per_domain"] = Math.Round(Samples.From(replayCost.AllocatedBytes).Median / 1024 / domains, 1);
        layer.AddTo(figures, "health_query_layer_seconds", 2);
        layerCost.AddTo(figures, "health_query_layer");
        productCost.AddTo(figures, "health");
        rawCost.AddTo(figures, "health_raw_dnsclient");
        replayCost.AddTo(figures, "health_replayed_answers");
        return figures;
    }

    /// <summary>
    /// What each pass of one kind cost besides its wall time: the client's CPU, allocations and collections, and BIND's CPU.
    /// </summary>
    private sealed class PassCosts
    {
        public List<double> Cpu { get; } = [];

        public List<double> ServerCpu { get; } = [];

        public List<double> AllocatedBytes { get; } = [];

        public List<double> Gen0 { get; } = [];

        public List<double> GcPauseMs { get; } = [];

        public void AddTo(Dictionary<string, double> figures, string prefix)
        {
            Samples.From(Cpu).AddTo(figures, prefix + "_cpu_seconds", 2);
            Samples.From(ServerCpu).AddTo(figures, prefix + "_bind_cpu_seconds", 2);
            Samples.From(AllocatedBytes.Select(b => b / 1e6)).AddTo(figures, prefix + "_allocated_mb", 0);
            Samples.From(Gen0).AddTo(figures, prefix + "_gen0_collections", 0);
            Samples.From(GcPauseMs).AddTo(figures, prefix + "_gc_pause_ms", 0);
        }
    }
}
